// `npm run analyze`: custom-elements.json from the elements' JSDoc (scripts/check-manifest.mjs checks it is fresh).
export default {
  globs: ['src/components/**/*.ts'],
  exclude: ['src/components/**/*.styles.ts'],
  outdir: '.',
  litelement: true,
};
