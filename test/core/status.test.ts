import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import {
  canAdvance,
  emptyRoomStopAt,
  isActive,
  isTerminal,
  mergeRecording,
  recordingChanged,
  statusRank,
} from '../../src/core/status.ts';
import { RECORDING_STATUSES } from '../../src/core/recording.ts';
import type { Recording, RecordingStatus } from '../../src/core/recording.ts';
import type { MeetingState } from '../../src/core/contract.ts';
import { recordingFixture } from './fixtures.ts';

const status = fc.constantFrom(...RECORDING_STATUSES);

function recording(overrides: Partial<Recording> = {}): Recording {
  return recordingFixture({
    id: 'rec-1',
    meetingId: 'meet-1',
    codec: 'H264',
    invokedAt: '2026-01-01T00:00:00.000Z',
    ...overrides,
  });
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

  it('moves between RECORDING and PAUSED only on a report known to be newer', () => {
    assert.ok(canAdvance('PAUSED', 'RECORDING'));
    assert.ok(canAdvance('RECORDING', 'PAUSED', 'newer'));
    assert.equal(canAdvance('PAUSED', 'RECORDING', 'may-be-older'), false);
    assert.equal(canAdvance('RECORDING', 'PAUSED', 'may-be-older'), false);
    fc.assert(
      fc.property(status, status, (from, to) => {
        // A report of any age may confirm a status or move it to a higher rank: that is news whatever its age.
        if (from === to || statusRank(to) > statusRank(from)) {
          assert.equal(canAdvance(from, to, 'may-be-older'), canAdvance(from, to, 'newer'));
        } else {
          assert.equal(canAdvance(from, to, 'may-be-older'), false);
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

  it('lets a late report of another ending fill none of its fields', () => {
    const uploaded = recording({ status: 'UPLOADED', downloadable: true, error: null, fileSizeBytes: 10 });
    const late = recording({ status: 'ERRORED', error: 'The recorder crashed.', downloadExpiresAt: null });
    assert.deepEqual(mergeRecording(uploaded, late), uploaded);
    const errored = recording({ status: 'ERRORED', error: 'The recorder crashed.', fileSizeBytes: null });
    const lateUpload = recording({
      status: 'UPLOADED',
      fileSizeBytes: 99,
      downloadExpiresAt: '2026-02-01T00:00:00.000Z',
    });
    assert.deepEqual(mergeRecording(errored, lateUpload), errored);
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

  it('lets a report that may be older fill unknown fields but not undo a pause', () => {
    const known = recording({ status: 'PAUSED', startedAt: '2026-01-01T00:00:03.000Z' });
    const stale = recording({ status: 'RECORDING', startedAt: null, durationSeconds: 12 });
    const merged = mergeRecording(known, stale, 'may-be-older');
    assert.equal(merged.status, 'PAUSED');
    assert.equal(merged.durationSeconds, 12);
    assert.equal(merged.startedAt, '2026-01-01T00:00:03.000Z');
    assert.equal(mergeRecording(known, stale).status, 'RECORDING', 'a newer report resumes it');
    assert.equal(
      mergeRecording(known, recording({ status: 'UPLOADING' }), 'may-be-older').status,
      'UPLOADING',
    );
  });

  it('reports a change only when a visible field changed', () => {
    const known = recording({ status: 'RECORDING' });
    assert.equal(recordingChanged(known, mergeRecording(known, recording({ status: 'RECORDING' }))), false);
    assert.equal(recordingChanged(known, mergeRecording(known, recording({ status: 'UPLOADING' }))), true);
  });
});

describe('emptyRoomStopAt', () => {
  const empty = (emptySince: string | null, emptyTimeoutSeconds = 60): MeetingState => ({
    participants: emptySince === null ? 1 : 0,
    emptySince,
    emptyTimeoutSeconds,
  });

  it('counts the timeout from when the room emptied, for a recording started before', () => {
    const active = recording({ status: 'RECORDING', invokedAt: '2026-01-01T10:00:00.000Z' });
    assert.equal(emptyRoomStopAt(empty('2026-01-01T10:05:00.000Z'), active), '2026-01-01T10:06:00.000Z');
    assert.equal(emptyRoomStopAt(empty('2026-01-01T10:05:00.000Z', 20), active), '2026-01-01T10:05:20.000Z');
  });

  it('counts from the start of a recording started in an already empty room', () => {
    const active = recording({ status: 'INVOKED', invokedAt: '2026-01-01T10:30:00.000Z' });
    assert.equal(emptyRoomStopAt(empty('2026-01-01T10:05:00.000Z'), active), '2026-01-01T10:31:00.000Z');
  });

  it('is null while somebody is in the room, without a meeting state, or without an active recording', () => {
    const active = recording({ status: 'PAUSED' });
    assert.equal(emptyRoomStopAt(empty(null), active), null);
    assert.equal(emptyRoomStopAt(null, active), null);
    assert.equal(emptyRoomStopAt(empty('2026-01-01T10:05:00.000Z'), null), null);
    const done = recording({ status: 'UPLOADING' });
    assert.equal(emptyRoomStopAt(empty('2026-01-01T10:05:00.000Z'), done), null);
  });
});
