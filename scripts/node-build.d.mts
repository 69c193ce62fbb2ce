import type { BuildOptions } from 'esbuild';

/** esbuild's options for everything built to run on Node: one ES module per entry point, dependencies external. */
export const NODE_BUILD: BuildOptions;
