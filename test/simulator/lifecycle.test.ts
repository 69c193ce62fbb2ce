import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import fc from 'fast-check';
import { canAdvance } from '../../src/core/status.ts';
import {
  applyAction,
  createRecording,
  InvalidStateError,
  recordedSeconds,
  recorderJoined,
  stop,
  uploadFinished,
  uploadTimeMs,
} from '../../src/simulator/lifecycle.ts';
import type { StartConfig } from '../../src/simulator/validate.ts';

const config: StartConfig = {
  meetingId: 'm-1',
  maxSeconds: 86_400,
  fileNamePrefix: null,
  codec: 'H264',
  width: 1280,
  height: 720,
  audioCodec: null,
  storage: null,
  ownBucket: true,
  allowMultiple: false,
};
const T0 = Date.UTC(2025, 0, 1);
const fresh = (overrides: Partial<StartConfig> = {}, failsToStart = false) =>
  createRecording({ id: 'r-1', sessionId: 's-1', config: { ...config, ...overrides }, at: T0, failsToStart });

describe('recording life cycle', () => {
  it('names files like Dyte: <prefix>_<meeting>_<epoch ms>.<mp4|webm>', () => {
    assert.equal(fresh().outputFileName, `m-1_${T0}.mp4`);
    assert.equal(fresh({ fileNamePrefix: 'talk', codec: 'VP9' }).outputFileName, `talk_m-1_${T0}.webm`);
  });

  it('records, pauses, resumes and stops, counting only the recorded time', () => {
    let recording = recorderJoined(fresh(), T0 + 3000);
    assert.equal(recording.status, 'RECORDING');
    recording = applyAction(recording, 'pause', T0 + 13_000);
    assert.equal(recording.status, 'PAUSED');
    assert.equal(recordedSeconds(recording, T0 + 20_000), 10, 'frozen while paused');
    recording = applyAction(recording, 'resume', T0 + 33_000);
    recording = applyAction(recording, 'stop', T0 + 43_000, { type: 'USER', user_Id: 'u', name: 'Ana' });
    assert.equal(recording.status, 'UPLOADING');
    assert.equal(recordedSeconds(recording, T0 + 99_000), 20);
    assert.deepEqual(recording.stopReason, {
      reason: 'API_CALL',
      caller: { type: 'USER', user_Id: 'u', name: 'Ana' },
    });
    const uploaded = uploadFinished(recording, T0 + 50_000, 1000);
    assert.equal(uploaded.status, 'UPLOADED');
    assert.equal(uploaded.downloadExpiresAt, T0 + 51_000);
  });

  it('refuses actions the status does not allow', () => {
    const invoked = fresh();
    assert.throws(() => applyAction(invoked, 'pause', T0), InvalidStateError);
    assert.throws(() => applyAction(invoked, 'resume', T0), InvalidStateError);
    const uploading = stop(recorderJoined(invoked, T0 + 1), T0 + 10_000, 'ALL_PEERS_LEFT', {
      type: 'ORGANIZATION',
    });
    for (const action of ['stop', 'pause', 'resume'] as const) {
      assert.throws(() => applyAction(uploading, action, T0 + 20_000), InvalidStateError);
    }
  });

  it('ends ERRORED when shorter than 5 s, stopped before it started, or when the recorder fails', () => {
    const short = stop(recorderJoined(fresh(), T0), T0 + 4999, 'API_CALL', { type: 'ORGANIZATION' });
    const errored = uploadFinished(short, T0 + 6000, 1000);
    assert.equal(errored.status, 'ERRORED');
    assert.match(errored.errMessage!, /shorter than 5 seconds/);
    assert.equal(errored.downloadExpiresAt, null);
    const early = applyAction(fresh(), 'stop', T0 + 1000);
    assert.equal(early.status, 'ERRORED');
    assert.equal(early.stopReason?.reason, 'API_CALL');
    const failed = recorderJoined(fresh({}, true), T0 + 3000);
    assert.equal(failed.status, 'ERRORED');
    assert.equal(failed.stopReason?.reason, 'INTERNAL_ERROR');
  });

  it('gives no download expiry when the own bucket is disabled', () => {
    const recording = stop(recorderJoined(fresh({ ownBucket: false }), T0), T0 + 60_000, 'API_CALL', {
      type: 'ORGANIZATION',
    });
    assert.equal(uploadFinished(recording, T0 + 70_000, 1000).downloadExpiresAt, null);
  });

  it('takes longer to upload a longer recording', () => {
    assert.equal(uploadTimeMs(0, 3000), 3000);
    assert.equal(uploadTimeMs(60, 3000), 6000);
    assert.equal(uploadTimeMs(3600, 3000), 183_000);
    assert.equal(uploadTimeMs(3600, 0), 0);
  });

  it('never moves backwards and never loses recorded time, whatever happens in whatever order', () => {
    const step = fc.record({
      event: fc.constantFrom('join', 'pause', 'resume', 'stop', 'empty-room', 'upload'),
      afterMs: fc.integer({ min: 0, max: 120_000 }),
    });
    fc.assert(
      fc.property(fc.boolean(), fc.array(step, { maxLength: 12 }), (failsToStart, steps) => {
        let recording = fresh({}, failsToStart);
        let at = T0;
        for (const { event, afterMs } of steps) {
          at += afterMs;
          const before = recording;
          try {
            if (event === 'join') recording = recorderJoined(recording, at);
            else if (
              event === 'empty-room' &&
              ['INVOKED', 'RECORDING', 'PAUSED'].includes(recording.status)
            ) {
              recording = stop(recording, at, 'ALL_PEERS_LEFT', { type: 'ORGANIZATION' });
            } else if (event === 'upload') recording = uploadFinished(recording, at, 1000);
            else if (event === 'pause' || event === 'resume' || event === 'stop') {
              recording = applyAction(recording, event, at);
            }
          } catch (error) {
            assert.ok(error instanceof InvalidStateError);
          }
          assert.ok(canAdvance(before.status, recording.status), `${before.status} → ${recording.status}`);
          assert.ok(recordedSeconds(recording, at) >= recordedSeconds(before, at));
          if (recording.status === 'ERRORED') assert.ok(recording.errMessage && recording.stopReason);
          if (recording.status === 'UPLOADED') assert.ok(recordedSeconds(recording, at) >= 5);
        }
      }),
    );
  });
});
