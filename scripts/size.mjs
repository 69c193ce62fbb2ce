// Prints the kit's size, minified + gzip (level 9), against its budgets (DESIGN.md), measured on the
// build's own minified single-module artifacts: dist/dyte-recording-kit.lit-external.js (the whole kit
// without Lit) and dist/dyte-recording-kit.js (with Lit, self-contained). `npm run build` makes them
// first. Exits non-zero when a budget is exceeded. The budgets are read the strict way: decimal kB
// (10.5 kB = 10,500 B), not KiB. The budget without Lit grew from 9 kB with the fourth element (issue 13).
import { readFileSync } from 'node:fs';
import { gzipSync } from 'node:zlib';

const KB = 1000;
const MEASURES = [
  { label: 'the kit without Lit', file: 'dist/dyte-recording-kit.lit-external.js', budget: 10.5 * KB },
  { label: 'the kit with Lit (self-contained)', file: 'dist/dyte-recording-kit.js', budget: 16 * KB },
];

const bytes = (n) => n.toLocaleString('en-US');
let over = false;
for (const { label, file, budget } of MEASURES) {
  const size = gzipSync(readFileSync(file), { level: 9 }).length;
  const fits = size <= budget;
  over ||= !fits;
  console.log(
    `${label}: ${bytes(size)} B (${(size / KB).toFixed(2)} kB) min+gzip, budget ${bytes(budget)} B ` +
      `(${budget / KB} kB): ${fits ? `ok, ${bytes(budget - size)} B to spare` : 'OVER BUDGET'}`,
  );
}
process.exit(over ? 1 : 0);
