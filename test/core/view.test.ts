import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { RECORDING_STATUSES } from '../../src/core/recording.ts';
import type { Recording, RecordingStatus } from '../../src/core/recording.ts';
import { STRINGS } from '../../src/core/strings.ts';
import { recordingFixture } from './fixtures.ts';
import {
  buttonView,
  currentRecording,
  elapsedSeconds,
  INITIAL_STATE,
  itemElapsed,
  itemTicks,
  noticeRecording,
  phaseOf,
  recordedSeconds,
  statusView,
  stopReasonText,
} from '../../src/core/view.ts';
import type { LiveState, Pending } from '../../src/core/view.ts';

const NOW = Date.parse('2026-03-05T12:00:00.000Z');
const iso = (ms: number) => new Date(ms).toISOString();

function rec(status: RecordingStatus, fields: Partial<Recording> = {}): Recording {
  return recordingFixture({ status, ...fields });
}

const ACTIVE = new Set<RecordingStatus>(['INVOKED', 'RECORDING', 'PAUSED']);

function state(current: Recording | null, patch: Partial<LiveState> = {}): LiveState {
  return {
    ...INITIAL_STATE,
    loaded: true,
    permissions: { start: true, stop: true, pause: true, download: true },
    recordings: current ? [current] : [],
    active: current && ACTIVE.has(current.status) ? current : null,
    ...patch,
  };
}

const options = { strings: STRINGS, nowMs: NOW, limitWarning: 600 };
const status = fc.constantFrom(...RECORDING_STATUSES);
const pending = fc.constantFrom<Pending>(null, 'start', 'stop', 'pause', 'resume');

describe('phaseOf', () => {
  it('maps each status to its phase', () => {
    const phases = RECORDING_STATUSES.map((s) => phaseOf(state(rec(s))));
    assert.deepEqual(phases, ['starting', 'recording', 'paused', 'uploading', 'saved', 'failed']);
    assert.equal(phaseOf(state(null)), 'idle');
    assert.equal(phaseOf(INITIAL_STATE), 'loading');
  });

  it('lets a pending start or stop win over whatever the server said', () => {
    fc.assert(
      fc.property(status, fc.boolean(), (s, loaded) => {
        assert.equal(phaseOf(state(rec(s), { pending: 'start', loaded })), 'starting');
        assert.equal(phaseOf(state(rec(s), { pending: 'stop', loaded })), 'stopping');
      }),
    );
  });

  it('prefers the active recording over the newest one', () => {
    const older = rec('RECORDING', { id: 'old' });
    const newer = rec('ERRORED', { id: 'new' });
    assert.equal(currentRecording(state(null, { recordings: [newer, older], active: older }))?.id, 'old');
    assert.equal(currentRecording(state(null, { recordings: [newer, older] }))?.id, 'new');
  });
});

