// esbuild's options for everything built to run on Node (the server, the command, the bench's
// servers): one ES module per entry point for Node 20, the dependencies left to node_modules.
export const NODE_BUILD = {
  bundle: true,
  platform: 'node',
  format: 'esm',
  target: 'node20',
  packages: 'external',
  logLevel: 'warning',
};
