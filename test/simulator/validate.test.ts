import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import {
  readV1Start,
  readV2ListQuery,
  readV2Start,
  readWebhook,
  V1_WEBHOOK_EVENTS,
  V2_WEBHOOK_EVENTS,
  ValidationError,
} from '../../src/simulator/validate.ts';

describe('start request validation', () => {
  it('fills Dyte defaults for a minimal v2 start', () => {
    assert.deepEqual(readV2Start({ meeting_id: 'm' }), {
      meetingId: 'm',
      maxSeconds: 86_400,
      fileNamePrefix: null,
      codec: 'H264',
      width: 1280,
      height: 720,
      audioCodec: null,
      storage: null,
      ownBucket: true,
      allowMultiple: false,
    });
  });

  it('keeps only the public part of each storage type', () => {
    const sftp = readV2Start({
      meeting_id: 'm',
      storage_config: {
        type: 'sftp',
        auth_method: 'KEY',
        host: 'h',
        username: 'u',
        private_key: 'PK',
        port: 2222,
      },
    }).storage;
    assert.deepEqual(sftp, {
      type: 'sftp',
      bucket: null,
      region: null,
      path: null,
      host: 'h',
      port: 2222,
      username: 'u',
    });
    const gcs = readV2Start({
      meeting_id: 'm',
      storage_config: { type: 'gcs', secret: 's', bucket: 'b' },
    }).storage;
    assert.equal(gcs?.bucket, 'b');
    assert.doesNotMatch(JSON.stringify([sftp, gcs]), /PK|"s"/);
    assert.throws(
      () =>
        readV2Start({
          meeting_id: 'm',
          storage_config: { type: 'sftp', auth_method: 'KEY', host: 'h', username: 'u' },
        }),
      /private_key/,
    );
    assert.throws(
      () =>
        readV2Start({
          meeting_id: 'm',
          storage_config: { type: 'sftp', host: 'h', username: 'u', password: 'p', port: 70_000 },
        }),
      /port/,
    );
  });

  it('forces vorbis audio with WebM video, as Dyte does', () => {
    assert.equal(
      readV2Start({ meeting_id: 'm', video_config: { codec: 'VP8' }, audio_config: {} }).audioCodec,
      'VORBIS',
    );
    assert.equal(readV2Start({ meeting_id: 'm', audio_config: { codec: 'MP3' } }).audioCodec, 'MP3');
  });

  it('accepts v1 VP9 and dyteBucketConfig, and refuses v2 VP9', () => {
    const v1 = readV1Start({ videoConfig: { codec: 'VP9' }, dyteBucketConfig: { enabled: false } }, 'm');
    assert.equal(v1.codec, 'VP9');
    assert.equal(v1.ownBucket, false);
    assert.throws(() => readV2Start({ meeting_id: 'm', video_config: { codec: 'VP9' } }), ValidationError);
  });

  it('refuses bad meeting ids, dimensions and types', () => {
    for (const body of [
      { meeting_id: '' },
      { meeting_id: 'a/b' },
      { meeting_id: 42 },
      { meeting_id: 'm', video_config: { width: 0 } },
      { meeting_id: 'm', video_config: { height: 1921 } },
      { meeting_id: 'm', allow_multiple_recordings: 'yes' },
      { meeting_id: 'm', file_name_prefix: 7 },
      { meeting_id: 'm', max_seconds: 60.5 },
    ]) {
      assert.throws(() => readV2Start(body), ValidationError, JSON.stringify(body));
    }
  });
});

describe('webhook and list validation', () => {
  it('deduplicates events and accepts a partial registration only when asked', () => {
    const fields = readWebhook(
      { name: 'n', url: 'https://example.test/h', events: ['meeting.ended', 'meeting.ended'] },
      V2_WEBHOOK_EVENTS,
    );
    assert.deepEqual(fields.events, ['meeting.ended']);
    assert.deepEqual(readWebhook({ enabled: false }, V2_WEBHOOK_EVENTS, true), { enabled: false });
    assert.throws(() => readWebhook({ enabled: false }, V2_WEBHOOK_EVENTS), /"name" is required/);
    assert.throws(
      () =>
        readWebhook({ name: 'n', url: 'https://x.test', events: ['meeting.transcript'] }, V1_WEBHOOK_EVENTS),
      ValidationError,
    );
  });

  it('reads list queries with defaults, comma-separated statuses and ISO times', () => {
    const query = readV2ListQuery(
      new URLSearchParams('status=INVOKED,UPLOADED&start_time=2025-01-01T00:00:00Z'),
    );
    assert.deepEqual(query.statuses, ['INVOKED', 'UPLOADED']);
    assert.equal(query.pageNo, 1);
    assert.equal(query.perPage, 20);
    assert.equal(query.sortOrder, 'DESC');
    assert.equal(query.startTime, Date.UTC(2025, 0, 1));
    assert.throws(() => readV2ListQuery(new URLSearchParams('start_time=yesterday')), /start_time/);
    assert.throws(() => readV2ListQuery(new URLSearchParams('expired=maybe')), /expired/);
  });
});