describe('buttonView', () => {
  it('reads Record → Starting… → Stop → Stopping… → Record', () => {
    const labels = [
      state(null),
      state(null, { pending: 'start' }),
      state(rec('INVOKED')),
      state(rec('RECORDING')),
      state(rec('RECORDING'), { pending: 'stop' }),
      state(rec('UPLOADING')),
      state(rec('UPLOADED')),
    ].map((s) => buttonView(s).label);
    assert.deepEqual(labels, ['record', 'starting', 'starting', 'stop', 'stopping', 'record', 'record']);
  });

  it('offers an action only when one is possible, and says whether the token may take it', () => {
    fc.assert(
      fc.property(status, pending, fc.boolean(), fc.boolean(), fc.boolean(), (s, p, start, stop, pause) => {
        const view = buttonView(
          state(rec(s), { pending: p, permissions: { start, stop, pause, download: true } }),
        );
        const live = p !== 'start' && p !== 'stop' && (s === 'RECORDING' || s === 'PAUSED');
        const busy = p === 'start' || p === 'stop' || s === 'INVOKED';
        assert.equal(view.busy, busy);
        assert.equal(view.action, busy ? null : live ? 'stop' : 'start');
        if (view.action === 'stop') assert.equal(view.allowed, stop);
        if (view.action === 'start') assert.equal(view.allowed, start);
        // Pause / Resume follows the server's word alone (a host on an upstream that can pause).
        assert.equal(view.toggle !== null, live && pause);
        if (view.toggle) assert.equal(view.toggle, s === 'PAUSED' ? 'resume' : 'pause');
      }),
    );
  });

  it('offers nothing before the first snapshot', () => {
    assert.equal(buttonView(INITIAL_STATE).action, null);
  });

  it('says why it cannot be used: forbidden, or nothing loads', () => {
    assert.equal(buttonView(INITIAL_STATE).why, null, 'still loading is no reason yet');
    assert.equal(buttonView(state(null)).why, null);
    assert.equal(buttonView(state(null, { permissions: { ...INITIAL_STATE.permissions } })).why, 'forbidden');
    const failed = (code: string) => ({ ...INITIAL_STATE, error: { code, message: 'm' } });
    assert.equal(buttonView(failed('unauthorized')).why, 'notAuthorized');
    assert.equal(buttonView(failed('network_error')).why, 'unreachable');
    assert.equal(buttonView(failed('not_configured')).why, 'notConfigured');
    assert.equal(
      buttonView({ ...state(null), error: { code: 'network_error', message: 'm' } }).why,
      null,
      'loaded once: a blip',
    );
  });
});

describe('elapsedSeconds', () => {
  it('counts whole seconds on the server clock and never goes below zero', () => {
    fc.assert(
      fc.property(
        fc.integer({ min: -1e9, max: 1e9 }),
        fc.integer({ min: -1e8, max: 1e8 }),
        (sinceStart, skew) => {
          const startedAt = iso(NOW + skew - sinceStart);
          assert.equal(elapsedSeconds(startedAt, NOW, skew), Math.max(0, Math.floor(sinceStart / 1000)));
        },
      ),
    );
  });
});

describe('statusView', () => {
  it('shows the timer only while recording', () => {
    for (const s of RECORDING_STATUSES) {
      const view = statusView(state(rec(s, { startedAt: iso(NOW - 65_000) })), options);
      assert.equal(view.elapsed, s === 'RECORDING' ? 65 : null, s);
    }
  });

  it('says why nothing loads, with a retry only where one may help', () => {
    const failed = (code: string) => statusView({ ...INITIAL_STATE, error: { code, message: 'm' } }, options);
    assert.deepEqual(
      [failed('upstream_unavailable').label, failed('upstream_unavailable').retry],
      [STRINGS.unreachable, true],
    );
    assert.deepEqual(
      [failed('token_expired').label, failed('token_expired').retry],
      [STRINGS.notAuthorized, false],
    );
    assert.deepEqual(
      [failed('not_configured').label, failed('not_configured').retry],
      [STRINGS.notConfigured, false],
    );
    assert.equal(statusView(INITIAL_STATE, options).label, STRINGS.loading);
    assert.equal(statusView(INITIAL_STATE, options).retry, false);
  });

  it('explains the start lag while starting', () => {
    assert.equal(statusView(state(rec('INVOKED')), options).detail, STRINGS.startingHint);
    assert.equal(statusView(state(null, { pending: 'start' }), options).detail, STRINGS.startingHint);
  });

  it('names the reason of a failure', () => {
    const view = statusView(state(rec('ERRORED', { error: 'No disk.' })), options);
    assert.equal(view.label, 'Recording failed: No disk.');
  });

  it('says so when a failure came without a reason', () => {
    for (const error of [null, ''])
      assert.equal(
        statusView(state(rec('ERRORED', { error })), options).label,
        'Recording failed: no reason given',
      );
  });

  it('warns in the last minutes before the 24-hour limit', () => {
    const at = (secondsIn: number) =>
      statusView(state(rec('RECORDING', { startedAt: iso(NOW - secondsIn * 1000) })), options).warning;
    assert.equal(at(86_400 - 601), null);
    assert.equal(at(86_400 - 600), 'Stops at the 24-hour limit in 10:00');
    assert.equal(at(86_400 - 5), 'Stops at the 24-hour limit in 0:05');
  });

  it('times the recording without its pauses, and the 24-hour limit with them', () => {
    const startedAt = iso(NOW - (86_400 - 300) * 1000);
    const resumed = statusView(state(rec('RECORDING', { startedAt, pausedSeconds: 3600 })), options);
    assert.equal(resumed.elapsed, 86_400 - 300 - 3600);
    assert.equal(resumed.warning, 'Stops at the 24-hour limit in 5:00');
    const paused = rec('PAUSED', { startedAt, pausedSeconds: 3600, pausedAt: iso(NOW - 60_000) });
    assert.deepEqual(
      [statusView(state(paused), options).elapsed, statusView(state(paused), options).warning],
      [null, 'Stops at the 24-hour limit in 5:00'],
    );
  });

  it('counts down while the room is empty, in preference to the 24-hour warning', () => {
    const recording = rec('RECORDING', { startedAt: iso(NOW - 86_000_000) });
    const empty = { participants: 0, emptySince: iso(NOW - 20_000), emptyTimeoutSeconds: 60 };
    assert.equal(
      statusView(state(recording, { meeting: empty }), options).warning,
      'The room is empty: stops in 0:40',
    );
    const occupied = { participants: 2, emptySince: null, emptyTimeoutSeconds: 60 };
    assert.match(statusView(state(recording, { meeting: occupied }), options).warning!, /24-hour/);
    assert.equal(statusView(state(rec('UPLOADING'), { meeting: empty }), options).warning, null);
  });
});

