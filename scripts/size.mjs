// Prints the kit's size, minified + gzip, against its budgets (DESIGN.md): the ES build without Lit
// (dist/esm, every chunk, bundled together as a page would load them) and the self-contained bundle
// with Lit (dist/dyte-recording-kit.js). Run after `vite build` and `vite build --mode bundle`
// (`npm run build` does all three). Exits non-zero when a budget is exceeded.
import { build } from 'esbuild';
import { readFileSync } from 'node:fs';
import { gzipSync } from 'node:zlib';

const BUDGETS = { withoutLit: 9 * 1024, withLit: 16 * 1024 };

const gzipped = (code) => gzipSync(code, { level: 9 }).length;

const withoutLit = await build({
  entryPoints: ['dist/esm/index.js'],
  bundle: true,
  minify: true,
  format: 'esm',
  external: ['lit', 'lit/*', '@lit/*'],
  write: false,
});
const sizes = {
  withoutLit: gzipped(withoutLit.outputFiles[0].contents),
  withLit: gzipped(readFileSync('dist/dyte-recording-kit.js')),
};

const kb = (bytes) => `${(bytes / 1024).toFixed(2)} kB`;
let over = false;
for (const [name, label] of [
  ['withoutLit', 'the kit without Lit'],
  ['withLit', 'the kit with Lit (self-contained bundle)'],
]) {
  const fits = sizes[name] <= BUDGETS[name];
  over ||= !fits;
  console.log(
    `${label}: ${kb(sizes[name])} min+gzip (budget ${kb(BUDGETS[name])}) ${fits ? 'ok' : 'OVER BUDGET'}`,
  );
}
process.exit(over ? 1 : 0);
