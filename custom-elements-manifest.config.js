// `npm run analyze`: custom-elements.json from the elements' JSDoc (scripts/check-manifest.mjs checks it is fresh).

/** Where each source module ships: the manifest names the files a package user imports. */
const SHIPPED = {
  'src/components/live-element.ts': 'dist/esm/index.js',
  'src/components/record-button/record-button.ts': 'dist/esm/record-button.js',
  'src/components/recording-status/recording-status.ts': 'dist/esm/recording-status.js',
  'src/components/recording-list/recording-list.ts': 'dist/esm/recording-list.js',
  'src/components/recording-notice/recording-notice.ts': 'dist/esm/recording-notice.js',
};
const shipped = (path) => SHIPPED[path.replace(/^\//, '')] ?? path;

/** The elements register through `define('tag', Class)` (src/components/define.ts): their tags come from it. */
function defineCalls() {
  return {
    name: 'dyte-define-calls',
    analyzePhase({ ts, node, moduleDoc }) {
      if (
        !ts.isCallExpression(node) ||
        !ts.isIdentifier(node.expression) ||
        node.expression.text !== 'define'
      )
        return;
      const [tag, element] = node.arguments;
      if (!tag || !ts.isStringLiteral(tag) || !element || !ts.isIdentifier(element)) return;
      const declaration = moduleDoc.declarations?.find((d) => d.name === element.text);
      if (!declaration) return;
      Object.assign(declaration, { tagName: tag.text, customElement: true });
      moduleDoc.exports = [
        ...(moduleDoc.exports ?? []),
        {
          kind: 'custom-element-definition',
          name: tag.text,
          declaration: { name: element.text, module: moduleDoc.path },
        },
      ];
    },
  };
}

/** Module paths to the shipped dist/ files, and private members (`#x`, TypeScript `private`) left out. */
function shippedAndPublic() {
  const remap = (reference) => reference?.module && (reference.module = shipped(reference.module));
  return {
    name: 'dyte-shipped-and-public',
    packageLinkPhase({ customElementsManifest }) {
      for (const module of customElementsManifest.modules) {
        module.path = shipped(module.path);
        for (const declaration of module.declarations ?? []) {
          remap(declaration.superclass);
          declaration.members = declaration.members?.filter(
            (member) => !member.name.startsWith('#') && member.privacy !== 'private',
          );
          for (const item of [
            ...(declaration.members ?? []),
            ...(declaration.attributes ?? []),
            ...(declaration.events ?? []),
          ])
            remap(item.inheritedFrom);
        }
        for (const exported of module.exports ?? []) remap(exported.declaration);
      }
    },
  };
}

export default {
  globs: ['src/components/**/*.ts'],
  exclude: ['src/components/**/*.styles.ts', 'src/components/define.ts'],
  outdir: '.',
  litelement: true,
  // package.json names custom-elements.json already; the freshness check must not rewrite it.
  packagejson: false,
  plugins: [defineCalls(), shippedAndPublic()],
};
