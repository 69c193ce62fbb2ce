/**
 * Signed webhooks from the upstream: the signature (`dyte-signature` or `rtk-signature`, base64
 * RSA-SHA256 over the exact raw body) is checked before anything is read, deliveries are deduplicated
 * by their id (`dyte-uuid` / `rtk-uuid`), and recording and participant events are applied through the
 * same never-backwards path as everything else. Also: the idempotent registration of our URL.
 */
import { ApiError } from '../core/errors.ts';
import type { MeetingState } from '../core/contract.ts';
import { normalizeWebhookRecording, NormalizeError, webhookTime } from '../core/normalize.ts';
import { asObject, parseString } from '../core/parse.ts';
import type { RecordingStatus } from '../core/recording.ts';
import { isTerminal, statusRank } from '../core/status.ts';
import type { EventBus } from './bus.ts';
import type { Deliveries, Room, Rooms } from './coordination.ts';
import type { RecordingService } from './recordings.ts';
import type { RoomReading } from './room.ts';
import type { SessionFileService } from './sessions.ts';
import type { RecordingStore } from './store.ts';
import type { Upstream } from './upstream/types.ts';

/** The events we register for (the bench registers the same when it stands in for the proxy). */
export const WEBHOOK_EVENTS = [
  'recording.statusUpdate',
  'meeting.started',
  'meeting.ended',
  'meeting.participantJoined',
  'meeting.participantLeft',
];
/** Also registered where the upstream makes transcripts and summaries (v2, RealtimeKit). */
export const SESSION_WEBHOOK_EVENTS = ['meeting.transcript', 'meeting.summary'];
const WEBHOOK_NAME = 'dyte-recording-kit';
/** A fetched key is fetched again on a bad signature (key rotation), but not more often than this. */
const KEY_REFRESH_MS = 60_000;
const KEY_FETCH_TIMEOUT_MS = 2_000;

interface WebhookOptions {
  /**
   * PEM (SPKI) public keys, any of which may sign (several during a key rotation; one string may hold
   * several PEM blocks); when none, the key is fetched from the upstream's well-known URL and cached.
   */
  publicKey?: string | string[];
  /** Sent in every meeting state: how long the upstream lets a recording run in an empty room. */
  emptyTimeoutSeconds: number;
  /** Delivery ids already applied (shared between instances when the proxy runs as several). */
  deliveries: Deliveries;
  /** The rooms as participant webhooks describe them (shared between instances too). */
  rooms: Rooms;
  /** Where `meeting.transcript` / `meeting.summary` go; absent: the upstream makes none. */
  sessionFiles?: SessionFileService;
  log: (line: string) => void;
}

export class WebhookReceiver {
  private key: { value: Promise<CryptoKey[]>; fetchedAt: number } | null = null;
  private readonly configuredKeys: string[];

  constructor(
    private readonly upstream: Upstream,
    private readonly service: RecordingService,
    private readonly store: RecordingStore,
    private readonly bus: EventBus,
    private readonly options: WebhookOptions,
  ) {
    this.configuredKeys = [options.publicKey ?? []].flat().flatMap(splitPem);
  }

  /** Fails early on a configured key that is not a valid PEM public key. */
  async checkKey(): Promise<void> {
    if (this.configuredKeys.length > 0) await this.publicKeys();
  }

  /** Whether a verified webhook arrived within `withinMs`, as last heard (at once, for `/health`). */
  flowing(withinMs: number): boolean {
    return arrivedWithin(this.options.deliveries.lastVerifiedAt(), withinMs);
  }

  /**
   * The same, the other instances asked afresh: an instance the webhooks do not reach may not have
   * asked for a while, and a poll decided on that old word would read the upstream for nothing.
   */
  async flowingNow(withinMs: number): Promise<boolean> {
    return arrivedWithin(await this.options.deliveries.readLastVerifiedAt(), withinMs);
  }

