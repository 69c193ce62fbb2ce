/**
 * Size: each entry bundled by esbuild (ES module, minified, for es2022), then gzip level 9. The kit's
 * own elements get their Lit decorators compiled away first, as the library build does. "Without Lit"
 * leaves `lit` and `@lit/*` external, exactly what the library build (vite.config.ts) leaves to the
 * host page. Dyte's UI kit is measured the same way, from its standalone custom-element modules,
 * with everything they import.
 */
import { execFile } from 'node:child_process';
import { readFile } from 'node:fs/promises';
import { promisify } from 'node:util';
import { gzipSync } from 'node:zlib';
import { bundle } from './lib/bundle.ts';
import { round } from './lib/measure.ts';

const LIT = ['lit', 'lit/*', '@lit/*'];

export interface BundleSize {
  minifiedBytes: number;
  gzipBytes: number;
}

export interface SizeResults {
  /**
   * The shipped single-module artifacts of `npm run build` (Vite/Rollup, the files users load): what the
   * budgets judge. `kit` and `elements` below are esbuild bundles, made the same way as Dyte's.
   */
  shipped: { withLit: BundleSize; withoutLit: BundleSize };
  kit: { withLit: BundleSize; withoutLit: BundleSize };
  elements: Record<string, { withLit: BundleSize; withoutLit: BundleSize }>;
  dyteUiKit: {
    version: string;
    /** dyte-recording-toggle + dyte-recording-indicator together. */
    toggleAndIndicator: BundleSize;
    elements: Record<string, BundleSize>;
  };
  /** Dyte's pair (gzip) ÷ the whole kit with Lit (gzip). */
  dyteOverKitWithLit: number;
  dyteOverKitWithoutLit: number;
}

const KIT_ELEMENTS: Record<string, string> = {
  'dyte-record-button': 'src/components/record-button/record-button.ts',
  'dyte-recording-status': 'src/components/recording-status/recording-status.ts',
  'dyte-recording-list': 'src/components/recording-list/recording-list.ts',
  'dyte-recording-notice': 'src/components/recording-notice/recording-notice.ts',
};
const DYTE_ELEMENTS = ['dyte-recording-toggle', 'dyte-recording-indicator'];

const sizeOf = (code: Uint8Array): BundleSize => ({
  minifiedBytes: code.byteLength,
  gzipBytes: gzipSync(code, { level: 9 }).byteLength,
});

async function measure(contents: string, external: string[] = []): Promise<BundleSize> {
  return sizeOf(await bundle(contents, external));
}

/** Runs the library build and measures its two single-module artifacts. */
async function measureShipped(): Promise<SizeResults['shipped']> {
  const root = new URL('..', import.meta.url);
  await promisify(execFile)(process.execPath, ['scripts/build.mjs'], { cwd: root });
  const artifact = async (name: string) => sizeOf(await readFile(new URL(`dist/${name}`, root)));
  return {
    withLit: await artifact('dyte-recording-kit.js'),
    withoutLit: await artifact('dyte-recording-kit.lit-external.js'),
  };
}

/** An entry that keeps every export of `path` (as an app importing the module would). */
const reexport = (path: string) => `export * from './${path}';`;

const defineDyte = (names: string[]) =>
  names
    .map((name, i) => `import { defineCustomElement as d${i} } from '@dytesdk/ui-kit/components/${name}';`)
    .join('\n') + `\n${names.map((_, i) => `d${i}();`).join(' ')}`;

async function kitSizes(path: string) {
  return { withLit: await measure(reexport(path)), withoutLit: await measure(reexport(path), LIT) };
}

export async function measureSizes(): Promise<SizeResults> {
  const shipped = await measureShipped();
  const kit = await kitSizes('src/index.ts');
  const elements: SizeResults['elements'] = {};
  for (const [tag, path] of Object.entries(KIT_ELEMENTS)) elements[tag] = await kitSizes(path);
  const dyteElements: Record<string, BundleSize> = {};
  for (const name of DYTE_ELEMENTS) dyteElements[name] = await measure(defineDyte([name]));
  const toggleAndIndicator = await measure(defineDyte(DYTE_ELEMENTS));
  const { version } = JSON.parse(
    await readFile(new URL('../node_modules/@dytesdk/ui-kit/package.json', import.meta.url), 'utf8'),
  ) as { version: string };
  return {
    shipped,
    kit,
    elements,
    dyteUiKit: { version, toggleAndIndicator, elements: dyteElements },
    dyteOverKitWithLit: round(toggleAndIndicator.gzipBytes / kit.withLit.gzipBytes, 2),
    dyteOverKitWithoutLit: round(toggleAndIndicator.gzipBytes / kit.withoutLit.gzipBytes, 2),
  };
}
