import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import {
  NormalizeError,
  normalizeV1Recording,
  normalizeV2Recording,
  normalizeWebhookRecording,
  parseReason,
} from '../../src/core/normalize.ts';
import { RECORDING_STATUSES, STOP_REASONS } from '../../src/core/recording.ts';
import type { Recording } from '../../src/core/recording.ts';
import { pythonLiteral } from './python-literal.ts';

const RECORDING_KEYS = [
  'id',
  'meetingId',
  'status',
  'codec',
  'outputFileName',
  'invokedAt',
  'startedAt',
  'stoppedAt',
  'durationSeconds',
  'pausedSeconds',
  'pausedAt',
  'fileSizeBytes',
  'downloadable',
  'audioDownloadable',
  'downloadExpiresAt',
  'stopReason',
  'startedBy',
  'stoppedBy',
  'error',
].sort();

const status = fc.constantFrom(...RECORDING_STATUSES);
const instant = fc.date({
  min: new Date('2020-01-01T00:00:00Z'),
  max: new Date('2030-01-01T00:00:00Z'),
  noInvalidDate: true,
});
/** A time in any of the shapes Dyte sends: ISO, space + microseconds, or missing. */
const looseTime = fc.oneof(
  instant.map((date) => ({
    sent: date.toISOString() as string | null,
    iso: date.toISOString() as string | null,
  })),
  fc.tuple(instant, fc.integer({ min: 0, max: 999 })).map(([date, micros]) => {
    const iso = date.toISOString();
    return { sent: `${iso.slice(0, 10)} ${iso.slice(11, 23)}${String(micros).padStart(3, '0')}Z`, iso };
  }),
  fc.constant({ sent: null, iso: null }),
);
const caller = fc.record({ name: fc.string({ minLength: 1, maxLength: 12 }), user_Id: fc.uuid() });
const stopReason = fc.record({ reason: fc.constantFrom(...STOP_REASONS), caller });
/** A stop reason as an object, as JSON text, or as Python dict text. */
const looseStopReason = stopReason.chain((reason) =>
  fc.constantFrom<{ sent: unknown; reason: typeof reason }>(
    { sent: reason, reason },
    { sent: JSON.stringify(reason), reason },
    { sent: pythonLiteral({ ...reason, caller: { ...reason.caller, type: 'USER' } }), reason },
  ),
);
const fileSize = fc.integer({ min: 0, max: 2_000_000_000 });
const fileName = fc.constantFrom('room_1700000000000.mp4', 'x_room_1700000000000.webm', 'weird.bin');

/** v2 and webhook recordings also say their session (`sessionId`); v1 ones cannot. */
function assertShape(recording: Recording) {
  assert.deepEqual(
    Object.keys(recording)
      .filter((key) => key !== 'sessionId')
      .sort(),
    RECORDING_KEYS,
  );
  if (!['UPLOADED'].includes(recording.status)) {
    assert.equal(recording.downloadable, false);
    assert.equal(recording.audioDownloadable, false);
    assert.equal(recording.downloadExpiresAt, null);
  }
  if (recording.status !== 'ERRORED') assert.equal(recording.error, null);
  else assert.equal(typeof recording.error, 'string');
  // No upstream reports pauses: the proxy learns them.
  assert.deepEqual([recording.pausedSeconds, recording.pausedAt], [0, null]);
  if (['INVOKED', 'RECORDING', 'PAUSED'].includes(recording.status)) {
    assert.equal(recording.stopReason, null);
    assert.equal(recording.stoppedBy, null);
  }
}

