/**
 * One shared view per watched meeting: its first page of recordings and its room state, loaded once
 * and kept current by the event bus. While webhooks are not arriving, one upstream poll per watched
 * meeting refreshes it (faster while a recording is starting or uploading); the poll stops when the
 * last watcher leaves. However many browsers watch, the upstream sees one poll; however many
 * instances watch, too: only the holder of the meeting's poll lease polls, and instances that start
 * watching together share one first page.
 */
import type { MeetingState } from '../core/contract.ts';
import { ApiError } from '../core/errors.ts';
import type { Recording } from '../core/recording.ts';
import { isActive } from '../core/status.ts';
import type { EventBus, SequencedEvent } from './bus.ts';
import type { PageShare, PollLease } from './coordination.ts';
import type { RecordingService } from './recordings.ts';
import type { RecordingStore } from './store.ts';
import { newestFirst } from './upstream/envelope.ts';

export interface PollIntervals {
  /** While a recording is INVOKED or UPLOADING (a change is due soon). */
  activeMs: number;
  /** Otherwise. */
  idleMs: number;
}

export interface MeetingView {
  /** Newest first. */
  recordings: Recording[];
  hasMore: boolean;
  active: Recording | null;
  meeting: MeetingState | null;
}

interface Watch {
  watchers: number;
  recordings: Recording[] | null;
  hasMore: boolean;
  meeting: MeetingState | null;
  loading: Promise<void> | null;
  timer: ReturnType<typeof setTimeout> | null;
  unsubscribe: () => void;
  /** Serialized answers built from the current first page (see `cachedBody`); emptied when it changes. */
  bodies: Map<string, string>;
}

export class MeetingWatches {
  private readonly watches = new Map<string, Watch>();

  constructor(
    private readonly service: RecordingService,
    private readonly bus: EventBus,
    private readonly store: RecordingStore,
    private readonly options: {
      pageSize: number;
      intervals: PollIntervals;
      /** True while signed webhooks keep the proxy informed (polls then pause). */
      webhooksFlowing: () => Promise<boolean>;
      /** Which instance polls the meeting (the others learn its findings through the bus). */
      lease: PollLease;
      /** A first page another instance just loaded, taken instead of reading the upstream again. */
      pages: PageShare;
      /** Reads who is in the room from the upstream (see room.ts): on each load, i.e. at watch start and per poll. */
      readRoom: (meetingId: string, watchStart: boolean) => Promise<void>;
      /** Looks for the transcripts and summaries of loaded recordings (see sessions.ts); never throws. */
      checkSessions: (recordings: readonly Recording[]) => Promise<void>;
      log: (line: string) => void;
    },
  ) {}

  /** Starts watching (the first watcher starts the shared view and its poll); returns the release. */
  acquire(meetingId: string): () => void {
    let watch = this.watches.get(meetingId);
    if (!watch) {
      const created: Watch = {
        watchers: 0,
        recordings: null,
        hasMore: false,
        meeting: null,
        loading: null,
        timer: null,
        unsubscribe: () => undefined,
        bodies: new Map(),
      };
      const unsubscribe = this.bus.subscribe(meetingId, (event) => this.onEvent(created, event));
      const unlease = this.options.lease.watch(meetingId);
      created.unsubscribe = () => {
        unsubscribe();
        unlease();
      };
      this.watches.set(meetingId, created);
      this.poll(meetingId, created, true);
      watch = created;
    }
    watch.watchers += 1;
    let released = false;
    return () => {
      if (released) return;
      released = true;
      this.release(meetingId);
    };
  }

  /** The meeting's current view, loading it from the upstream first if needed (one load for all). */
  async view(meetingId: string): Promise<MeetingView> {
    const watch = this.watches.get(meetingId);
    if (!watch) throw new Error(`meeting ${meetingId} is not watched`);
    if (watch.recordings === null) await this.load(meetingId, watch);
    return this.present(watch, this.options.pageSize);
  }

  /** The view of a watched, loaded meeting cut to `limit`, or null (the caller then asks the upstream). */
  cached(meetingId: string, limit: number): MeetingView | null {
    const watch = this.watches.get(meetingId);
    if (!watch || watch.recordings === null || limit > this.options.pageSize) return null;
    return this.present(watch, limit);
  }

  /**
   * A serialized answer built from the watched first page: built by `render` once per `variant` (the
   * caller's role, say) for each version of the page, then served as is. Null when not cached.
   */
  cachedBody(meetingId: string, variant: string, render: (view: MeetingView) => string): string | null {
    const watch = this.watches.get(meetingId);
    if (!watch || watch.recordings === null) return null;
    let body = watch.bodies.get(variant);
    if (body === undefined) {
      body = render(this.present(watch, this.options.pageSize));
      watch.bodies.set(variant, body);
    }
    return body;
  }

  close(): void {
    for (const [meetingId, watch] of this.watches) this.stop(meetingId, watch);
  }

  private present(watch: Watch, limit: number): MeetingView {
    const all = watch.recordings ?? [];
    return {
      recordings: all.slice(0, limit),
      hasMore: watch.hasMore || all.length > limit,
      active: all.find((recording) => isActive(recording.status)) ?? null,
      meeting: watch.meeting,
    };
  }

