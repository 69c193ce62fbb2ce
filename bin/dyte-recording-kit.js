#!/usr/bin/env node
// The installed package runs its build (dist/cli/). A clone of the repository (demo/ beside bin/) runs
// the TypeScript sources through tsx, a development dependency, so `npm start` needs no build first.
import { existsSync } from 'node:fs';

const clone = existsSync(new URL('../demo/', import.meta.url));
let cli;
if (clone) {
  const { register } = await import('tsx/esm/api');
  register();
  cli = await import('../src/cli.ts');
} else {
  cli = await import('../dist/cli/cli.js');
}
process.exitCode = await cli.main(process.argv.slice(2));
