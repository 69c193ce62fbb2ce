// `npm run build` (and `prepack`, so `npm pack` / `npm publish` ship a fresh build): everything the
// published package's entry points load, into a clean dist/.
// - dist/esm/: the browser ES modules for apps that bundle (`.`, `./react`, each element alone,
//   `./core` without elements, `./locales/*` one translation each), Lit,
//   React and the other dependencies external, decorators compiled (vite.config.ts, default mode);
// - dist/dyte-recording-kit.js and dist/dyte-recording-kit.lit-external.js: one minified module each,
//   with and without Lit, for a plain <script type="module"> (vite.config.ts, the two bundle modes);
// - dist/server.js: `./server` for Node, dependencies external (esbuild);
// - dist/cli/: the `dyte-recording-kit` command (esbuild);
// - dist/types/: the declarations of all of them (TypeScript), relative imports ending in `.js`.
import { cpSync, mkdirSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { build as esbuild } from 'esbuild';
import ts from 'typescript';
import { build as viteBuild } from 'vite';
import { NODE_BUILD } from './node-build.mjs';

const ROOT = resolve(import.meta.dirname, '..');
const DIST = join(ROOT, 'dist');
const ENTRY_POINTS = [
  'src/index.ts',
  'src/react.ts',
  'src/server.ts',
  'src/core/index.ts',
  'src/frameworks/react-jsx.ts',
  'src/frameworks/vue.ts',
  ...readdirSync(join(ROOT, 'src/locales')).map((file) => `src/locales/${file}`),
];

rmSync(DIST, { recursive: true, force: true });

for (const mode of ['production', 'bundle', 'bundle-lit-external']) {
  await viteBuild({ root: ROOT, mode, logLevel: 'warn' });
}

await esbuild({
  ...NODE_BUILD,
  absWorkingDir: ROOT,
  entryPoints: ['src/server.ts'],
  outfile: 'dist/server.js',
});

// The command, for the installed package (a clone runs its sources: bin/dyte-recording-kit.js). One
// chunk per subcommand, so only `dev` loads Vite; the simulator's media files beside the chunks.
await esbuild({
  ...NODE_BUILD,
  absWorkingDir: ROOT,
  entryPoints: ['src/cli.ts'],
  outdir: 'dist/cli',
  splitting: true,
});
cpSync(join(ROOT, 'src/simulator/media'), join(DIST, 'cli/media'), { recursive: true });

emitDeclarations();
console.log(
  'dist/: esm/, dyte-recording-kit.js, dyte-recording-kit.lit-external.js, server.js, cli/, types/',
);

/**
 * Declarations of the entry points and what they import, from the project's own compiler options.
 * The sources import each other with `.ts`; TypeScript keeps those specifiers in declarations, so they
 * are rewritten to `.js`, which every consumer's module resolution maps to the `.d.ts` files.
 */
function emitDeclarations() {
  const configPath = join(ROOT, 'tsconfig.json');
  const { config } = ts.readConfigFile(configPath, ts.sys.readFile);
  const { options } = ts.parseJsonConfigFileContent(config, ts.sys, ROOT, undefined, configPath);
  const program = ts.createProgram(
    ENTRY_POINTS.map((entry) => join(ROOT, entry)),
    {
      ...options,
      noEmit: false,
      declaration: true,
      emitDeclarationOnly: true,
      rootDir: join(ROOT, 'src'),
      outDir: join(DIST, 'types'),
    },
  );
  const diagnostics = ts.getPreEmitDiagnostics(program);
  const writeFile = (fileName, text) => {
    mkdirSync(dirname(fileName), { recursive: true });
    writeFileSync(fileName, text.replace(/((?:from |import\()(['"])\.\.?\/[^'"]*)\.ts\2/g, '$1.js$2'));
  };
  const result = program.emit(undefined, writeFile, undefined, true);
  const errors = [...diagnostics, ...result.diagnostics];
  if (errors.length > 0) {
    const host = { getCanonicalFileName: (f) => f, getCurrentDirectory: () => ROOT, getNewLine: () => '\n' };
    console.error(ts.formatDiagnostics(errors, host));
    process.exit(1);
  }
}