  private release(meetingId: string): void {
    const watch = this.watches.get(meetingId);
    if (!watch) return;
    watch.watchers -= 1;
    if (watch.watchers <= 0) this.stop(meetingId, watch);
  }

  private stop(meetingId: string, watch: Watch): void {
    if (watch.timer) clearTimeout(watch.timer);
    watch.timer = null;
    watch.unsubscribe();
    this.watches.delete(meetingId);
  }

  private load(meetingId: string, watch: Watch): Promise<void> {
    watch.loading ??= this.refresh(meetingId, watch).finally(() => {
      watch.loading = null;
    });
    return watch.loading;
  }

  private async refresh(meetingId: string, watch: Watch): Promise<void> {
    const start = watch.recordings === null;
    const [page, meeting] = await Promise.all([
      start ? this.sharedFirstPage(meetingId) : this.firstPage(meetingId),
      this.options.readRoom(meetingId, start).then(() => this.store.meeting(meetingId)),
    ]);
    // Recordings heard of while the page was on its way (a start, a webhook) stay until a page shows them.
    const listed = new Set(page.recordings.map((recording) => recording.id));
    const heard = (watch.recordings ?? []).filter((recording) => !listed.has(recording.id));
    const merged = newestFirst([...page.recordings, ...heard]);
    watch.recordings = merged.slice(0, this.options.pageSize);
    watch.bodies.clear();
    watch.hasMore = page.hasMore || merged.length > this.options.pageSize;
    watch.meeting = meeting ?? watch.meeting;
    this.schedule(meetingId, watch);
    void this.options.checkSessions(watch.recordings);
  }

  private firstPage(meetingId: string) {
    return this.service.list(meetingId, 0, this.options.pageSize);
  }

  /** The first page, maybe another instance's, brought up to date from the bus (else read afresh). */
  private async sharedFirstPage(meetingId: string) {
    const { page, since } = await this.options.pages.first(
      meetingId,
      () => this.firstPage(meetingId),
      () => this.bus.lastId(meetingId),
    );
    if (since === null) return page;
    const missed = await this.bus.since(meetingId, since);
    if (!missed) return this.firstPage(meetingId);
    const fresh = new Map(page.recordings.map((recording) => [recording.id, recording]));
    for (const event of missed) if (event.type === 'recording') fresh.set(event.data.id, event.data);
    const recordings = newestFirst([...fresh.values()]);
    return { ...page, recordings, active: recordings.find((r) => isActive(r.status)) ?? null };
  }

  private schedule(meetingId: string, watch: Watch, delayMs?: number): void {
    if (this.watches.get(meetingId) !== watch) return;
    if (watch.timer) clearTimeout(watch.timer);
    const { activeMs, idleMs } = this.options.intervals;
    watch.timer = setTimeout(
      () => this.poll(meetingId, watch),
      delayMs ?? (inTransition(watch.recordings) ? activeMs : idleMs),
    );
  }

  private poll(meetingId: string, watch: Watch, first = false): void {
    watch.timer = null;
    if (this.watches.get(meetingId) !== watch) return;
    if (first) return this.pollNow(meetingId, watch);
    if (!this.options.lease.holds(meetingId)) return this.schedule(meetingId, watch);
    // Unsure whether webhooks flow (the shared word cannot be read): polling loses nothing.
    this.options.webhooksFlowing().then(
      (flowing) => (flowing ? this.schedule(meetingId, watch) : this.pollNow(meetingId, watch)),
      () => this.pollNow(meetingId, watch),
    );
  }

  private pollNow(meetingId: string, watch: Watch): void {
    if (this.watches.get(meetingId) !== watch) return;
    this.load(meetingId, watch).catch((error: unknown) => {
      const retryAfter = error instanceof ApiError ? Number(error.headers['Retry-After']) : NaN;
      this.options.log(`poll of meeting ${meetingId} failed: ${(error as Error).message}`);
      this.schedule(meetingId, watch, Number.isFinite(retryAfter) ? retryAfter * 1000 : undefined);
    });
  }

  private onEvent(watch: Watch, event: SequencedEvent): void {
    if (event.type === 'meeting') {
      watch.meeting = event.data;
      return;
    }
    if (watch.recordings === null) return;
    const recording = event.data;
    const wasInTransition = inTransition(watch.recordings);
    const others = watch.recordings.filter((r) => r.id !== recording.id);
    const updated = newestFirst([recording, ...others]);
    if (updated.length > this.options.pageSize) {
      updated.length = this.options.pageSize;
      watch.hasMore = true;
    }
    watch.recordings = updated;
    watch.bodies.clear();
    // A start (or stop) heard of between polls: the next poll comes at the quicker pace, not after
    // the idle wait the last poll set (the recording's own changes are only seen by polling).
    if (!wasInTransition && inTransition(updated) && watch.timer) this.schedule(event.meetingId, watch);
  }
}

/** A recording is starting or uploading: its next change comes soon, so polls come quicker. */
function inTransition(recordings: readonly Recording[] | null): boolean {
  return recordings?.some((r) => r.status === 'INVOKED' || r.status === 'UPLOADING') ?? false;
}
