/**
 * The proxy's recording operations: every upstream report is folded into the store (never backwards)
 * and every visible change is published to the meeting's watchers, whoever caused it. Starts are
 * serialized per meeting and never retried: after an ambiguous failure the active recording is looked
 * up instead, so one click never makes two recordings.
 */
import { ApiError } from '../core/errors.ts';
import { shapeForRole } from '../core/contract.ts';
import type { Acknowledgement, RecordingAction } from '../core/contract.ts';
import type { Actor, Codec, Recording } from '../core/recording.ts';
import { isActive } from '../core/status.ts';
import type { EventBus } from './bus.ts';
import type { StartLock } from './coordination.ts';
import { ReadCache } from './read-cache.ts';
import type { RecordingStore } from './store.ts';
import { isAmbiguous, UpstreamRejection } from './upstream/http.ts';
import type { StorageConfig, Upstream } from './upstream/types.ts';

/** Recording options only the server chooses. */
export interface RecordingSettings {
  /** Codecs a browser may ask for; the first is used when it asks for none. */
  codecs: Codec[];
  maxSeconds?: number;
  fileNamePrefix?: string;
  storage?: StorageConfig;
}

interface DownloadTarget {
  url: string;
  expiresAt: string | null;
}

/** How many listing pages an ownership check reads when the upstream does not say a recording's meeting. */
const OWNERSHIP_SCAN_PAGES = 5;
const OWNERSHIP_SCAN_PAGE_SIZE = 100;

export class RecordingService {
  private readonly startQueue = new Map<string, Promise<unknown>>();
  /** Starts and controls in flight, by what was asked: a second click joins the first. */
  private readonly inFlight = new Map<string, Promise<Recording>>();

  constructor(
    readonly upstream: Upstream,
    private readonly store: RecordingStore,
    private readonly bus: EventBus,
    private readonly settings: RecordingSettings,
    /**
     * Keeps starts of one meeting apart across instances (the queue below does within this one), and
     * knows which recordings were first heard of, on any instance, while one was under way.
     */
    private readonly startLock: StartLock,
    /** The last answers of browser reads, served again for a short while. */
    private readonly reads: ReadCache = new ReadCache(0),
  ) {}

  /**
   * Folds a report in and tells the meeting's watchers when anything visible changed. `readSentAt`:
   * when the read that fetched the report was sent; none for news (a webhook, the answer to a write).
   */
  async absorb(report: Recording, readSentAt?: number): Promise<Recording> {
    const applied = await this.store.apply(report, readSentAt);
    // News (not a read's answer) makes the meeting's cached answers stale.
    if (applied.changed && readSentAt === undefined) this.reads.forget(report.meetingId);
    const recording = await this.withAcknowledgements(applied.recording);
    if (applied.first) await this.startLock.noteAppeared(recording.meetingId, recording.id);
    if (applied.changed) await this.bus.publish(recording.meetingId, { type: 'recording', data: recording });
    return recording;
  }

  /**
   * Records that `by` was told of the running recording (once per subject) and tells the watchers the
   * new count. Answers with `by`'s acknowledgement, and whether this request made it.
   */
  async acknowledge(
    meetingId: string,
    recordingId: string,
    by: Actor & { id: string },
  ): Promise<{ acknowledgement: Acknowledgement; created: boolean }> {
    // What the store knows is current enough: a status never goes back to active once it left.
    const known = await this.store.get(recordingId);
    if (known && known.meetingId !== meetingId) throw notFound();
    const recording = known ?? (await this.read(meetingId, recordingId)).recording;
    if (!isActive(recording.status)) {
      throw new ApiError(409, 'invalid_state', 'Only a running recording can be acknowledged.', {
        recording: shapeForRole(await this.withAcknowledgements(recording), 'viewer'),
      });
    }
    const created = await this.store.acknowledge(recordingId, meetingId, by, new Date().toISOString());
    const all = await this.store.acknowledgements(recordingId);
    if (created) {
      const data = await this.withAcknowledgements((await this.store.get(recordingId)) ?? recording);
      await this.bus.publish(meetingId, { type: 'recording', data });
    }
    return { acknowledgement: all.find((a) => a.id === by.id)!, created };
  }

  /** Who acknowledged a recording of `meetingId`, oldest first; `404` for another meeting's. */
  async acknowledgements(meetingId: string, recordingId: string): Promise<Acknowledgement[]> {
    const known = await this.store.get(recordingId);
    if (known?.meetingId !== meetingId) await this.read(meetingId, recordingId);
    return this.store.acknowledgements(recordingId);
  }

