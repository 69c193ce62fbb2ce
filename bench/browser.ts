/**
 * Browser network cost: headless Chromium opens pages of 1, 3 and 30 elements, each page for its own
 * meeting, and watches one recording's whole life (start → recording → stop → uploading → uploaded, on
 * the simulator's fast clock) over the same fixed window; beside each, a page of as many naive
 * per-element pollers (page/naive.ts). Counted: the page's requests to the proxy and its event streams.
 * The recording is started and stopped by the host's backend (outside the pages), so every counted
 * request is the cost of watching. All six pages run at once, each in its own browser context.
 */
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { chromium } from 'playwright-core';
import type { Browser } from 'playwright-core';
import { CHROMIUM_ARGS, ensureChromium } from '../scripts/find-chromium.mjs';
import { bundle } from './lib/bundle.ts';
import { spawnStack } from './lib/child.ts';
import type { StackInfo } from './lib/child.ts';
import { Host } from './lib/host.ts';
import { occupiedMeeting, round, stackSecrets, untilAfter, waitFor } from './lib/measure.ts';
import { SimulatorClient } from './lib/upstream.ts';

const ELEMENT_COUNTS = [1, 3, 30];
const WINDOW_MS = 20_000;
const START_AT_MS = 1_000;
const STOP_AT_MS = 7_000;
/** Simulated clock speed: the 6 s of real recording are a minute of meeting. */
const SPEED = 10;

type Mode = 'kit' | 'naive';

export interface PageCost {
  elements: number;
  /** Requests the page sent to the proxy during the window. */
  requests: number;
  /** Event streams opened during the window. */
  streamsOpened: number;
  /** Most event streams open at the same time. */
  maxOpenStreams: number;
  /**
   * Seconds from the stop request to every watcher on the page showing the upload finished (the
   * simulated upload itself takes about 0.6 s of it).
   */
  uploadedSeenAfterStopSeconds: number;
}

export interface BrowserResults {
  windowSeconds: number;
  kit: PageCost[];
  naive: PageCost[];
  /** Naive requests ÷ kit requests, per element count. */
  naiveOverKit: Record<string, number>;
}

async function writePages(dir: string): Promise<void> {
  for (const mode of ['kit', 'naive'] as const) {
    await writeFile(join(dir, `${mode}.js`), await bundle(`import './bench/page/${mode}.ts';`));
    await writeFile(
      join(dir, `${mode}.html`),
      `<!doctype html><html lang="en"><meta charset="utf-8"><title>bench: ${mode}</title>` +
        `<script type="module" src="/${mode}.js"></script><body></body></html>`,
    );
  }
}

async function runPage(
  browser: Browser,
  stack: StackInfo,
  simulator: SimulatorClient,
  secret: string,
  mode: Mode,
  elements: number,
): Promise<PageCost> {
  const meeting = await occupiedMeeting(simulator);
  const host = await Host.of(stack.proxyUrl, meeting, secret);
  const context = await browser.newContext();
  try {
    const page = await context.newPage();
    let requests = 0;
    let streamsOpened = 0;
    let openStreams = 0;
    let maxOpenStreams = 0;
    const isStream = (url: string) => url.endsWith(`/meetings/${meeting}/events`);
    page.on('request', (request) => {
      if (!new URL(request.url()).pathname.startsWith('/api/')) return;
      requests += 1;
      if (!isStream(request.url())) return;
      streamsOpened += 1;
      maxOpenStreams = Math.max(maxOpenStreams, (openStreams += 1));
    });
    const ended = (request: { url(): string }) => {
      if (isStream(request.url())) openStreams -= 1;
    };
    page.on('requestfinished', ended);
    page.on('requestfailed', ended);

    const opened = performance.now();
    const query = new URLSearchParams({ meeting, token: host.token, count: String(elements) });
    await page.goto(`${stack.origin}/${mode}.html?${query}`);
    const visibility = await page.evaluate(() => document.visibilityState);
    if (visibility !== 'visible') throw new Error(`the ${mode} page is ${visibility}, not visible`);

    await untilAfter(opened, START_AT_MS);
    const id = await host.start();
    await untilAfter(opened, STOP_AT_MS);
    await host.stop(id);
    const stoppedAt = performance.now();
    await waitFor(`every watcher of the ${mode} page to see the upload finish`, async () =>
      (await page.evaluate(() => window.benchStatuses!())).every((status) => status === 'UPLOADED'),
    );
    const uploadedSeenAt = performance.now();
    await untilAfter(opened, WINDOW_MS);
    return {
      elements,
      requests,
      streamsOpened,
      maxOpenStreams,
      uploadedSeenAfterStopSeconds: round((uploadedSeenAt - stoppedAt) / 1000, 2),
    };
  } finally {
    await context.close();
  }
}

export async function measureBrowser(): Promise<BrowserResults> {
  const executablePath = ensureChromium();
  if (!executablePath) throw new Error('no Chromium to run the browser bench in');
  const dir = await mkdtemp(join(tmpdir(), 'drk-bench-'));
  const secrets = stackSecrets();
  let stack: Awaited<ReturnType<typeof spawnStack>> | undefined;
  let browser: Browser | undefined;
  try {
    await writePages(dir);
    stack = await spawnStack({ role: 'stack', ...secrets, speed: SPEED, staticDir: dir });
    const simulator = new SimulatorClient(stack.info.simulatorUrl, secrets.orgId, secrets.apiKey);
    await simulator.registerWebhook(`${stack.info.proxyUrl}/webhooks`);
    browser = await chromium.launch({ executablePath, args: CHROMIUM_ARGS, headless: true });
    const run = (mode: Mode) =>
      ELEMENT_COUNTS.map((count) =>
        runPage(browser!, stack!.info, simulator, secrets.tokenSecret, mode, count),
      );
    const [kit, naive] = await Promise.all([Promise.all(run('kit')), Promise.all(run('naive'))]);
    return {
      windowSeconds: WINDOW_MS / 1000,
      kit,
      naive,
      naiveOverKit: Object.fromEntries(
        ELEMENT_COUNTS.map((count, i) => [String(count), round(naive[i]!.requests / kit[i]!.requests)]),
      ),
    };
  } finally {
    await browser?.close();
    await stack?.close();
    await rm(dir, { recursive: true, force: true });
  }
}
