import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import {
  canAdvance,
  isActive,
  isTerminal,
  mergeRecording,
  recordingChanged,
  statusRank,
} from '../../src/core/status.ts';
import { RECORDING_STATUSES } from '../../src/core/recording.ts';
import type { Recording, RecordingStatus } from '../../src/core/recording.ts';

const status = fc.constantFrom(...RECORDING_STATUSES);

function recording(overrides: Partial<Recording> = {}): Recording {
  return {
    id: 'rec-1',
    meetingId: 'meet-1',
    status: 'INVOKED',
    codec: 'H264',
    outputFileName: null,
    invokedAt: '2026-01-01T00:00:00.000Z',
    startedAt: null,
    stoppedAt: null,
    durationSeconds: null,
    fileSizeBytes: null,
    downloadable: false,
    audioDownloadable: false,
    downloadExpiresAt: null,
    stopReason: null,
    startedBy: null,
    stoppedBy: null,
    error: null,
    ...overrides,
  };
}

describe('status order', () => {
  it('follows the documented life cycle forward only', () => {
    const path: RecordingStatus[] = ['INVOKED', 'RECORDING', 'PAUSED', 'RECORDING', 'UPLOADING', 'UPLOADED'];
    for (let i = 1; i < path.length; i += 1)
      assert.ok(canAdvance(path[i - 1]!, path[i]!), `${path[i - 1]} → ${path[i]}`);
    assert.equal(canAdvance('UPLOADED', 'RECORDING'), false);
    assert.equal(canAdvance('UPLOADING', 'RECORDING'), false);
    assert.equal(canAdvance('RECORDING', 'INVOKED'), false);
    assert.equal(canAdvance('UPLOADED', 'ERRORED'), false);
    assert.equal(canAdvance('ERRORED', 'UPLOADED'), false);
  });

  it('lets any unfinished recording end ERRORED', () => {
    for (const from of RECORDING_STATUSES.filter((s) => !isTerminal(s)))
      assert.ok(canAdvance(from, 'ERRORED'));
  });

  it('never allows a move to a lower rank, and terminal states never move', () => {
    fc.assert(
      fc.property(status, status, (from, to) => {
        if (canAdvance(from, to) && from !== to) {
          assert.ok(statusRank(to) >= statusRank(from));
          assert.ok(!isTerminal(from));
        }
      }),
    );
  });

  it('calls INVOKED, RECORDING and PAUSED active and nothing else', () => {
    assert.deepEqual(
      RECORDING_STATUSES.filter((s) => isActive(s)),
      ['INVOKED', 'RECORDING', 'PAUSED'],
    );
  });
});

describe('mergeRecording', () => {
  it('ignores a stale report but fills fields still unknown', () => {
    const known = recording({
      status: 'UPLOADED',
      downloadable: true,
      stopReason: 'API_CALL',
      fileSizeBytes: 10,
    });
    const stale = recording({
      status: 'RECORDING',
      startedAt: '2026-01-01T00:00:05.000Z',
      fileSizeBytes: null,
    });
    const merged = mergeRecording(known, stale);
    assert.equal(merged.status, 'UPLOADED');
    assert.equal(merged.downloadable, true);
    assert.equal(merged.fileSizeBytes, 10);
    assert.equal(merged.startedAt, '2026-01-01T00:00:05.000Z');
  });

  it('keeps what the proxy knows (who started) when the upstream report lacks it', () => {
    const known = recording({ status: 'INVOKED', startedBy: { id: 'u1', name: 'Ana' } });
    const merged = mergeRecording(
      known,
      recording({ status: 'RECORDING', startedAt: '2026-01-01T00:00:03.000Z' }),
    );
    assert.equal(merged.status, 'RECORDING');
    assert.deepEqual(merged.startedBy, { id: 'u1', name: 'Ana' });
  });

  it('never moves a status backwards, whatever order the reports arrive in', () => {
    fc.assert(
      fc.property(fc.array(status, { minLength: 1, maxLength: 20 }), (statuses) => {
        let known = recording({ status: statuses[0]! });
        for (const next of statuses.slice(1)) {
          const merged = mergeRecording(known, recording({ status: next }));
          assert.ok(statusRank(merged.status) >= statusRank(known.status));
          if (isTerminal(known.status)) assert.equal(merged.status, known.status);
          known = merged;
        }
      }),
    );
  });

  it('reports a change only when a visible field changed', () => {
    const known = recording({ status: 'RECORDING' });
    assert.equal(recordingChanged(known, mergeRecording(known, recording({ status: 'RECORDING' }))), false);
    assert.equal(recordingChanged(known, mergeRecording(known, recording({ status: 'UPLOADING' }))), true);
  });
});
