/**
 * Size: each entry bundled by esbuild (ES module, minified, for es2022), then gzip level 9. The kit's
 * own elements get their Lit decorators compiled away first, as the library build does. "Without Lit"
 * leaves `lit` and `@lit/*` external, exactly what the library build (vite.config.ts) leaves to the
 * host page. Dyte's UI kit is measured the same way, from its standalone custom-element modules,
 * with everything they import.
 */
import { readFile } from 'node:fs/promises';
import { gzipSync } from 'node:zlib';
import { bundle } from './lib/bundle.ts';
import { round } from './lib/measure.ts';

const LIT = ['lit', 'lit/*', '@lit/*'];

export interface BundleSize {
  minifiedBytes: number;
  gzipBytes: number;
}

export interface SizeResults {
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
};
const DYTE_ELEMENTS = ['dyte-recording-toggle', 'dyte-recording-indicator'];

async function measure(contents: string, external: string[] = []): Promise<BundleSize> {
  const code = await bundle(contents, external);
  return { minifiedBytes: code.byteLength, gzipBytes: gzipSync(code, { level: 9 }).byteLength };
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
    kit,
    elements,
    dyteUiKit: { version, toggleAndIndicator, elements: dyteElements },
    dyteOverKitWithLit: round(toggleAndIndicator.gzipBytes / kit.withLit.gzipBytes, 2),
    dyteOverKitWithoutLit: round(toggleAndIndicator.gzipBytes / kit.withoutLit.gzipBytes, 2),
  };
}
