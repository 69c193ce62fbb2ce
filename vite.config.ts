// Library build (scripts/build.mjs runs the three modes). `vite build`: ES modules, one per entry (the
// kit, its React wrappers, and each element alone), Lit and React external, into
// dist/esm, for apps that bundle: the package's `.` and `./react`. `vite build --mode bundle`: one self-contained, minified module
// for a plain <script type="module">, dist/dyte-recording-kit.js. `vite build --mode bundle-lit-external`:
// the same without Lit, for pages that load Lit themselves, dist/dyte-recording-kit.lit-external.js.
// `npm run build` runs the three, the server build and the declarations, then prints the sizes.
import { defineConfig } from 'vite';
import type { Plugin } from 'vite';
import { compileLitDecorators, minifyLitTemplates } from './scripts/lit-build.mjs';

/** The shipped translations (src/locales), each its own module: none weighs on the kit. */
export const LOCALES = ['de', 'es', 'fr', 'hi', 'ja', 'pt-BR'];

const ENTRIES = {
  index: 'src/index.ts',
  react: 'src/react.ts',
  'record-button': 'src/components/record-button/record-button.ts',
  'recording-status': 'src/components/recording-status/recording-status.ts',
  'recording-list': 'src/components/recording-list/recording-list.ts',
  'recording-notice': 'src/components/recording-notice/recording-notice.ts',
  core: 'src/core/index.ts',
  ...Object.fromEntries(LOCALES.map((locale) => [`locales/${locale}`, `src/locales/${locale}.ts`])),
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

/** One minified module of the whole kit; with `litExternal`, it imports Lit (e.g. through an import map). */
function bundle(name: string, litExternal: boolean) {
  return {
    outDir: 'dist',
    emptyOutDir: false,
    target: 'es2022',
    rollupOptions: {
      input: { [name]: 'src/index.ts' },
      external: litExternal ? LIT : undefined,
      preserveEntrySignatures: 'strict' as const,
      output: { format: 'es' as const, entryFileNames: '[name].js' },
    },
  };
}

const LIT = /^(lit|@lit\/)/;
/** What the ES modules leave to the app's bundler: the package's dependencies and React. */
const DEPENDENCIES = /^(lit|@lit\/|react($|\/))/;

export default defineConfig(({ mode }) => ({
  plugins: [litElements()],
  build:
    mode === 'bundle'
      ? bundle('dyte-recording-kit', false)
      : mode === 'bundle-lit-external'
        ? bundle('dyte-recording-kit.lit-external', true)
        : {
            outDir: 'dist/esm',
            target: 'es2022',
            lib: { entry: ENTRIES, formats: ['es' as const] },
            rollupOptions: { external: DEPENDENCIES, output: { chunkFileNames: 'shared/[name]-[hash].js' } },
          },
}));
