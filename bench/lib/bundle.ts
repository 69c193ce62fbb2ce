/** esbuild as the bench uses it: ES modules, minified, es2022, our Lit decorators compiled as the library build does. */
import { build } from 'esbuild';
import type { Plugin } from 'esbuild';
import { readFile } from 'node:fs/promises';
import { fileURLToPath } from 'node:url';
import { compileLitDecorators } from '../../scripts/compile-lit-decorators.mjs';

export const ROOT = fileURLToPath(new URL('../..', import.meta.url));

/** The same transform vite.config.ts applies to our elements, so the bench measures and runs what ships. */
const litDecorators: Plugin = {
  name: 'lit-decorators',
  setup(setup) {
    setup.onLoad({ filter: /[/\\]src[/\\]components[/\\].*\.ts$/ }, async ({ path }) => {
      const code = await readFile(path, 'utf8');
      return { contents: compileLitDecorators(code, path) ?? code, loader: 'ts' };
    });
  },
};

/** Bundles `contents` (an entry module, resolved from the repository root); resolves to the code. */
export async function bundle(contents: string, external: string[] = []): Promise<Uint8Array> {
  const result = await build({
    stdin: { contents, resolveDir: ROOT, loader: 'ts', sourcefile: 'bench-entry.ts' },
    bundle: true,
    minify: true,
    format: 'esm',
    target: 'es2022',
    external,
    plugins: [litDecorators],
    write: false,
    logLevel: 'silent',
  });
  return result.outputFiles[0]!.contents;
}
