// `npm run analyze`: custom-elements.json from the elements' JSDoc (scripts/check-manifest.mjs checks it is fresh).
export default {
  globs: ['src/components/**/*.ts'],
  exclude: ['src/components/**/*.styles.ts'],
  outdir: '.',
  litelement: true,
  // package.json names custom-elements.json already; the freshness check must not rewrite it.
  packagejson: false,
};
