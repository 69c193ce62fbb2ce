/**
 * End to end, as a newcomer would see it: `npm start`'s server (simulator + proxy + demo pages) in a
 * child process, driven through headless Chromium. Every state is screenshotted into test-artifacts/e2e.
 */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import type { Browser, Page, Request } from 'playwright-core';
import {
  ARTIFACTS,
  clickPart,
  launchBrowser,
  meetingId,
  partText,
  screenshot,
  startDemoServer,
  statusIs,
  statusLabel,
  until,
} from './harness.ts';
import type { DemoServer } from './harness.ts';

/** A second page must see what the first one saw within this long. */
const FOLLOW_MS = 1000;
/** The demo's start lag is 2 s and its upload 2 s (plus as much per recorded minute). */
const START_MS = 6000;
const UPLOAD_MS = 10_000;
const MIN_SECONDS = 6;

let server: DemoServer;
let browser: Browser;

async function open(path: string): Promise<Page> {
  const page = await browser.newPage({ viewport: { width: 1280, height: 760 } });
  page.on('pageerror', (error) => console.error(`page error on ${path}: ${error.message}`));
  await page.goto(new URL(path, server.url).href);
  await statusIs(page, 'Not recording', 15_000);
  return page;
}

/** The elapsed seconds the status shows (from its <time datetime="PT…S">), null when there is none. */
function timerSeconds(page: Page): Promise<number | null> {
  return page.evaluate(() => {
    const time = document.querySelector('dyte-recording-status')?.shadowRoot?.querySelector('[part=timer]');
    const match = /^PT(\d+)S$/.exec(time?.getAttribute('datetime') ?? '');
    return match ? Number(match[1]) : null;
  });
}

/** The status texts of the list's items, newest first. */
function listStatuses(page: Page): Promise<string[]> {
  return page.evaluate(() =>
    [
      ...(document.querySelector('dyte-recording-list')?.shadowRoot?.querySelectorAll('[part=item]') ?? []),
    ].map((item) => item.querySelector('[part=status]')?.textContent?.trim() ?? ''),
  );
}

/** Waits for `label` on `page`, then on every follower within FOLLOW_MS. */
async function everyoneSees(page: Page, followers: Page[], label: string, timeoutMs: number) {
  await statusIs(page, label, timeoutMs);
  await Promise.all(followers.map((follower) => statusIs(follower, label, FOLLOW_MS)));
}

/**
 * Record → Starting… → REC with a ticking timer → Stop → confirm → Saving → Saved, and the list gains
 * the recording; `followers` must see each server-side state within a second.
 */
async function recordAndSave(page: Page, name: string, followers: Page[] = []) {
  const listedBefore = (await listStatuses(page)).length;
  await clickPart(page, 'dyte-record-button', 'button');
  await everyoneSees(page, followers, 'Starting…', 2000);
  await screenshot(page, `${name}-1-starting`);

  await everyoneSees(page, followers, 'REC', START_MS);
  const first = await until(
    'the timer',
    () => timerSeconds(page),
    (s) => s !== null,
    2000,
  );
  const firstAt = Date.now();
  await until(
    'the timer to tick twice',
    () => timerSeconds(page),
    (s) => s !== null && s >= first! + 2,
    3500,
  );
  assert.ok(Date.now() - firstAt >= 1000, 'the timer ticks in real seconds, not faster');
  await screenshot(page, `${name}-2-recording`);
  // Like Dyte, the simulator fails recordings shorter than about 5 s.
  await until(
    'a long enough recording',
    () => timerSeconds(page),
    (s) => s !== null && s >= MIN_SECONDS,
    6000,
  );

  await clickPart(page, 'dyte-record-button', 'button');
  await until('the confirm step', () => partText(page, 'dyte-record-button', 'confirm'), Boolean, 2000);
  assert.equal(await statusLabel(page), 'REC', 'asking does not stop anything yet');
  await screenshot(page, `${name}-3-confirm`);
  await clickPart(page, 'dyte-record-button', 'confirm-stop');

  await everyoneSees(page, followers, 'Saving the recording…', 3000);
  await screenshot(page, `${name}-4-uploading`);
  await everyoneSees(page, followers, 'Recording saved', UPLOAD_MS);
  for (const viewer of [page, ...followers]) {
    await until(
      'the list to gain the saved recording',
      () => listStatuses(viewer),
      (statuses) => statuses.length === listedBefore + 1 && statuses[0] === 'Saved',
      FOLLOW_MS,
    );
  }
  await screenshot(page, `${name}-5-saved`);
}

/** The link the list's next download click hands out (the page's navigation to it is cancelled). */
async function downloadLink(page: Page): Promise<string> {
  await page.evaluate(() => {
    document.addEventListener(
      'dyte-recording-download',
      (event) => {
        event.preventDefault();
        document.body.dataset.download = event.detail.url;
      },
      { once: true },
    );
  });
  await clickPart(page, 'dyte-recording-list', 'download');
  return until(
    'a download link',
    () => page.evaluate(() => document.body.dataset.download ?? ''),
    Boolean,
    5000,
  );
}

