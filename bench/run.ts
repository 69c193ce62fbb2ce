/**
 * `npm run bench`: every benchmark of issue 6 in turn, on 127.0.0.1 only; prints the figures, writes
 * bench/results.json and regenerates the figures of bench/README.md. The budgets are reported, not
 * enforced: the exit code says only whether every measurement ran.
 */
import { readFile, writeFile } from 'node:fs/promises';
import os from 'node:os';
import { performance } from 'node:perf_hooks';
import * as prettier from 'prettier';
import { measureAmplification } from './amplification.ts';
import { measureBrowser } from './browser.ts';
import { measureFanout } from './fanout.ts';
import { measureInstances } from './instances.ts';
import { round } from './lib/measure.ts';
import { checkBudgets, renderFigures } from './report.ts';
import type { BenchResults, Machine } from './report.ts';
import { measureSizes } from './size.ts';
import { measureThroughput } from './throughput.ts';

const COMMAND = 'npm run bench';
const RESULTS = new URL('./results.json', import.meta.url);
const README = new URL('./README.md', import.meta.url);
const START_MARK = '<!-- figures:start -->';
const END_MARK = '<!-- figures:end -->';

async function section<T>(name: string, measure: () => Promise<T>): Promise<T> {
  const started = performance.now();
  process.stdout.write(`${name}… `);
  const result = await measure();
  console.log(`${round((performance.now() - started) / 1000)} s`);
  return result;
}

async function updateReadme(figures: string): Promise<void> {
  const path = README.pathname;
  const text = await readFile(README, 'utf8');
  const start = text.indexOf(START_MARK);
  const end = text.indexOf(END_MARK);
  if (start === -1 || end < start)
    throw new Error(`${path} has lost its ${START_MARK} … ${END_MARK} markers`);
  const updated = `${text.slice(0, start + START_MARK.length)}\n\n${figures}\n${text.slice(end)}`;
  const options = await prettier.resolveConfig(path);
  await writeFile(README, await prettier.format(updated, { ...options, filepath: path }));
}

const machine: Machine = {
  availableParallelism: os.availableParallelism(),
  cpuModel: os.cpus()[0]?.model ?? 'unknown',
  memoryGiB: round(os.totalmem() / 2 ** 30),
  node: process.version,
  platform: `${os.platform()} ${os.arch()}`,
  loadAverageAtStart: os.loadavg().map((load) => round(load, 2)),
};
console.log(
  `${machine.availableParallelism} cores (os.availableParallelism()), load average ${machine.loadAverageAtStart.join(' / ')}`,
);
const started = performance.now();
const size = await section('size', measureSizes);
const browser = await section('browser network cost', measureBrowser);
const amplification = await section('upstream amplification', measureAmplification);
const { memory, fanout, rawFanout, manyStreams } = await section(
  'fan-out latency and memory per stream (1,000 and 10,000 streams, beside a bare SSE server)',
  measureFanout,
);
const throughput = await section('proxy throughput', measureThroughput);
const instances = await section('several instances on one Redis', measureInstances);
const run = {
  generatedAt: new Date().toISOString(),
  command: COMMAND,
  durationSeconds: Math.round((performance.now() - started) / 1000),
  machine,
};
const measures = {
  size,
  browser,
  amplification,
  fanout,
  rawFanout,
  manyStreams,
  throughput,
  memory,
  instances,
};
// Budgets right after the machine, so the JSON reads top-down like the README.
const results: BenchResults = { ...run, budgets: checkBudgets({ ...run, ...measures }), ...measures };
const figures = renderFigures(results);
await writeFile(RESULTS, `${JSON.stringify(results, null, 2)}\n`);
await updateReadme(figures);
console.log(`\n${figures}\nWrote bench/results.json and the figures of bench/README.md.`);
