/**
 * The live store: one per (endpoint, meeting) in a page, shared by every element watching that meeting.
 * The first subscriber opens the event stream and the last one closes it. Server state is merged so a
 * status never moves backwards; local requests show as `pending` until the proxy answers.
 */
import type {
  Acknowledgement,
  DownloadLink,
  MeetingState,
  RecordingAction,
  RecordingList,
  SummaryText,
} from '../core/contract.ts';
import { ApiError } from '../core/errors.ts';
import type { Recording } from '../core/recording.ts';
import { isRecordingStatus } from '../core/recording.ts';
import { isActive, mergeRecording } from '../core/status.ts';
import { INITIAL_STATE } from '../core/view.ts';
import type { Connection, LiveError, LiveState, Pending } from '../core/view.ts';
import { Api } from './api.ts';
import { openStream } from './stream.ts';

/** Where a watcher's token comes from. */
export interface TokenHolder {
  /** A fixed token (the `token` attribute). */
  readonly token: string;
  /** Gives a token, called again when the last one was refused. Wins over `token`. */
  readonly tokenProvider?: (() => Promise<string>) | undefined;
}

/** An element watching the store: told of every change, and asked for the token. */
export interface Subscriber {
  changed(): void;
  readonly host: TokenHolder;
}

export type DownloadKind = 'video' | 'audio' | 'transcript' | 'summary';

export class LiveRecording {
  /** What the elements render; replaced, never mutated, on every change. */
  state: LiveState = INITIAL_STATE;
  readonly api: Api;
  readonly #subscribers = new Set<Subscriber>();
  /** Closes the event stream, while one is open. */
  #close: (() => void) | undefined;
  /** The last token a tokenProvider gave. */
  #provided: string | undefined;
  /** An older page was loaded: later snapshots must not move the cursor back to page two. */
  #paged = false;
  /** When (`performance.now()`) the last report was folded in: a read sent earlier may be older. */
  #learnedAt = 0;
  /** `/meetings/<id>`, the prefix of the meeting's routes. */
  readonly #path: string;
  readonly #forget: () => void;
  /** Summaries read or being read, by recording (a session's summary does not change once made). */
  readonly #summaries = new Map<string, string | undefined>();

  /** The store of `meetingId` behind `endpoint`; `forget` drops it from the page's registry. */
  constructor(endpoint: string, meetingId: string, forget: () => void) {
    this.api = new Api(endpoint, (refresh) => this.#token(refresh));
    this.#path = `/meetings/${encodeURIComponent(meetingId)}`;
    this.#forget = forget;
  }

  /** Adds a watcher; returns its release. The stream lives while anybody watches. */
  subscribe(subscriber: Subscriber): () => void {
    this.#subscribers.add(subscriber);
    if (!this.#close) this.#open();
    return () => {
      this.#subscribers.delete(subscriber);
      // Deferred, so an element moved in the DOM (disconnected, then connected again) keeps the stream.
      queueMicrotask(() => {
        if (this.#subscribers.size || !this.#close) return;
        this.#close();
        this.#close = undefined;
        this.#forget();
      });
    };
  }

  /** The first watcher: the one whose store-wide events bubble, so the page hears each of them once. */
  leads(subscriber: Subscriber): boolean {
    return this.#subscribers.values().next().value === subscriber;
  }

  /** Reconnects now, forgetting the backoff (the "Retry" of an element). */
  retry(): void {
    this.#close?.();
    this.#set({ error: null, connection: 'connecting' });
    this.#open();
  }

  /** Starts a recording; the proxy answers with it (INVOKED). */
  start(codec?: string): Promise<Recording> {
    return this.#act('start', `${this.#path}/recordings`, 'POST', { codec }); // JSON leaves an undefined codec out
  }

  /** Stops, pauses or resumes the active recording. */
  control(action: RecordingAction): Promise<Recording> {
    const active = this.state.active;
    if (!active) return Promise.reject(new ApiError(409, 'invalid_state', 'No recording is active.'));
    return this.#act(action, `/recordings/${encodeURIComponent(active.id)}`, 'PUT', { action });
  }

  /** Fetches the next page of the list. */
  async loadMore(): Promise<void> {
    const cursor = this.state.nextCursor;
    if (!cursor) return;
    const sentAt = performance.now();
    const page = await this.api.json<RecordingList>(
      `${this.#path}/recordings?cursor=${encodeURIComponent(cursor)}`,
    );
    this.#paged = true;
    this.#update(page.recordings, { nextCursor: page.nextCursor }, sentAt, true);
  }

  /** A fresh, short-lived download link (never cached: each click asks again). */
  download(recordingId: string, kind: DownloadKind): Promise<DownloadLink> {
    return this.api.json<DownloadLink>(
      `/recordings/${encodeURIComponent(recordingId)}/download?kind=${kind}`,
    );
  }

  /** Tells the proxy that this participant saw the notice of the running recording (once per subject). */
  acknowledge(recordingId: string): Promise<Acknowledgement> {
    return this.api.json<Acknowledgement>(`/recordings/${encodeURIComponent(recordingId)}/acknowledgements`, {
      method: 'POST',
    });
  }

  /**
   * The summary text of a recording's session: undefined until read, which the first ask starts (the
   * watchers are told when it arrives; a failed read is tried again on the next ask).
   */
  summary(recordingId: string): string | undefined {
    const summaries = this.#summaries;
    if (!summaries.has(recordingId)) {
      summaries.set(recordingId, undefined);
      this.api.json<SummaryText>(`/recordings/${encodeURIComponent(recordingId)}/summary`).then(
        ({ text }) => {
          summaries.set(recordingId, text);
          this.#set({});
        },
        () => summaries.delete(recordingId),
      );
    }
    return summaries.get(recordingId);
  }

  #open() {
    this.#close = openStream(this.api, this.#path, {
      event: (type, data, sentAt) => this.#receive(type, data, sentAt),
      health: (connection, error) => this.#health(connection, error),
    });
  }

