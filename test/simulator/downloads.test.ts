import assert from 'node:assert/strict';
import { after, describe, it } from 'node:test';
import { eventually, recordFor, simulator, simulatorPerSuite, untilStatus, v2 } from './helpers.ts';
import type { Call } from './helpers.ts';

/** Starts, records ~10 s and stops a recording; resolves to its UPLOADED v2 body. */
async function uploadedRecording(call: Call, body: Record<string, unknown>) {
  const { id } = (await call('POST', '/recordings', { allow_multiple_recordings: true, ...body })).body.data;
  await recordFor(call, id, 10);
  await call('PUT', `/recordings/${id}`, { action: 'stop' });
  return untilStatus(call, id, 'UPLOADED');
}

const bytes = async (response: Response) => Buffer.from(await response.arrayBuffer());

describe('signed downloads', () => {
  const suite = simulatorPerSuite(v2);
  const { call } = suite;

  it('serves a real MP4 (ftyp box first) for H264, with its content type and length', async () => {
    const recording = await uploadedRecording(call, { meeting_id: 'dl-h264' });
    const response = await fetch(recording.download_url);
    assert.equal(response.status, 200);
    assert.equal(response.headers.get('content-type'), 'video/mp4');
    assert.equal(response.headers.get('accept-ranges'), 'bytes');
    const body = await bytes(response);
    assert.equal(Number(response.headers.get('content-length')), body.length);
    assert.equal(body.subarray(4, 8).toString('latin1'), 'ftyp');
    assert.ok(body.length > 1000 && body.length < 20_000);
    const head = await fetch(recording.download_url, { method: 'HEAD' });
    assert.equal(head.status, 200);
    assert.equal(Number(head.headers.get('content-length')), body.length);
    assert.equal((await head.arrayBuffer()).byteLength, 0);
  });

  it('serves WebM for VP8 and an audio file for the audio URL', async () => {
    const recording = await uploadedRecording(call, {
      meeting_id: 'dl-vp8',
      video_config: { codec: 'VP8' },
      audio_config: { codec: 'MP3' },
    });
    const video = await fetch(recording.download_url);
    assert.equal(video.headers.get('content-type'), 'video/webm');
    assert.deepEqual([...(await bytes(video)).subarray(0, 4)], [0x1a, 0x45, 0xdf, 0xa3]); // EBML magic
    const audio = await fetch(recording.audio_download_url);
    assert.equal(audio.status, 200);
    assert.equal(audio.headers.get('content-type'), 'audio/ogg', 'WebM recordings pair with vorbis');
    assert.equal((await bytes(audio)).subarray(0, 4).toString('latin1'), 'OggS');

    const h264 = await uploadedRecording(call, { meeting_id: 'dl-aac', audio_config: { codec: 'MP3' } });
    const mp3 = await fetch(h264.audio_download_url);
    assert.equal(mp3.headers.get('content-type'), 'audio/mpeg');
    assert.ok((await bytes(mp3)).length > 500);
  });

  it('answers byte ranges with 206 and Content-Range, and 416 past the end', async () => {
    const recording = await uploadedRecording(call, { meeting_id: 'dl-range' });
    const whole = await bytes(await fetch(recording.download_url));
    const first = await fetch(recording.download_url, { headers: { range: 'bytes=0-7' } });
    assert.equal(first.status, 206);
    assert.equal(first.headers.get('content-range'), `bytes 0-7/${whole.length}`);
    assert.deepEqual(await bytes(first), whole.subarray(0, 8));
    const tail = await fetch(recording.download_url, { headers: { range: 'bytes=-10' } });
    assert.deepEqual(await bytes(tail), whole.subarray(whole.length - 10));
    const open = await fetch(recording.download_url, { headers: { range: `bytes=${whole.length - 3}-` } });
    assert.equal((await bytes(open)).length, 3);
    const beyond = await fetch(recording.download_url, { headers: { range: `bytes=${whole.length}-` } });
    assert.equal(beyond.status, 416);
    assert.equal(beyond.headers.get('content-range'), `bytes */${whole.length}`);
    await beyond.body?.cancel();
  });

  it('refuses a tampered URL with 403', async () => {
    const recording = await uploadedRecording(call, { meeting_id: 'dl-tamper' });
    const variants: ((url: URL) => void)[] = [
      (url) => url.searchParams.set('expires', String(Number(url.searchParams.get('expires')) + 3600)),
      (url) => url.searchParams.set('signature', 'A'.repeat(43)),
      (url) => url.searchParams.delete('signature'),
      (url) => (url.pathname = url.pathname.replace(/[^/]+$/, 'audio.m4a')),
    ];
    for (const change of variants) {
      const url = new URL(recording.download_url);
      change(url);
      const response = await fetch(url);
      assert.equal(response.status, 403, url.href);
      assert.match((await response.json()).error.message, /signature/);
    }
  });

  it('refuses an expired URL with 403, even though it was validly signed', async () => {
    // Downloads expire 25 simulated minutes after the upload: 1.5 s of real time at this speed.
    const short = await simulator({ speed: 1000, downloadTtlMs: 1_500_000 });
    after(() => short.close());
    const shortCall = v2(short);
    const recording = await uploadedRecording(shortCall, { meeting_id: 'dl-expiry' });
    assert.equal((await fetch(recording.download_url)).status, 200);
    const expired = await eventually(async () => {
      const response = await fetch(recording.download_url);
      return response.status === 403 ? response : null;
    }, 5000);
    assert.match((await expired.json()).error.message, /expired/);
    // The recording still lists its (now dead) link; its expiry lies in the simulated past.
    const listed = await shortCall('GET', '/recordings?meeting_id=dl-expiry&expired=true');
    assert.equal(listed.body.data.length, 1);
  });
});