describe('the empty-room countdown', () => {
  const warning = (recording: Recording, meeting: LiveState['meeting'], skewMs = 0) =>
    statusView(state(recording, { meeting, skewMs }), options).warning;

  it("counts down the server's timeout, not a fixed one", () => {
    const recording = rec('RECORDING', { invokedAt: iso(NOW - 60_000), startedAt: iso(NOW - 55_000) });
    const meeting = { participants: 0, emptySince: iso(NOW - 5000), emptyTimeoutSeconds: 20 };
    assert.equal(warning(recording, meeting), 'The room is empty: stops in 0:15');
    assert.equal(
      warning(recording, { ...meeting, emptyTimeoutSeconds: 300 }),
      'The room is empty: stops in 4:55',
    );
  });

  it('counts from the start of a recording started in an empty room', () => {
    const recording = rec('RECORDING', { invokedAt: iso(NOW - 4000), startedAt: iso(NOW - 1000) });
    const meeting = { participants: 0, emptySince: iso(NOW - 30_000), emptyTimeoutSeconds: 20 };
    assert.equal(warning(recording, meeting), 'The room is empty: stops in 0:16');
  });

  it("reads the deadline on the server's clock, and while paused too", () => {
    const recording = rec('PAUSED', { invokedAt: iso(NOW - 60_000) });
    const meeting = { participants: 0, emptySince: iso(NOW - 5000), emptyTimeoutSeconds: 20 };
    // The page's clock runs 3 s behind the server's: 3 s less is left.
    assert.equal(warning(recording, meeting, 3000), 'The room is empty: stops in 0:12');
  });
});

describe('stopReasonText', () => {
  it('says who stopped it, or why', () => {
    const ana = { id: 'u1', name: 'Ana' };
    assert.equal(
      stopReasonText(rec('UPLOADED', { stopReason: 'API_CALL', stoppedBy: ana }), STRINGS),
      'Stopped by Ana',
    );
    assert.equal(
      stopReasonText(rec('UPLOADED', { stopReason: 'ALL_PEERS_LEFT' }), STRINGS),
      'Stopped: everyone left',
    );
    assert.equal(
      stopReasonText(rec('ERRORED', { stopReason: 'INTERNAL_ERROR' }), STRINGS),
      'Stopped by an error',
    );
    assert.equal(stopReasonText(rec('UPLOADED', { stopReason: 'API_CALL' }), STRINGS), null);
  });

  it('takes overridden strings', () => {
    const strings = { ...STRINGS, stoppedBy: 'Beendet von {name}' };
    const recording = rec('UPLOADED', { stoppedBy: { id: null, name: 'Ana' } });
    assert.equal(stopReasonText(recording, strings), 'Beendet von Ana');
  });
});