  /**
   * Verifies and applies one delivery; throws ApiError (401 on a bad signature, with nothing applied).
   * A delivery seen before (same id, or the same signed body) is applied no further than a fresh read
   * of the upstream confirms.
   */
  async receive(headers: Headers, raw: Uint8Array<ArrayBuffer>): Promise<'applied' | 'duplicate'> {
    const signature = headers.get('dyte-signature') ?? headers.get('rtk-signature');
    if (!signature) throw new ApiError(401, 'invalid_signature', 'The webhook carries no signature.');
    if (!(await this.verify(signature, raw))) {
      // Logged with the request, one line per burst of them.
      throw new ApiError(401, 'invalid_signature', 'The webhook signature does not verify.');
    }
    this.options.deliveries.noteVerified();
    const body = parseBody(raw);
    // The delivery id is not signed: a replay may carry a new one. The body is, so its hash counts too.
    const claims = [headers.get('dyte-uuid') ?? headers.get('rtk-uuid'), await bodyDigest(raw)].filter(
      (claim): claim is string => claim !== null,
    );
    const claimed: string[] = [];
    for (const claim of claims) if (await this.options.deliveries.claim(claim)) claimed.push(claim);
    const duplicate = claimed.length < claims.length;
    try {
      await this.apply(body, duplicate);
    } catch (error) {
      // Not applied: a redelivery must be.
      for (const claim of claimed) await this.options.deliveries.release(claim).catch(() => undefined);
      throw error;
    }
    return duplicate ? 'duplicate' : 'applied';
  }

  /**
   * Weighs the upstream's count of the room against what webhooks said: facts older than the reading
   * give way to it, newer ones stay and count on top of it.
   */
  async reconcile(meetingId: string, reading: RoomReading): Promise<void> {
    await this.updateRoom(meetingId, (room) => {
      const heard = [room.sessionStartedAt ?? -Infinity, ...[...room.peers.values()].map((peer) => peer.at)];
      // A reading that names no time is as of now: after everything heard so far (the upstream's
      // clock is not ours, so "now" is the newest event time known).
      const at = reading.at ?? Math.max(...heard);
      if (!room.baseline || room.baseline.at <= at) {
        room.baseline = { count: reading.participants, at };
        for (const [id, peer] of room.peers) if (peer.at <= at) room.peers.delete(id);
      }
      return Number.isFinite(at) ? at : Date.now();
    });
  }

  /** Registers `url` for the events the proxy needs, reusing (and completing) an existing registration. */
  async register(url: string): Promise<'created' | 'reused' | 'updated'> {
    const events = this.options.sessionFiles
      ? [...WEBHOOK_EVENTS, ...SESSION_WEBHOOK_EVENTS]
      : WEBHOOK_EVENTS;
    const existing = (await this.upstream.webhooks()).find((webhook) => webhook.url === url);
    if (!existing) {
      await this.upstream.registerWebhook({ name: WEBHOOK_NAME, url, events });
      return 'created';
    }
    const missing = events.filter((event) => !existing.events.includes(event));
    if (missing.length === 0) return 'reused';
    await this.upstream.replaceWebhook(existing.id, {
      name: WEBHOOK_NAME,
      url,
      events: [...existing.events, ...missing],
    });
    return 'updated';
  }

  private async verify(signature: string, raw: Uint8Array<ArrayBuffer>): Promise<boolean> {
    const bytes = decodeBase64(signature);
    if (!bytes) return false;
    const check = async (keys: CryptoKey[]) => {
      for (const key of keys) {
        if (await crypto.subtle.verify('RSASSA-PKCS1-v1_5', key, bytes, raw).catch(() => false)) return true;
      }
      return false;
    };
    if (await check(await this.publicKeys())) return true;
    const configured = this.configuredKeys.length > 0;
    if (configured || !this.key || Date.now() - this.key.fetchedAt < KEY_REFRESH_MS) return false;
    this.key = null;
    return check(await this.publicKeys());
  }

  private publicKeys(): Promise<CryptoKey[]> {
    if (!this.key) {
      const pems =
        this.configuredKeys.length > 0
          ? Promise.resolve(this.configuredKeys)
          : this.fetchKey().then((pem) => [pem]);
      const value = pems.then((all) => Promise.all(all.map(importPublicKey)));
      this.key = { value, fetchedAt: Date.now() };
      // A failed fetch must not stick: the next delivery tries again.
      value.catch(() => {
        if (this.key?.value === value) this.key = null;
      });
    }
    return this.key.value;
  }

  private async fetchKey(): Promise<string> {
    const failed = () =>
      new ApiError(503, 'upstream_unavailable', 'The webhook signing key cannot be fetched right now.');
    let body: unknown;
    try {
      const response = await fetch(this.upstream.webhookKeyUrl, {
        signal: AbortSignal.timeout(KEY_FETCH_TIMEOUT_MS),
      });
      if (!response.ok) throw new Error(`HTTP ${response.status}`);
      body = await response.json();
    } catch (error) {
      this.options.log(`webhook key fetch failed: ${(error as Error).message}`);
      throw failed();
    }
    const object = asObject(body);
    const pem =
      parseString(object?.publicKey) ??
      parseString(asObject(object?.data)?.publicKey) ??
      parseString(object?.public_key);
    if (!pem) {
      this.options.log('webhook key fetch failed: no publicKey in the answer');
      throw failed();
    }
    return pem;
  }

