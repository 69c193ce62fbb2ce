import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { accountPause, mergePauses } from '../../src/core/pause.ts';
import type { Recording, RecordingStatus } from '../../src/core/recording.ts';
import { mergeRecording } from '../../src/core/status.ts';
import { recordedSeconds } from '../../src/core/view.ts';
import { recordingFixture } from './fixtures.ts';

const START = Date.parse('2026-03-05T12:00:00.000Z');
const iso = (ms: number) => new Date(ms).toISOString();

/** What an upstream reports: the status and the start, no pauses. */
function report(status: RecordingStatus, fields: Partial<Recording> = {}): Recording {
  return recordingFixture({ status, startedAt: iso(START), ...fields });
}

/** The proxy's fold of `next` into `known` at `atMs` (as `learn.report` does it). */
function fold(known: Recording | null, next: Recording, atMs: number, age?: 'may-be-older'): Recording {
  return accountPause(known, known ? mergeRecording(known, next, age) : next, atMs);
}

describe('accountPause', () => {
  it('notes when a pause begins and adds its length when it ends', () => {
    const recording = fold(null, report('RECORDING'), START + 1000);
    assert.equal(recording.pausedSeconds, 0);
    const paused = fold(recording, report('PAUSED'), START + 10_000);
    assert.equal(paused.pausedAt, iso(START + 10_000));
    assert.equal(paused.pausedSeconds, 0);
    // The upstream says PAUSED again: the pause still began when it was first seen.
    assert.equal(fold(paused, report('PAUSED'), START + 12_000).pausedAt, iso(START + 10_000));
    const resumed = fold(paused, report('RECORDING'), START + 14_250);
    assert.equal(resumed.pausedSeconds, 4.25);
    assert.equal(resumed.pausedAt, null);
    const again = fold(fold(resumed, report('PAUSED'), START + 20_000), report('RECORDING'), START + 21_000);
    assert.equal(again.pausedSeconds, 5.25);
  });

  it('counts a pause that ends in a stop, and one first seen already paused from when it was seen', () => {
    const paused = fold(fold(null, report('RECORDING'), START), report('PAUSED'), START + 2000);
    const stopped = fold(paused, report('UPLOADING', { stoppedAt: iso(START + 9000) }), START + 5000);
    assert.deepEqual([stopped.pausedSeconds, stopped.pausedAt], [3, null]);
    const late = fold(null, report('PAUSED'), START + 7000);
    assert.equal(late.pausedAt, iso(START + 7000));
  });

  it('keeps what it learned against stale and pause-less reports', () => {
    const paused = fold(fold(null, report('RECORDING'), START), report('PAUSED'), START + 2000);
    const resumed = fold(paused, report('RECORDING'), START + 6000);
    // A poll sent before the resume cannot undo it, nor erase the total.
    const stale = fold(resumed, report('PAUSED'), START + 7000, 'may-be-older');
    assert.deepEqual([stale.status, stale.pausedSeconds, stale.pausedAt], ['RECORDING', 4, null]);
    // A newer report carries no pauses at all: the total stays.
    assert.equal(fold(resumed, report('UPLOADED', { durationSeconds: 30 }), START + 40_000).pausedSeconds, 4);
  });
});

describe('mergePauses', () => {
  it('never shrinks the total and keeps a pause start only while paused', () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 0, max: 1e6 }),
        fc.integer({ min: 0, max: 1e6 }),
        fc.constantFrom<RecordingStatus>('RECORDING', 'PAUSED', 'UPLOADED'),
        (knownMs, reportMs, status) => {
          const known = report('PAUSED', { pausedSeconds: knownMs / 1000, pausedAt: iso(START) });
          const next = report(status, { pausedSeconds: reportMs / 1000 });
          const merged = mergePauses(known, next, mergeRecording(known, next));
          assert.equal(merged.pausedSeconds, Math.max(knownMs, reportMs) / 1000);
          assert.equal(merged.pausedAt, status === 'PAUSED' ? iso(START) : null);
        },
      ),
    );
  });

  it('reads a recording kept before pauses were known as never paused', () => {
    const { pausedSeconds: _s, pausedAt: _a, ...old } = report('RECORDING');
    const merged = mergeRecording(old as Recording, report('RECORDING'));
    assert.deepEqual([merged.pausedSeconds, merged.pausedAt], [0, null]);
  });
});

describe('the clock over the pauses the proxy learned', () => {
  // Alternating spans (recording first) of whole milliseconds, each sampled at fractions of it.
  const spans = fc.array(
    fc.record({
      ms: fc.integer({ min: 1, max: 120_000 }),
      samples: fc.array(fc.double({ min: 0, max: 1, noNaN: true }), { minLength: 1, maxLength: 4 }),
    }),
    { minLength: 1, maxLength: 8 },
  );

  it('shows exactly the time recorded: never negative, never the paused time, monotone while recording', () => {
    fc.assert(
      fc.property(spans, fc.integer({ min: -5000, max: 5000 }), (list, skewMs) => {
        let known = fold(null, report('RECORDING'), START);
        let at = START;
        let recordedMs = 0;
        list.forEach(({ ms, samples }, i) => {
          const paused = i % 2 === 1;
          if (i > 0) known = fold(known, report(paused ? 'PAUSED' : 'RECORDING'), at);
          let last = -1;
          for (const fraction of [...samples].sort((a, b) => a - b)) {
            const offset = Math.floor(fraction * ms);
            // The page's clock is `skewMs` behind the proxy's.
            const shown = recordedSeconds(known, at + offset - skewMs, skewMs)!;
            const expected = Math.floor((recordedMs + (paused ? 0 : offset)) / 1000);
            assert.equal(shown, expected);
            assert.ok(shown >= 0);
            assert.ok(shown >= last, 'monotone');
            last = shown;
          }
          at += ms;
          if (!paused) recordedMs += ms;
        });
      }),
    );
  });
});
