// Helpers of the element tests: connecting an element to a scripted meeting, parts, Lit warnings, a
// fake clock for the shared ticker.
import { expect } from '@open-wc/testing';
import type { ReactiveElement } from 'lit';
import { liveRecording } from '../../src/client/store.ts';
import { STREAM_OPTIONS } from '../../src/client/stream.ts';
import type { RecordingList } from '../../src/core/contract.ts';
import type { Recording } from '../../src/core/recording.ts';
import { ENDPOINT, mintToken, scriptStream, until } from '../client/backend.ts';

// Fast reconnection, so a dropped stream comes back within a test's patience.
Object.assign(STREAM_OPTIONS, { baseDelayMs: 50, maxDelayMs: 400, pollMs: 150 });

/** Points a kit element at the test proxy for `meetingId`, with `token` or else a fresh host token. */
export async function connect<T extends Element>(element: T, meetingId: string, token?: string): Promise<T> {
  Object.assign(element, { endpoint: ENDPOINT, meetingId, token: token ?? (await mintToken(meetingId)) });
  return element;
}

/**
 * Scripts the meeting's stream with `current` as its one recording (and the active one while it runs),
 * the rest of the snapshot from `list`, then `events`.
 */
export function scriptCurrent(
  meetingId: string,
  current: Recording | null,
  list: Partial<RecordingList> = {},
  events: { event: string; data: unknown }[] = [],
): Promise<void> {
  const active = current && ['INVOKED', 'RECORDING', 'PAUSED'].includes(current.status) ? current : null;
  return scriptStream(meetingId, { recordings: current ? [current] : [], active, ...list }, events);
}

/** Waits until the meeting's snapshot has arrived and `element` has rendered it. */
export async function snapshotShown(element: ReactiveElement, meetingId: string): Promise<void> {
  await until(() => liveRecording(ENDPOINT, meetingId).state.loaded, 'the snapshot');
  await element.updateComplete;
}

export function part<T extends Element = HTMLElement>(element: Element, name: string): T | null {
  return element.shadowRoot!.querySelector<T>(`[part~=${name}]`) as T | null;
}

export function parts(element: Element, name: string): HTMLElement[] {
  return [...element.shadowRoot!.querySelectorAll<HTMLElement>(`[part~=${name}]`)];
}

/** The element's visible text, whitespace collapsed. */
export function textOf(element: Element | null): string {
  const root = element?.shadowRoot ?? element;
  return (root?.textContent ?? '').replace(/\s+/g, ' ').trim();
}

/** Fails when Lit (in dev mode) warned about anything but being in dev mode. */
export function expectNoLitWarnings(): void {
  const warnings = (globalThis as { litIssuedWarnings?: Set<string> }).litIssuedWarnings;
  // Without dev mode Lit warns about nothing, and an empty list would prove nothing.
  expect(warnings, 'Lit in dev mode (its warnings recorded)').to.be.instanceOf(Set);
  const issued = [...warnings!];
  expect(issued.filter((warning) => !/dev mode|dev-mode/i.test(warning))).to.deep.equal([]);
}

interface Timer {
  callback: () => void;
  every: number;
  next: number;
}

/**
 * Replaces `Date.now`, `setInterval` and `clearInterval` (what the ticker and the views read) with a
 * clock that moves only on `tick`. `offsetMs` sets the page's clock apart from the real one.
 */
export function fakeClock(offsetMs = 0) {
  const real = { now: Date.now, setInterval: window.setInterval, clearInterval: window.clearInterval };
  let now = real.now() + offsetMs;
  let ids = 1e9;
  const timers = new Map<number, Timer>();
  Date.now = () => now;
  window.setInterval = ((callback: () => void, every = 0) => {
    timers.set(++ids, { callback, every, next: now + every });
    return ids;
  }) as typeof window.setInterval;
  window.clearInterval = ((id?: number) => {
    if (!timers.delete(id!)) real.clearInterval(id);
  }) as typeof window.clearInterval;
  return {
    /** Intervals created while installed. */
    get intervals() {
      return timers.size;
    },
    tick(ms: number) {
      const end = now + ms;
      for (;;) {
        const due = [...timers.values()].filter((t) => t.next <= end).sort((a, b) => a.next - b.next)[0];
        if (!due) break;
        now = due.next;
        due.next += Math.max(1, due.every);
        due.callback();
      }
      now = end;
    },
    restore() {
      Date.now = real.now;
      window.setInterval = real.setInterval;
      window.clearInterval = real.clearInterval;
    },
  };
}
