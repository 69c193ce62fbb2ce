// Fails when custom-elements.json is not what the analyzer makes of the elements' JSDoc today.
// `npm run analyze` regenerates it.
import { execFileSync } from 'node:child_process';
import { readFileSync, rmSync } from 'node:fs';
import { join } from 'node:path';

const MANIFEST = 'custom-elements.json';
// The analyzer takes its output folder relative to the working directory.
const outdir = join('node_modules', '.cache', 'dyte-recording-kit-manifest');
try {
  execFileSync(join('node_modules', '.bin', 'cem'), ['analyze', '--outdir', outdir], { stdio: 'pipe' });
  const fresh = readFileSync(join(outdir, MANIFEST), 'utf8');
  let committed = '';
  try {
    committed = readFileSync(MANIFEST, 'utf8');
  } catch {
    // Missing counts as stale.
  }
  if (fresh !== committed) {
    console.error(
      `${MANIFEST} is stale: the elements' JSDoc changed. Run \`npm run analyze\` and commit it.`,
    );
    process.exit(1);
  }
  console.log(`${MANIFEST} is up to date.`);
} finally {
  rmSync(outdir, { recursive: true, force: true });
}