describe('normalizeV2Recording', () => {
  it('keeps identity and status, reads sizes in bytes, times in any shape, and takes the meeting from context', () => {
    fc.assert(
      fc.property(
        fc.uuid(),
        fc.uuid(),
        status,
        looseTime,
        looseTime,
        fileSize,
        looseStopReason,
        fileName,
        fc.boolean(),
        (id, meetingId, recordingStatus, started, stopped, size, stop, name, hasUrl) => {
          const payload = {
            id,
            status: recordingStatus,
            output_file_name: name,
            invoked_time: started.sent,
            started_time: started.sent,
            stopped_time: stopped.sent,
            recording_duration: 12.4,
            file_size: size,
            download_url: hasUrl ? 'https://files.example/x.mp4?sig=1' : null,
            download_url_expiry: hasUrl ? '2030-01-01T00:00:00.000Z' : null,
            audio_download_url: null,
            session_id: null,
            stop_reason: stop.sent,
            start_reason: { reason: 'API_CALL', caller: { name: 'Ana', user_Id: 'u-1' } },
          };
          const recording = normalizeV2Recording(payload, { meetingId });
          assertShape(recording);
          assert.equal(recording.id, id);
          assert.equal(recording.meetingId, meetingId);
          assert.equal(recording.status, recordingStatus);
          assert.equal(recording.startedAt, started.iso);
          assert.equal(recording.fileSizeBytes, size);
          assert.equal(recording.durationSeconds, 12);
          assert.deepEqual(recording.startedBy, { id: 'u-1', name: 'Ana' });
          assert.equal(recording.downloadable, recordingStatus === 'UPLOADED' && hasUrl);
          if (['UPLOADING', 'UPLOADED', 'ERRORED'].includes(recordingStatus)) {
            assert.equal(recording.stoppedAt, stopped.iso);
            assert.equal(recording.stopReason, stop.reason.reason);
            assert.deepEqual(recording.stoppedBy, {
              id: stop.reason.caller.user_Id,
              name: stop.reason.caller.name,
            });
          }
        },
      ),
    );
  });

  it('reads the codec from video_config, else from the file extension', () => {
    const base = { id: 'r', status: 'RECORDING', meeting_id: 'm' };
    assert.equal(normalizeV2Recording({ ...base, video_config: { codec: 'VP8' } }).codec, 'VP8');
    assert.equal(normalizeV2Recording({ ...base, output_file_name: 'a.mp4' }).codec, 'H264');
    assert.equal(normalizeV2Recording({ ...base, output_file_name: 'a.webm' }).codec, 'VP8');
    assert.equal(normalizeV2Recording({ ...base, output_file_name: 'a' }).codec, null);
  });

  it('refuses payloads with no id, an unknown status or no meeting', () => {
    assert.throws(() => normalizeV2Recording({ status: 'RECORDING' }, { meetingId: 'm' }), NormalizeError);
    assert.throws(
      () => normalizeV2Recording({ id: 'r', status: 'DANCING' }, { meetingId: 'm' }),
      NormalizeError,
    );
    assert.throws(() => normalizeV2Recording({ id: 'r', status: 'RECORDING' }), NormalizeError);
    assert.throws(() => normalizeV2Recording('nope'), NormalizeError);
  });

  it('never throws anything but NormalizeError, whatever the payload', () => {
    fc.assert(
      fc.property(fc.anything(), (payload) => {
        try {
          assertShape(normalizeV2Recording(payload, { meetingId: 'm' }));
        } catch (error) {
          assert.ok(error instanceof NormalizeError, String(error));
        }
      }),
    );
  });
});

describe('normalizeV1Recording', () => {
  it('converts MB to bytes and distrusts start/stop times the status does not back', () => {
    fc.assert(
      fc.property(
        fc.uuid(),
        status,
        fc.double({ min: 0, max: 5000, noNaN: true }),
        instant,
        (id, recordingStatus, mb, time) => {
          const iso = time.toISOString();
          const recording = normalizeV1Recording(
            {
              id,
              status: recordingStatus,
              fileSize: mb,
              invokedTime: iso,
              startedTime: iso,
              stoppedTime: iso,
              outputFileName: 'm_1.mp4',
              downloadUrl: 'https://files.example/x',
              downloadUrlExpiry: iso,
              audioDownloadUrl: null,
              errMessage: recordingStatus === 'ERRORED' ? 'recorder crashed' : null,
            },
            { meetingId: 'meeting-1' },
          );
          assertShape(recording);
          assert.equal(recording.fileSizeBytes, Math.round(mb * 1024 * 1024));
          assert.equal(recording.startedAt, recordingStatus === 'INVOKED' ? null : iso);
          assert.equal(
            recording.stoppedAt,
            ['UPLOADING', 'UPLOADED', 'ERRORED'].includes(recordingStatus) ? iso : null,
          );
          if (recordingStatus === 'ERRORED') assert.equal(recording.error, 'recorder crashed');
        },
      ),
    );
  });
});