describe('the demo (npm start)', () => {
  before(async () => {
    server = await startDemoServer();
    browser = await launchBrowser();
  });

  after(async () => {
    await browser?.close();
    await server?.stop();
  });

  it('lets the host record, stop after confirming and download a playable file, while a viewer follows', async () => {
    const meeting = meetingId('html');
    const host = await open(`/?meeting=${meeting}`);
    const viewer = await open(`/?meeting=${meeting}&role=viewer`);
    await screenshot(host, 'html-0-idle');

    // The viewer's record button is shown disabled, with the reason, and does nothing: no start request
    // leaves the page (counted as the browser sends them, up to a later request sent after the click).
    const viewerButton = viewer.locator('dyte-record-button [part=button]');
    assert.equal(await viewerButton.getAttribute('aria-disabled'), 'true');
    assert.match(await partText(viewer, 'dyte-record-button', 'explanation'), /permission/);
    const sent: string[] = [];
    const onRequest = (request: Request) =>
      sent.push(`${request.method()} ${new URL(request.url()).pathname}`);
    viewer.on('request', onRequest);
    await viewerButton.click({ force: true });
    const marker = `/api/health?after-click=${Date.now()}`;
    await viewer.evaluate((url) => fetch(url).then((response) => response.status), marker);
    viewer.off('request', onRequest);
    assert.ok(sent.includes('GET /api/health'), `the marker request was seen: ${JSON.stringify(sent)}`);
    assert.deepEqual(
      sent.filter((request) => request.startsWith('POST')),
      [],
      'the disabled button sent no start request',
    );
    assert.equal(await statusLabel(viewer), 'Not recording');
    assert.equal(await statusLabel(host), 'Not recording');
    await screenshot(viewer, 'html-0-viewer');

    await recordAndSave(host, 'html', [viewer]);
    await screenshot(viewer, 'html-5-viewer-saved');

    const url = await downloadLink(host);
    const response = await fetch(url);
    assert.equal(response.status, 200);
    const bytes = Buffer.from(await response.arrayBuffer());
    assert.equal(bytes.subarray(4, 8).toString('latin1'), 'ftyp', 'an MP4 file starts with its ftyp box');
    const video = await host.evaluate(
      (src) =>
        new Promise<{ duration: number; width: number }>((resolve, reject) => {
          const element = document.createElement('video');
          element.muted = true;
          element.onloadedmetadata = () => resolve({ duration: element.duration, width: element.videoWidth });
          element.onerror = () => reject(new Error(`the video does not load (${element.error?.code})`));
          element.src = src;
        }),
      url,
    );
    assert.ok(video.duration > 0 && video.width > 0, `a playable video: ${JSON.stringify(video)}`);

    // The viewer may download too (the proxy's default).
    assert.equal((await fetch(await downloadLink(viewer), { method: 'HEAD' })).status, 200);
    await host.close();
    await viewer.close();
  });

  it('tells the viewer once that the host records, shows the host who acknowledged, and plays the recording inline', async () => {
    const meeting = meetingId('notice');
    const host = await open(`/?meeting=${meeting}`);
    const viewer = await open(`/?meeting=${meeting}&role=viewer`);
    assert.equal(await host.locator('dyte-recording-notice').count(), 0, 'the host needs no notice');
    await clickPart(host, 'dyte-record-button', 'button');
    await statusIs(host, 'REC', START_MS);

    const notice = viewer.locator('dyte-recording-notice [part=notice]');
    await notice.waitFor({ state: 'visible', timeout: 3000 });
    assert.equal(await partText(viewer, 'dyte-recording-notice', 'title'), 'This meeting is being recorded');
    assert.match(await partText(viewer, 'dyte-recording-notice', 'detail'), /^Started by Ana Ortiz on /);
    await screenshot(viewer, 'notice-1-viewer');
    await viewer.getByRole('button', { name: 'Got it' }).click();
    await notice.waitFor({ state: 'detached', timeout: 2000 });
    await until(
      "the acknowledgement in the host's list",
      () => partText(host, 'dyte-recording-list', 'acknowledged'),
      (text) => text === '1 acknowledged: Sam Lee',
      3000,
    );
    await until(
      "the count, without names, in the viewer's list",
      () => partText(viewer, 'dyte-recording-list', 'acknowledged'),
      (text) => text === '1 acknowledged',
      FOLLOW_MS,
    );
    await screenshot(host, 'notice-2-host-count');
    // Not asked again after a reload.
    await viewer.reload();
    await statusIs(viewer, 'REC', 5000);
    await viewer.waitForTimeout(500);
    assert.equal(await viewer.locator('dyte-recording-notice [part=notice]').count(), 0);

    await until(
      'a long enough recording',
      () => timerSeconds(host),
      (s) => s !== null && s >= MIN_SECONDS,
      8000,
    );
    await clickPart(host, 'dyte-record-button', 'button');
    await clickPart(host, 'dyte-record-button', 'confirm-stop');
    await statusIs(host, 'Recording saved', UPLOAD_MS);

    await clickPart(host, 'dyte-recording-list', 'play');
    const video = host.locator('dyte-recording-list [part=player] video');
    await video.waitFor({ timeout: 3000 });
    const readVideo = () =>
      video.evaluate((element: HTMLVideoElement) => ({
        ready: element.readyState,
        time: element.currentTime,
      }));
    await until('the video to load', readVideo, (v) => v.ready >= 2, 5000);
    await video.evaluate((element: HTMLVideoElement) => {
      element.muted = true;
      return element.play();
    });
    await until('the video to play', readVideo, (v) => v.time > 0.2, 5000);
    await host.locator('aside.panel').screenshot({ path: `${ARTIFACTS}player-1-host.png` });
    await host.keyboard.press('Escape');
    await video.waitFor({ state: 'detached', timeout: 2000 });
    await host.close();
    await viewer.close();
  });

  it('shows a clear error while the upstream fails, and records again once it is back', async () => {
    const page = await open(`/?meeting=${meetingId('outage')}`);
    await page.getByRole('button', { name: 'Inject upstream failure' }).click();
    await page.getByRole('button', { name: 'Restore upstream', pressed: true }).waitFor();
    await page.evaluate(() => {
      document.addEventListener('dyte-recording-error', (event) => {
        document.body.dataset.error = event.detail.code;
      });
    });

    await clickPart(page, 'dyte-record-button', 'button');
    const message = await until(
      'the error',
      () => partText(page, 'dyte-record-button', 'error'),
      Boolean,
      10_000,
    );
    assert.match(message, /unavailable|failed|try again/i);
    assert.equal(await page.evaluate(() => document.body.dataset.error), 'upstream_unavailable');
    await statusIs(page, 'Not recording', 2000);
    await screenshot(page, 'outage-1-error');

    await page.getByRole('button', { name: 'Restore upstream' }).click();
    await page.getByRole('button', { name: 'Inject upstream failure', pressed: false }).waitFor();
    await clickPart(page, 'dyte-record-button', 'button');
    await statusIs(page, 'REC', START_MS);
    assert.equal(await partText(page, 'dyte-record-button', 'error'), '', 'the error is gone');
    await screenshot(page, 'outage-2-recovered');
    await page.close();
  });

  it('counts down when everyone leaves, then stops and says why', async () => {
    const page = await open(`/?meeting=${meetingId('empty')}`);
    await clickPart(page, 'dyte-record-button', 'button');
    await statusIs(page, 'REC', START_MS);
    const remove = page.getByRole('button', { name: 'Remove participant' });
    while (await remove.isEnabled()) {
      await remove.click();
      await page.waitForTimeout(100);
    }
    await page.getByText('Everyone left.').waitFor();
    const warning = await until(
      'the empty-room countdown',
      () => partText(page, 'dyte-recording-status', 'warning'),
      (text) => /The room is empty: stops in 0:(1\d|20)/.test(text),
      3000,
    );
    assert.match(warning, /stops in/);
    await screenshot(page, 'empty-1-countdown');
    await statusIs(page, 'Saving the recording…', 25_000);
    assert.equal(await partText(page, 'dyte-recording-status', 'detail'), 'Stopped: everyone left');
    await statusIs(page, 'Recording saved', UPLOAD_MS);
    await screenshot(page, 'empty-2-stopped');
    // The demo's simulator transcribes: the ended session's transcript and summary follow.
    await until(
      'the transcript and summary',
      () =>
        page.evaluate(() =>
          [
            ...(document
              .querySelector('dyte-recording-list')
              ?.shadowRoot?.querySelectorAll('[part=download]') ?? []),
          ].map((button) => button.textContent?.trim()),
        ),
      (labels) => labels.includes('Transcript') && labels.includes('Summary'),
      15_000,
    );
    await until(
      'the summary inline',
      () => partText(page, 'dyte-recording-list', 'summary'),
      (text) => /agreed/.test(text),
      5000,
    );
    await screenshot(page, 'empty-3-transcript');
    await page.close();
  });

  for (const [framework, path] of [
    ['React', '/react/'],
    ['Vue', '/vue/'],
  ] as const) {
    it(`passes the same flow on the ${framework} page, with its typed event callbacks`, async () => {
      const name = framework.toLowerCase();
      const page = await open(`${path}?meeting=${meetingId(name)}`);
      await recordAndSave(page, name);
      const log = await page.locator('.events li').allTextContents();
      assert.ok(
        log.some((line) => line.includes('dyte-recording-start: ')),
        `start logged: ${log}`,
      );
      assert.ok(
        log.some((line) => line.includes('dyte-recording-stop: ')),
        `stop logged: ${log}`,
      );
      await page.close();
    });
  }
});
