// Library build. `vite build`: ES modules, one per entry (the kit, and each element alone), Lit external,
// into dist/esm. `vite build --mode bundle`: one self-contained, minified module for a plain
// <script type="module">, into dist/dyte-recording-kit.js. `npm run build` runs both and prints sizes.
import { defineConfig } from 'vite';
import type { Plugin } from 'vite';
import { compileLitDecorators, minifyLitTemplates } from './scripts/lit-build.mjs';

const ENTRIES = {
  index: 'src/index.ts',
  'record-button': 'src/components/record-button/record-button.ts',
  'recording-status': 'src/components/recording-status/recording-status.ts',
  'recording-list': 'src/components/recording-list/recording-list.ts',
};

/**
 * Our elements' Lit decorators compiled away and their templates squeezed, before the TS transform.
 * Exported for the demo's Vite configuration (demo/vite.config.ts), so the demo serves what ships.
 */
export function litElements(): Plugin {
  return {
    name: 'dyte-lit-elements',
    enforce: 'pre',
    transform(code, id) {
      if (!/\/src\/components\/.*\.ts$/.test(id)) return null;
      return { code: minifyLitTemplates(compileLitDecorators(code, id) ?? code, id), map: null };
    },
  };
}

export default defineConfig(({ mode }) => ({
  plugins: [litElements()],
  build:
    mode === 'bundle'
      ? {
          outDir: 'dist',
          emptyOutDir: false,
          target: 'es2022',
          rollupOptions: {
            input: { 'dyte-recording-kit': ENTRIES.index },
            preserveEntrySignatures: 'strict',
            output: { format: 'es', entryFileNames: '[name].js' },
          },
        }
      : {
          outDir: 'dist/esm',
          target: 'es2022',
          lib: { entry: ENTRIES, formats: ['es'] },
          rollupOptions: { external: /^(lit|@lit\/)/, output: { chunkFileNames: 'shared/[name]-[hash].js' } },
        },
}));