  private async apply(body: Record<string, unknown>, duplicate: boolean): Promise<void> {
    const event = parseString(body.event);
    if (event === 'recording.statusUpdate') return this.applyRecording(body, duplicate);
    if (duplicate) return;
    const meeting = asObject(body.meeting);
    const meetingId = parseString(meeting?.id);
    if (!meetingId || !event?.startsWith('meeting.')) return;
    const sessionId = parseString(meeting?.sessionId);
    if (event === 'meeting.transcript' || event === 'meeting.summary') {
      if (sessionId)
        await this.options.sessionFiles?.heard(
          sessionId,
          event === 'meeting.transcript' ? 'transcript' : 'summary',
        );
      return;
    }
    const participant = asObject(body.participant);
    const sessionStartedAt = timeOf(meeting?.startedAt);
    if (event === 'meeting.participantJoined' || event === 'meeting.participantLeft') {
      const peer = parseString(participant?.peerId) ?? parseString(participant?.id);
      if (!peer) return;
      const joined = event === 'meeting.participantJoined';
      const at =
        timeOf(joined ? participant?.joinedAt : (participant?.leftAt ?? participant?.joinedAt)) ?? Date.now();
      await this.updateRoom(meetingId, (room) => {
        beginSession(room, sessionStartedAt);
        const known = room.peers.get(peer);
        // An older word about a peer never overrides a newer one, nor a word from an earlier session,
        // nor one the upstream's count already took in.
        const current =
          (room.sessionStartedAt === null || at >= room.sessionStartedAt) &&
          (room.baseline === null || at > room.baseline.at);
        const inBaseline = known ? known.inBaseline : (room.baseline?.count ?? 0) > 0 && !joined;
        if (current && (!known || known.at <= at)) room.peers.set(peer, { present: joined, at, inBaseline });
        return at;
      });
    } else if (event === 'meeting.started') {
      await this.updateRoom(meetingId, (room) => {
        beginSession(room, sessionStartedAt);
        return sessionStartedAt ?? Date.now();
      });
    } else if (event === 'meeting.ended') {
      await this.updateRoom(meetingId, (room) => endSession(room, sessionStartedAt) ?? Date.now());
    }
  }

  /**
   * A status update. Its body carries no time of its own, so it may be old: one that would move the
   * recording sideways (RECORDING ⇄ PAUSED), where an old word undoes a newer one, is not taken on
   * its word: one upstream read says where the recording is now. Any other move is forward-only and
   * safe whatever its age; a duplicate of one is dropped.
   */
  private async applyRecording(body: Record<string, unknown>, duplicate: boolean): Promise<void> {
    let report;
    try {
      report = normalizeWebhookRecording(body);
    } catch (error) {
      if (error instanceof NormalizeError) {
        throw new ApiError(400, 'bad_request', `The recording update cannot be read: ${error.message}.`);
      }
      throw error;
    }
    const known = await this.store.get(report.id);
    if (known && isSideways(known.status, report.status)) {
      // A recording the upstream does not know (any more) has nothing to confirm.
      await this.service.read(known.meetingId, report.id).catch((error: unknown) => {
        if (!(error instanceof ApiError && error.status === 404)) throw error;
      });
      return;
    }
    if (!duplicate) await this.service.absorb(report);
  }

  /** Applies `change` (which returns the time it happened) and publishes the room's state if it changed. */
  private async updateRoom(meetingId: string, change: (room: Room) => number): Promise<void> {
    const { at, participants } = await this.options.rooms.update(meetingId, (room) => ({
      at: change(room),
      participants: countParticipants(room),
    }));
    const previous = await this.store.meeting(meetingId);
    const emptySince = participants > 0 ? null : (previous?.emptySince ?? new Date(at).toISOString());
    const state: MeetingState = {
      participants,
      emptySince,
      emptyTimeoutSeconds: this.options.emptyTimeoutSeconds,
    };
    if (previous && previous.participants === participants && previous.emptySince === emptySince) return;
    await this.store.setMeeting(meetingId, state);
    await this.bus.publish(meetingId, { type: 'meeting', data: state });
  }
}

/** RECORDING ⇄ PAUSED: the one move of a status that can undo a newer one. */
function isSideways(known: RecordingStatus, next: RecordingStatus): boolean {
  return known !== next && statusRank(known) === statusRank(next) && !isTerminal(known);
}