  private async withAcknowledgements(recording: Recording): Promise<Recording> {
    const all = await this.store.acknowledgements(recording.id);
    return { ...recording, acknowledgedBy: { count: all.length, names: all.map((a) => a.name ?? a.id) } };
  }

  async list(meetingId: string, offset: number, limit: number) {
    const page = await this.upstream.list(meetingId, offset, limit).catch((error: unknown) => {
      // The page was asked for by the browser: a refusal is about its cursor, not the proxy.
      if (error instanceof UpstreamRejection) {
        throw new ApiError(400, 'bad_request', 'The recording service has no such page.');
      }
      throw error;
    });
    const recordings = await Promise.all(page.recordings.map((report) => this.absorb(report, page.sentAt)));
    const active =
      offset === 0 ? (recordings.find((r) => isActive(r.status)) ?? null) : await this.active(meetingId);
    return { recordings, hasMore: page.hasMore, active };
  }

  /** `list`, answered from the meeting's last answer for this page while it is fresh. */
  cachedList(meetingId: string, offset: number, limit: number) {
    return this.reads.get(meetingId, `list ${offset} ${limit}`, () => this.list(meetingId, offset, limit));
  }

  async active(meetingId: string): Promise<Recording | null> {
    const { recording, sentAt } = await this.upstream.active(meetingId);
    return recording && (await this.absorb(recording, sentAt));
  }

  /** A fresh read of a recording of `meetingId`; `404` when it does not exist or belongs to another meeting. */
  async read(meetingId: string, recordingId: string) {
    const known = await this.store.get(recordingId);
    if (known && known.meetingId !== meetingId) throw notFound();
    const detail = await this.upstream.get(meetingId, recordingId);
    const belongs = detail.meetingStated
      ? detail.recording.meetingId === meetingId
      : known !== undefined || (await this.listedIn(meetingId, recordingId));
    if (!belongs) throw notFound();
    return { ...detail, recording: await this.absorb(detail.recording, detail.sentAt) };
  }

  start(meetingId: string, codec: Codec | undefined, by: Actor): Promise<Recording> {
    return this.joined(`start ${meetingId} ${by.id} ${codec}`, () => this.queuedStart(meetingId, codec, by));
  }

  /** The same ask while one is in flight (a second click) gets the first one's answer. */
  private joined(key: string, work: () => Promise<Recording>): Promise<Recording> {
    const pending = this.inFlight.get(key);
    if (pending) return pending;
    const started = work().finally(() => this.inFlight.delete(key));
    this.inFlight.set(key, started);
    return started;
  }

  private queuedStart(meetingId: string, codec: Codec | undefined, by: Actor): Promise<Recording> {
    // One start at a time per meeting: another host's start waits for the first, then meets `recording_active`.
    const previous = this.startQueue.get(meetingId) ?? Promise.resolve();
    const next = previous
      .catch(() => undefined)
      .then(() => this.startLock.run(meetingId, () => this.startNow(meetingId, codec, by)));
    this.startQueue.set(meetingId, next);
    const forget = () => {
      if (this.startQueue.get(meetingId) === next) this.startQueue.delete(meetingId);
    };
    next.then(forget, forget);
    return next;
  }

  private async startNow(meetingId: string, codec: Codec | undefined, by: Actor): Promise<Recording> {
    const { codecs, maxSeconds, fileNamePrefix, storage } = this.settings;
    let made: { report: Recording; readSentAt?: number };
    try {
      const report = await this.upstream.start(meetingId, {
        codec: codec ?? codecs[0] ?? 'H264',
        maxSeconds,
        fileNamePrefix,
        storage,
      });
      made = { report };
    } catch (error) {
      made = await this.afterFailedStart(meetingId, error);
    }
    await this.store.noteStarted(made.report.id, meetingId, by);
    return this.absorb(made.report, made.readSentAt);
  }

  /** Decides what a failed start means; returns the recording it made after all (as read), or throws. */
  private async afterFailedStart(
    meetingId: string,
    error: unknown,
  ): Promise<{ report: Recording; readSentAt: number }> {
    if (!(error instanceof UpstreamRejection) && !isAmbiguous(error)) throw error;
    const { recording: active, sentAt } = await this.upstream
      .active(meetingId)
      .catch(() => ({ recording: null, sentAt: 0 }));
    if (error instanceof UpstreamRejection) {
      if (active) throw recordingActive(await this.absorb(active, sentAt));
      if (error.status === 404)
        throw new ApiError(404, 'not_found', 'The recording service knows no such meeting.');
      throw new ApiError(502, 'upstream_error', 'The recording service refused to start a recording.');
    }
    // The start may have been applied: an active recording unknown before it began is the one it made.
    const appeared = await this.startLock.appeared(meetingId);
    if (active && (appeared.has(active.id) || !(await this.store.get(active.id)))) {
      return { report: active, readSentAt: sentAt };
    }
    if (active) throw recordingActive(await this.absorb(active, sentAt));
    throw error;
  }