  async #token(refresh: boolean): Promise<string> {
    const holders = [...this.#subscribers].map((s) => s.host);
    const provider = holders.find((h) => h.tokenProvider)?.tokenProvider;
    if (provider && (refresh || !this.#provided)) this.#provided = await provider();
    const token = provider ? this.#provided : holders.find((h) => h.token)?.token;
    if (!token)
      throw new ApiError(401, 'unauthorized', 'No token: set the token attribute or tokenProvider.');
    return token;
  }

  async #act(pending: Pending, path: string, method: string, body: object): Promise<Recording> {
    this.#set({ pending });
    try {
      const recording = await this.api.json<Recording>(path, { method, body });
      this.#update([recording]);
      return recording;
    } catch (error) {
      // A start refused because one is already running still tells us which one.
      const active = (error as ApiError).extra?.recording;
      if (isRecording(active)) this.#update([active]);
      throw error;
    } finally {
      this.#set({ pending: null });
    }
  }

  #receive(type: string, data: unknown, sentAt?: number) {
    if (type === 'snapshot' && Array.isArray((data as RecordingList).recordings)) {
      const list = data as RecordingList;
      this.#update(
        list.active ? [list.active, ...list.recordings] : list.recordings,
        {
          loaded: true,
          nextCursor: this.#paged ? this.state.nextCursor : list.nextCursor,
          permissions: list.permissions,
          skewMs: Date.parse(list.serverTime) - Date.now() || 0,
        },
        sentAt,
      );
    } else if (type === 'recording' && isRecording(data)) this.#update([data]);
    else if (type === 'meeting') this.#set({ meeting: data as MeetingState });
  }

  #health(connection: Connection, error?: unknown) {
    const kept = connection === 'reconnecting' ? this.state.error : null;
    this.#set({ connection, error: error === undefined ? kept : toLiveError(error) });
  }

  /**
   * Folds `reports` into the known list (statuses never regress) and applies `patch`. New recordings go
   * first, or last for an older page; a snapshot's order wins over the known order for what it carries.
   * `sentAt` is when the read that brought them was sent: one sent before the last report was folded in
   * may be older than it (stream events and answers to writes are not).
   */
  #update(reports: Recording[], patch: Partial<LiveState> = {}, sentAt = Infinity, older = false) {
    const age = sentAt < this.#learnedAt ? 'may-be-older' : 'newer';
    this.#learnedAt = performance.now();
    const known = new Map(this.state.recordings.map((r) => [r.id, r]));
    const fresh = new Map<string, Recording>();
    for (const report of reports) {
      const before = fresh.get(report.id) ?? known.get(report.id);
      fresh.set(report.id, before ? mergeRecording(before, report, age) : report);
    }
    const rest = this.state.recordings.filter((r) => !fresh.has(r.id));
    const recordings = older ? [...rest, ...fresh.values()] : [...fresh.values(), ...rest];
    this.#set({ ...patch, recordings, active: recordings.find((r) => isActive(r.status)) ?? null });
  }

  #set(patch: Partial<LiveState>) {
    this.state = { ...this.state, ...patch };
    for (const subscriber of this.#subscribers) subscriber.changed();
  }
}

function isRecording(value: unknown): value is Recording {
  const recording = value as Recording | null;
  return typeof recording?.id === 'string' && isRecordingStatus(recording.status);
}

/** The code and message of a failure; one without a code (fetch's TypeError) is a network error. */
export function toLiveError(error: unknown): LiveError {
  const { code = 'network_error', message = String(error) } = error as Partial<LiveError>;
  return { code, message };
}

const stores = new Map<string, LiveRecording>();

/** The page's one store for this meeting behind this endpoint. */
export function liveRecording(endpoint: string, meetingId: string): LiveRecording {
  const key = `${endpoint}\n${meetingId}`;
  let store = stores.get(key);
  if (!store) stores.set(key, (store = new LiveRecording(endpoint, meetingId, () => stores.delete(key))));
  return store;
}