describe('noticeRecording', () => {
  it('is the active recording once it records (or pauses), nothing before or after', () => {
    fc.assert(
      fc.property(status, (s) => {
        const recording = rec(s);
        const noticed = noticeRecording(state(recording));
        assert.equal(noticed, s === 'RECORDING' || s === 'PAUSED' ? recording : null);
      }),
    );
  });
});

describe('recordedSeconds', () => {
  it('leaves out the time paused before, and stands at the pause while paused', () => {
    const resumed = rec('RECORDING', { startedAt: iso(NOW - 65_000), pausedSeconds: 20.5 });
    assert.equal(recordedSeconds(resumed, NOW, 0), 44);
    assert.equal(recordedSeconds(resumed, NOW - 3000, 3000), 44);
    const paused = rec('PAUSED', {
      startedAt: iso(NOW - 65_000),
      pausedSeconds: 20,
      pausedAt: iso(NOW - 5000),
    });
    assert.equal(recordedSeconds(paused, NOW, 0), 40);
    assert.equal(recordedSeconds(paused, NOW + 600_000, 0), 40);
    assert.equal(recordedSeconds(rec('INVOKED'), NOW, 0), null);
    assert.equal(recordedSeconds({ ...paused, pausedAt: null }, NOW, 0), null);
  });

  it('is never negative, and runs with the clock while recording', () => {
    fc.assert(
      fc.property(
        fc.integer({ min: -60_000, max: 3_600_000 }),
        fc.integer({ min: 0, max: 3_600_000 }),
        fc.integer({ min: 0, max: 60_000 }),
        (sinceStart, pausedMs, later) => {
          const recording = rec('RECORDING', {
            startedAt: iso(NOW - sinceStart),
            pausedSeconds: pausedMs / 1000,
          });
          const now = recordedSeconds(recording, NOW, 0)!;
          assert.equal(now, Math.max(0, Math.floor((sinceStart - pausedMs) / 1000)));
          assert.ok(recordedSeconds(recording, NOW + later, 0)! >= now);
        },
      ),
    );
  });
});

describe('itemElapsed', () => {
  it('runs from the start while recording (pauses left out) and from the stop while saving', () => {
    const recording = rec('RECORDING', { startedAt: iso(NOW - 65_000) });
    assert.equal(itemElapsed(recording, NOW, 0), 65);
    assert.equal(itemElapsed(recording, NOW - 3000, 3000), 65);
    assert.equal(itemElapsed({ ...recording, pausedSeconds: 15 }, NOW, 0), 50);
    assert.equal(
      itemElapsed(rec('UPLOADING', { startedAt: iso(NOW - 9000), stoppedAt: iso(NOW - 2000) }), NOW, 0),
      2,
    );
    for (const s of ['RECORDING', 'UPLOADING'] as const) {
      assert.equal(itemTicks(rec(s, { startedAt: iso(NOW - 9000), stoppedAt: iso(NOW - 2000) })), true);
    }
  });

  it('stands at the pause while paused', () => {
    const paused = rec('PAUSED', { startedAt: iso(NOW - 9000), pausedAt: iso(NOW - 2000) });
    assert.equal(itemElapsed(paused, NOW, 0), 7);
    assert.equal(itemTicks(paused), false);
  });

  it('shows nothing otherwise', () => {
    for (const s of ['INVOKED', 'UPLOADED', 'ERRORED'] as const) {
      const recording = rec(s, { startedAt: iso(NOW - 9000), stoppedAt: iso(NOW - 2000) });
      assert.equal(itemElapsed(recording, NOW, 0), null);
      assert.equal(itemTicks(recording), false);
    }
  });
});
