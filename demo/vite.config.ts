/**
 * Vite configuration of the demo pages (served by `dyte-recording-kit dev` in middleware mode). The
 * pages import the kit by its package name, as an app would; these aliases point the names at src/.
 */
import { fileURLToPath } from 'node:url';
import react from '@vitejs/plugin-react';
import vue from '@vitejs/plugin-vue';
import { transform } from 'esbuild';
import { defineConfig } from 'vite';
import type { Plugin } from 'vite';

const source = (path: string) => fileURLToPath(new URL(`../src/${path}`, import.meta.url));

/**
 * Lowers the elements' standard decorators (`@property() accessor x`), which browsers do not run yet
 * and Vite's own TypeScript transform leaves as they are.
 */
function lowerDecorators(): Plugin {
  return {
    name: 'lower-decorators',
    enforce: 'pre',
    async transform(code, id) {
      if (!/\/src\/.*\.ts$/.test(id) || !code.includes('@')) return null;
      const result = await transform(code, {
        loader: 'ts',
        target: 'es2022',
        sourcemap: true,
        sourcefile: id,
      });
      return { code: result.code, map: result.map };
    },
  };
}

export default defineConfig({
  resolve: {
    alias: [
      { find: /^dyte-recording-kit$/, replacement: source('index.ts') },
      { find: /^dyte-recording-kit\/react$/, replacement: source('react.ts') },
    ],
  },
  plugins: [
    lowerDecorators(),
    react(),
    // The kit's tags are custom elements, not Vue components.
    vue({ template: { compilerOptions: { isCustomElement: (tag) => tag.startsWith('dyte-') } } }),
  ],
  // Everything the pages import, bundled once at start-up so that no page reloads mid-visit.
  optimizeDeps: {
    include: [
      'lit',
      'lit/decorators.js',
      '@lit/task',
      '@lit/react',
      'eventsource-parser',
      'react',
      'react-dom/client',
      'react/jsx-dev-runtime',
      'vue',
    ],
  },
  cacheDir: fileURLToPath(new URL('../node_modules/.vite/demo', import.meta.url)),
});