describe('nulls and omissions', () => {
  // The simulator leaves out what Dyte's schemas do not let be null; real Dyte has been seen sending
  // those fields as null. Both must read the same.
  const optional = {
    v2: ['stop_reason', 'storage_config', 'file_size', 'err_message', 'download_url', 'session_id'],
    v1: ['stopReason', 'storageConfig', 'fileSize', 'errMessage', 'downloadUrl', 'startReason'],
  };
  const subsets = (keys: string[]) => fc.subarray(keys);

  it('reads a v2 recording the same whether its optional fields are null or left out', () => {
    fc.assert(
      fc.property(status, subsets(optional.v2), (recordingStatus, nulled) => {
        const base = { id: 'r-1', status: recordingStatus, output_file_name: 'm_1.mp4' };
        const withNulls = { ...base, ...Object.fromEntries(nulled.map((key) => [key, null])) };
        assert.deepEqual(
          normalizeV2Recording(withNulls, { meetingId: 'm' }),
          normalizeV2Recording(base, { meetingId: 'm' }),
        );
      }),
    );
  });

  it('reads a v1 recording the same whether its optional fields are null or left out', () => {
    fc.assert(
      fc.property(status, subsets(optional.v1), (recordingStatus, nulled) => {
        const base = { id: 'r-1', status: recordingStatus, outputFileName: 'm_1.mp4' };
        const withNulls = { ...base, ...Object.fromEntries(nulled.map((key) => [key, null])) };
        assert.deepEqual(
          normalizeV1Recording(withNulls, { meetingId: 'm' }),
          normalizeV1Recording(base, { meetingId: 'm' }),
        );
      }),
    );
  });
});

describe('normalizeWebhookRecording', () => {
  it('reads a statusUpdate body with every documented quirk', () => {
    const recording = normalizeWebhookRecording({
      event: 'recording.statusUpdate',
      recording: {
        id: 'rec-1',
        recordingId: 'rec-1',
        meetingId: 'meet-1',
        status: 'UPLOADED',
        startedTime: '2023-04-14 04:46:08.306221Z',
        stoppedTime: '2023-04-14 04:50:08.000001Z',
        fileSize: '1048576',
        outputFileName: 'meet-1_1681447568306.mp4',
        downloadUrl: 'https://files.example/rec-1',
        audioDownloadUrl: null,
        downloadUrlExpiry: '2023-04-21 04:50:10.5Z',
        stopReason: "{'reason': 'ALL_PEERS_LEFT', 'caller': None}",
        recordingDuration: 240,
      },
      meeting: { id: 'meet-1', sessionId: 's-1' },
    });
    assert.deepEqual(recording, {
      id: 'rec-1',
      meetingId: 'meet-1',
      status: 'UPLOADED',
      codec: 'H264',
      outputFileName: 'meet-1_1681447568306.mp4',
      invokedAt: null,
      startedAt: '2023-04-14T04:46:08.306Z',
      stoppedAt: '2023-04-14T04:50:08.000Z',
      durationSeconds: 240,
      pausedSeconds: 0,
      pausedAt: null,
      fileSizeBytes: 1048576,
      downloadable: true,
      audioDownloadable: false,
      downloadExpiresAt: '2023-04-21T04:50:10.500Z',
      stopReason: 'ALL_PEERS_LEFT',
      startedBy: null,
      stoppedBy: null,
      error: null,
      sessionId: 's-1',
    });
  });

  it('takes the meeting from the meeting block when the recording lacks it', () => {
    const recording = normalizeWebhookRecording({
      recording: { id: 'r', status: 'RECORDING' },
      meeting: { id: 'm-9' },
    });
    assert.equal(recording.meetingId, 'm-9');
  });

  it('reads fileSize as a number or a numeric string alike', () => {
    fc.assert(
      fc.property(fileSize, (size) => {
        const make = (value: unknown) =>
          normalizeWebhookRecording({
            recording: { id: 'r', meetingId: 'm', status: 'UPLOADED', fileSize: value },
          });
        assert.equal(make(size).fileSizeBytes, size);
        assert.equal(make(String(size)).fileSizeBytes, size);
      }),
    );
  });
});

describe('parseReason', () => {
  it('reads the same reason from an object, JSON text, Python text or a bare string', () => {
    fc.assert(
      fc.property(looseStopReason, ({ sent, reason }) => {
        const parsed = parseReason(sent);
        assert.equal(parsed.reason, reason.reason);
        assert.deepEqual(parsed.by, { id: reason.caller.user_Id, name: reason.caller.name });
      }),
    );
    assert.deepEqual(parseReason('API_CALL'), { reason: 'API_CALL', by: null });
    assert.deepEqual(parseReason(null), { reason: null, by: null });
  });
});
