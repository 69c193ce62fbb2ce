// `npm test`: type check, lint, node tests, browser tests, end-to-end tests. Runs every stage, prints
// what each counted, and ends with one "N passed, N failed" line; exits non-zero when anything failed.
// `node scripts/test.mjs node|browser|e2e|static [files…]` runs one stage.
import { spawn } from 'node:child_process';
import { mkdtempSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ensureRedis } from './ensure-redis.mjs';
import { ensureChromium } from './find-chromium.mjs';

const NODE_TEST_DIRS = ['test/core', 'test/simulator', 'test/proxy', 'test/cli', 'test/package'];
const BROWSER_TEST_DIRS = ['test/client', 'test/components'];
const E2E_TEST_DIRS = ['test/e2e'];

function testFiles(dirs) {
  const files = [];
  const walk = (dir) => {
    for (const entry of readdirSync(dir)) {
      const path = join(dir, entry);
      if (statSync(path).isDirectory()) walk(path);
      else if (/\.test\.ts$/.test(entry)) files.push(path);
    }
  };
  for (const dir of dirs) {
    try {
      walk(dir);
    } catch (error) {
      if (error.code !== 'ENOENT') throw error;
    }
  }
  return files.sort();
}

function run(command, args, env = {}) {
  return new Promise((resolve) => {
    let output = '';
    const child = spawn(command, args, {
      env: { ...process.env, ...env },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    child.stdout.on('data', (chunk) => {
      output += chunk;
      process.stdout.write(chunk);
    });
    child.stderr.on('data', (chunk) => {
      output += chunk;
      process.stderr.write(chunk);
    });
    child.on('close', (code) => resolve({ code: code ?? 1, output }));
  });
}

/** Node's runner: spec to the terminal, TAP to a file we read the counts from. */
async function nodeTests(files, env = {}) {
  if (files.length === 0) return { passed: 0, failed: 0 };
  const tap = join(mkdtempSync(join(tmpdir(), 'drk-test-')), 'results.tap');
  const { code } = await run(
    process.execPath,
    [
      '--import',
      'tsx',
      '--test',
      '--test-reporter=spec',
      '--test-reporter-destination=stdout',
      '--test-reporter=tap',
      `--test-reporter-destination=${tap}`,
      ...files,
    ],
    env,
  );
  const text = readFileSync(tap, 'utf8');
  const count = (name) => Number(new RegExp(`^# ${name} (\\d+)$`, 'm').exec(text)?.[1] ?? 0);
  const failed = count('fail') + count('cancelled');
  return { passed: count('pass'), failed: failed || (code === 0 ? 0 : 1) };
}

async function staticChecks() {
  const steps = [
    ['tsc', ['--noEmit']],
    ['eslint', ['.']],
    ['prettier', ['--check', '.']],
    ['node', ['scripts/check-manifest.mjs']],
  ];
  let failed = 0;
  for (const [bin, args] of steps) {
    console.log(`\n── ${bin} ${args.join(' ')}`);
    const { code } = await run(bin === 'node' ? process.execPath : join('node_modules', '.bin', bin), args);
    if (code !== 0) failed += 1;
  }
  return { passed: steps.length - failed, failed };
}

async function browserTests(files) {
  if (files.length === 0) return { passed: 0, failed: 0 };
  const chrome = ensureChromium();
  if (!chrome) return { passed: 0, failed: 1 };
  const { code, output } = await run(
    join('node_modules', '.bin', 'wtr'),
    files.length ? ['--files', ...files] : [],
    {
      CHROME_PATH: chrome,
    },
  );
  const counts = [...output.matchAll(/(\d+) passed, (\d+) failed/g)].at(-1);
  const passed = Number(counts?.[1] ?? 0);
  const failed = Number(counts?.[2] ?? 0);
  return { passed, failed: failed || (code === 0 ? 0 : 1) };
}

async function e2eTests(files) {
  if (files.length === 0) return { passed: 0, failed: 0 };
  const chrome = ensureChromium();
  if (!chrome) return { passed: 0, failed: 1 };
  return nodeTests(files, { CHROME_PATH: chrome });
}

const STAGES = {
  static: () => staticChecks(),
  node: (files) => {
    const chosen = files ?? testFiles(NODE_TEST_DIRS);
    // The multi-instance tests start their own redis-server.
    if (chosen.some((file) => readFileSync(file, 'utf8').includes("from './redis.ts'"))) ensureRedis();
    return nodeTests(chosen);
  },
  browser: (files) => browserTests(files ?? testFiles(BROWSER_TEST_DIRS)),
  e2e: (files) => e2eTests(files ?? testFiles(E2E_TEST_DIRS)),
};

const [only, ...files] = process.argv.slice(2);
if (only && !(only in STAGES)) {
  console.error(`Unknown stage "${only}". Stages: ${Object.keys(STAGES).join(', ')}.`);
  process.exit(2);
}
const totals = { passed: 0, failed: 0 };
const report = [];
for (const name of only ? [only] : Object.keys(STAGES)) {
  console.log(`\n══ ${name}`);
  const result = await STAGES[name](files.length ? files : undefined);
  totals.passed += result.passed;
  totals.failed += result.failed;
  report.push(`${name}: ${result.passed} passed, ${result.failed} failed`);
}
console.log(`\n${report.join('\n')}`);
console.log(`total: ${totals.passed} passed, ${totals.failed} failed`);
process.exit(totals.failed === 0 ? 0 : 1);
