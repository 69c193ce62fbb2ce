/**
 * esbuild as the bench uses it: ES modules, minified, es2022, our elements' Lit decorators compiled and
 * templates squeezed as the library build does.
 */
import { build } from 'esbuild';
import type { Plugin } from 'esbuild';
import { readFile } from 'node:fs/promises';
import { fileURLToPath } from 'node:url';
import { compileLitDecorators, minifyLitTemplates } from '../../scripts/lit-build.mjs';

export const ROOT = fileURLToPath(new URL('../..', import.meta.url));

/** The same transform vite.config.ts applies to our elements, so the bench measures and runs what ships. */
const litElements: Plugin = {
  name: 'lit-elements',
  setup(setup) {
    setup.onLoad({ filter: /[/\\]src[/\\]components[/\\].*\.ts$/ }, async ({ path }) => {
      const code = await readFile(path, 'utf8');
      return { contents: minifyLitTemplates(compileLitDecorators(code, path) ?? code, path), loader: 'ts' };
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
    plugins: [litElements],
    write: false,
    logLevel: 'silent',
  });
  return result.outputFiles[0]!.contents;
}
