/**
 * What the end-to-end tests share: the `npm start` server as a child process, headless Chromium,
 * readers of the elements' shadow DOM, polling with deadlines, and screenshots into test-artifacts/.
 */
import { spawn } from 'node:child_process';
import type { ChildProcess } from 'node:child_process';
import { mkdirSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { chromium } from 'playwright-core';
import type { Browser, Page } from 'playwright-core';
import { CHROMIUM_ARGS, findChromium } from '../../scripts/find-chromium.mjs';

const ROOT = fileURLToPath(new URL('../../', import.meta.url));
export const ARTIFACTS = `${ROOT}test-artifacts/e2e/`;
const START_TIMEOUT_MS = 60_000;

export interface DemoServer {
  url: string;
  /** Everything the server wrote, for failure messages. */
  output(): string;
  stop(): Promise<void>;
}

/**
 * Runs `dyte-recording-kit dev` on a free port, as `npm start` does, and waits for its URL. Without
 * watching: an edit of a source file elsewhere must not reload the pages in the middle of a test.
 */
export async function startDemoServer(): Promise<DemoServer> {
  const child = spawn(process.execPath, ['bin/dyte-recording-kit.js', 'dev', '--no-watch'], {
    cwd: ROOT,
    env: { ...process.env, PORT: '0' },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let output = '';
  const url = await new Promise<string>((resolve, reject) => {
    const timer = setTimeout(() => fail(new Error('no URL printed in time')), START_TIMEOUT_MS);
    const fail = (error: Error) => {
      clearTimeout(timer);
      child.kill('SIGKILL');
      reject(new Error(`The demo server did not start: ${error.message}\n${output}`));
    };
    const read = (chunk: Buffer) => {
      output += chunk.toString();
      const found = /Demo meeting: (http:\/\/\S+\/)/.exec(output);
      if (found) {
        clearTimeout(timer);
        resolve(found[1]!);
      }
    };
    child.stdout!.on('data', read);
    child.stderr!.on('data', read);
    child.once('exit', (code) => fail(new Error(`it exited with ${code}`)));
    child.once('error', fail);
  });
  return { url, output: () => output, stop: () => stopChild(child) };
}

/** SIGTERM (the server closes everything), SIGKILL if it has not exited within 5 s. */
async function stopChild(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return;
  const exited = new Promise((resolve) => child.once('exit', resolve));
  child.kill('SIGTERM');
  const timer = setTimeout(() => child.kill('SIGKILL'), 5000);
  await exited;
  clearTimeout(timer);
}

export async function launchBrowser(): Promise<Browser> {
  const executablePath = findChromium();
  if (!executablePath) throw new Error('No Chromium: set CHROME_PATH or install chromium.');
  return chromium.launch({ executablePath, args: CHROMIUM_ARGS });
}

/** A fresh meeting per test, so tests never see each other's recordings. */
export function meetingId(name: string): string {
  return `e2e-${name}-${Date.now().toString(36)}`;
}

/** Polls `read` until `ok` holds; fails after `timeoutMs` saying what was awaited and what was seen last. */
export async function until<T>(
  what: string,
  read: () => Promise<T>,
  ok: (value: T) => boolean,
  timeoutMs: number,
): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  let last: T | undefined;
  for (;;) {
    last = await read();
    if (ok(last)) return last;
    if (Date.now() > deadline) {
      throw new Error(
        `Timed out after ${timeoutMs} ms waiting for ${what}; last seen: ${JSON.stringify(last)}`,
      );
    }
    await new Promise((resolve) => setTimeout(resolve, 25));
  }
}

/** Text of a part inside an element's shadow root, '' when absent. */
export async function partText(page: Page, element: string, part: string): Promise<string> {
  return page.evaluate(
    ([tag, name]) =>
      document.querySelector(tag!)?.shadowRoot?.querySelector(`[part~=${name}]`)?.textContent?.trim() ?? '',
    [element, part],
  );
}

/** The status element's main text: "Not recording", "Starting…", "REC", "Saving the recording…", … */
export const statusLabel = (page: Page) => partText(page, 'dyte-recording-status', 'label');

/** Waits until the status label reads `label`. */
export function statusIs(page: Page, label: string, timeoutMs: number): Promise<string> {
  return until(
    `status "${label}"`,
    () => statusLabel(page),
    (text) => text === label,
    timeoutMs,
  );
}

/** Clicks a part inside an element's shadow root (Playwright's CSS pierces open shadow roots). */
export async function clickPart(page: Page, element: string, part: string): Promise<void> {
  await page.locator(`${element} [part~=${part}]`).first().click();
}

export async function screenshot(page: Page, name: string): Promise<void> {
  mkdirSync(ARTIFACTS, { recursive: true });
  await page.screenshot({ path: `${ARTIFACTS}${name}.png` });
}