  control(meetingId: string, recordingId: string, action: RecordingAction, by: Actor): Promise<Recording> {
    return this.joined(`${action} ${meetingId} ${recordingId}`, () =>
      this.controlNow(meetingId, recordingId, action, by),
    );
  }

  private async controlNow(
    meetingId: string,
    recordingId: string,
    action: RecordingAction,
    by: Actor,
  ): Promise<Recording> {
    const { recording } = await this.read(meetingId, recordingId);
    if (!ALLOWED_FROM[action](recording)) throw invalidState(action, recording);
    let report: Recording;
    try {
      report = await this.upstream.control(meetingId, recordingId, action);
    } catch (error) {
      if (!(error instanceof UpstreamRejection) && !isAmbiguous(error)) throw error;
      // The action may have happened anyway (a lost answer, or a webhook-speed race): look again.
      const fresh = await this.read(meetingId, recordingId).catch(() => null);
      if (!fresh || !REACHED_BY[action](fresh.recording)) {
        if (error instanceof UpstreamRejection) throw invalidState(action, fresh?.recording ?? recording);
        throw error;
      }
      report = fresh.recording;
    }
    if (action === 'stop') await this.store.noteStopped(recordingId, meetingId, by);
    return this.absorb(report);
  }

  async download(meetingId: string, recordingId: string, kind: 'video' | 'audio'): Promise<DownloadTarget> {
    const { recording, downloadUrl, audioDownloadUrl } = await this.read(meetingId, recordingId);
    // Viewers may download too: the recording in an error shows no names.
    if (recording.status === 'ERRORED') {
      throw new ApiError(404, 'not_found', 'The recording failed and has no file.', {
        recording: shapeForRole(recording, 'viewer'),
      });
    }
    if (recording.status !== 'UPLOADED') {
      throw new ApiError(409, 'not_ready', 'The recording cannot be downloaded until it is uploaded.', {
        recording: shapeForRole(recording, 'viewer'),
      });
    }
    const url = kind === 'audio' ? audioDownloadUrl : downloadUrl;
    if (!url) throw new ApiError(404, 'not_found', `This recording has no ${kind} file.`);
    const expiresAt = recording.downloadExpiresAt;
    if (expiresAt !== null && Date.parse(expiresAt) <= Date.now()) {
      throw new ApiError(410, 'download_expired', 'The recording is no longer available for download.');
    }
    return { url, expiresAt };
  }

  private async listedIn(meetingId: string, recordingId: string): Promise<boolean> {
    for (let page = 0; page < OWNERSHIP_SCAN_PAGES; page += 1) {
      const { recordings, hasMore } = await this.upstream.list(
        meetingId,
        page * OWNERSHIP_SCAN_PAGE_SIZE,
        OWNERSHIP_SCAN_PAGE_SIZE,
      );
      if (recordings.some((recording) => recording.id === recordingId)) return true;
      if (!hasMore) return false;
    }
    return false;
  }
}

const ALLOWED_FROM: Record<RecordingAction, (recording: Recording) => boolean> = {
  stop: (recording) => isActive(recording.status),
  pause: (recording) => recording.status === 'RECORDING',
  resume: (recording) => recording.status === 'PAUSED',
};

/** Whether a recording already shows the effect of an action. */
const REACHED_BY: Record<RecordingAction, (recording: Recording) => boolean> = {
  stop: (recording) => !isActive(recording.status),
  pause: (recording) => recording.status === 'PAUSED',
  resume: (recording) => recording.status === 'RECORDING',
};

function notFound(): ApiError {
  return new ApiError(404, 'not_found', 'No such recording.');
}

function recordingActive(recording: Recording): ApiError {
  return new ApiError(409, 'recording_active', 'This meeting is already being recorded.', { recording });
}

function invalidState(action: RecordingAction, recording: Recording): ApiError {
  return new ApiError(
    409,
    'invalid_state',
    `The recording cannot ${action} while it is ${recording.status.toLowerCase()}.`,
    { recording },
  );
}
