/**
 * Vite configuration of the demo pages (served by `dyte-recording-kit dev` in middleware mode). The
 * pages import the kit by its package name, as an app would; these aliases point the names at src/.
 */
import { fileURLToPath } from 'node:url';
import react from '@vitejs/plugin-react';
import vue from '@vitejs/plugin-vue';
import { defineConfig } from 'vite';
import { litElements } from '../vite.config.ts';

const source = (path: string) => fileURLToPath(new URL(`../src/${path}`, import.meta.url));

export default defineConfig({
  resolve: {
    alias: [
      { find: /^dyte-recording-kit$/, replacement: source('index.ts') },
      { find: /^dyte-recording-kit\/react$/, replacement: source('react.ts') },
    ],
  },
  plugins: [
    // The elements as the library build compiles them (browsers do not run standard decorators yet).
    litElements(),
    react(),
    // The kit's tags are custom elements, not Vue components.
    vue({ template: { compilerOptions: { isCustomElement: (tag) => tag.startsWith('dyte-') } } }),
  ],
  // Everything the pages import, bundled once at start-up so that no page reloads mid-visit.
  optimizeDeps: {
    include: [
      'lit',
      'lit/decorators.js',
      '@lit/react',
      'react',
      'react-dom/client',
      'react/jsx-dev-runtime',
      'vue',
    ],
  },
  cacheDir: fileURLToPath(new URL('../node_modules/.vite/demo', import.meta.url)),
});