async function bodyDigest(raw: Uint8Array<ArrayBuffer>): Promise<string> {
  const digest = new Uint8Array(await crypto.subtle.digest('SHA-256', raw));
  return `sha256:${Array.from(digest, (byte) => byte.toString(16).padStart(2, '0')).join('')}`;
}

function parseBody(raw: Uint8Array): Record<string, unknown> {
  let body: unknown;
  try {
    body = JSON.parse(new TextDecoder().decode(raw));
  } catch {
    throw new ApiError(400, 'invalid_json', 'The webhook body is not JSON.');
  }
  const object = asObject(body);
  if (!object) throw new ApiError(400, 'bad_request', 'The webhook body is not a JSON object.');
  return object;
}

/**
 * Everyone in the baseline, plus whoever joined since and minus whoever of the baseline left since
 * (a peer heard of first after the baseline was in it if its first word is a departure).
 */
function countParticipants(room: Room): number {
  let count = room.baseline?.count ?? 0;
  for (const peer of room.peers.values()) {
    if (peer.inBaseline) count -= peer.present ? 0 : 1;
    else count += peer.present ? 1 : 0;
  }
  return Math.max(0, count);
}

/** A new session (its start named by any meeting event) forgets whoever was last heard of before it. */
function beginSession(room: Room, startedAt: number | null): void {
  if (startedAt === null || (room.sessionStartedAt !== null && startedAt <= room.sessionStartedAt)) return;
  room.sessionStartedAt = startedAt;
  if (room.baseline && room.baseline.at < startedAt) room.baseline = null;
  for (const [id, peer] of room.peers) {
    if (peer.at < startedAt) room.peers.delete(id);
    else if (!room.baseline) peer.inBaseline = false;
  }
}

/**
 * `meeting.ended` says everyone left, but carries no time of its own: it came no earlier than the
 * session's start and the last departure heard of. Whoever was last heard of after that joined since
 * (a late delivery after a rejoin) and stays; an end of an older session changes nothing. Returns
 * when the room emptied, or null when the event names no time at all.
 */
function endSession(room: Room, startedAt: number | null): number | null {
  if (startedAt !== null && room.sessionStartedAt !== null && startedAt < room.sessionStartedAt) {
    return null;
  }
  const departures = [...room.peers.values()].filter((peer) => !peer.present).map((peer) => peer.at);
  const endedAt = Math.max(startedAt ?? -Infinity, ...departures);
  if (endedAt === -Infinity) return null;
  if (room.baseline && room.baseline.at <= endedAt) {
    room.baseline = null;
    for (const peer of room.peers.values()) peer.inBaseline = false;
  }
  for (const [id, peer] of room.peers) {
    if (peer.present && peer.at <= endedAt)
      room.peers.set(id, { present: false, at: endedAt, inBaseline: false });
  }
  return endedAt;
}

function timeOf(value: unknown): number | null {
  let time: string | null;
  try {
    time = webhookTime(value);
  } catch (error) {
    throw new ApiError(400, 'bad_request', `The meeting event cannot be read: ${(error as Error).message}.`);
  }
  return time === null ? null : Date.parse(time);
}

/** The PEM blocks of a text (a single key without markers counts as one). */
function splitPem(text: string): string[] {
  const normalized = text.replace(/\\n/g, '\n');
  const blocks = normalized.match(/-----BEGIN [A-Z ]+-----[\s\S]*?-----END [A-Z ]+-----/g);
  return blocks ?? (normalized.trim() === '' ? [] : [normalized]);
}

function decodeBase64(text: string): Uint8Array<ArrayBuffer> | null {
  try {
    const binary = atob(text.trim());
    const bytes = new Uint8Array(binary.length);
    for (let i = 0; i < binary.length; i += 1) bytes[i] = binary.charCodeAt(i);
    return bytes;
  } catch {
    return null;
  }
}

async function importPublicKey(pem: string): Promise<CryptoKey> {
  const base64 = pem
    .replace(/\\n/g, '\n')
    .replace(/-----(BEGIN|END) [A-Z ]+-----/g, '')
    .replace(/\s+/g, '');
  const der = decodeBase64(base64);
  if (!der) throw new ApiError(500, 'internal_error', 'The webhook public key is not valid PEM.');
  return crypto.subtle.importKey('spki', der, { name: 'RSASSA-PKCS1-v1_5', hash: 'SHA-256' }, false, [
    'verify',
  ]);
}

function arrivedWithin(last: number, withinMs: number): boolean {
  return last > 0 && Date.now() - last < withinMs;
}
