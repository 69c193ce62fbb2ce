/**
 * Transcripts and summaries of meeting sessions (v2 / RealtimeKit; v1 has none), related to the
 * session's recordings by `sessionId`. The proxy learns that they are ready from the
 * `meeting.transcript` / `meeting.summary` webhooks, or, while webhooks are silent, by asking the
 * upstream on each poll of a watched meeting about the sessions of its ended recordings. Once a
 * transcript is there it asks the upstream, once, to summarize it. Links are fetched fresh for every
 * download, like the recordings' own.
 */
import type { SummaryText } from '../core/contract.ts';
import { ApiError } from '../core/errors.ts';
import type { Recording } from '../core/recording.ts';
import { isActive } from '../core/status.ts';
import type { EventBus } from './bus.ts';
import type { RecordingService } from './recordings.ts';
import type { RecordingStore } from './store.ts';
import type { SessionFileKind, SessionFileLink, Upstream } from './upstream/types.ts';

/** The summary text the proxy reads on a browser's behalf is cut at this size. */
const MAX_SUMMARY_BYTES = 64 * 1024;
const SUMMARY_FETCH_TIMEOUT_MS = 5000;
const REMEMBERED_REQUESTS = 10_000;
/** The poll asks only about sessions whose recordings stopped this recently, and at most this many. */
const CHECK_WITHIN_MS = 24 * 3_600_000;
const CHECK_SESSIONS = 3;

export class SessionFileService {
  /** Sessions whose summary was asked for (once per session). */
  private readonly requested = new Set<string>();

  constructor(
    private readonly upstream: Upstream,
    private readonly service: RecordingService,
    private readonly store: RecordingStore,
    private readonly bus: EventBus,
    private readonly log: (line: string) => void,
  ) {}

  /** Whether the upstream makes transcripts and summaries at all. */
  get supported(): boolean {
    return this.upstream.sessionFile !== undefined;
  }

  /** A session file is ready (a webhook said so, or the upstream answered with it). */
  async heard(sessionId: string, kind: SessionFileKind): Promise<void> {
    const changed = await this.store.markSessionFiles(sessionId, { [kind]: true });
    for (const recording of changed) {
      await this.bus.publish(recording.meetingId, { type: 'recording', data: recording });
    }
    if (kind === 'transcript') await this.summarize(sessionId);
  }

  /**
   * The poll path: asks about the files still missing for the sessions of these recordings (newest
   * first) that stopped within a day, a few sessions at most.
   */
  async check(recordings: readonly Recording[]): Promise<void> {
    if (!this.supported) return;
    const recent = recordings.filter(
      (r) =>
        r.sessionId &&
        !isActive(r.status) &&
        r.stoppedAt !== null &&
        Date.now() - Date.parse(r.stoppedAt) < CHECK_WITHIN_MS,
    );
    const sessions = [...new Set(recent.map((r) => r.sessionId!))].slice(0, CHECK_SESSIONS);
    for (const sessionId of sessions) {
      try {
        const files = await this.store.sessionFiles(sessionId);
        for (const kind of ['transcript', 'summary'] as const) {
          if (files?.[kind]) continue;
          if (kind === 'summary' && !files?.transcript) continue;
          if (await this.upstream.sessionFile!(sessionId, kind)) await this.heard(sessionId, kind);
        }
      } catch (error) {
        this.log(`session files of ${sessionId} unknown: ${(error as Error).message}`);
      }
    }
  }

  /** A fresh link to the transcript or summary of a recording's session; 404 while there is none. */
  async link(meetingId: string, recordingId: string, kind: SessionFileKind): Promise<SessionFileLink> {
    const { recording } = await this.service.read(meetingId, recordingId);
    const link =
      this.supported && recording.sessionId
        ? await this.upstream.sessionFile!(recording.sessionId, kind)
        : null;
    if (!link) throw new ApiError(404, 'not_ready', `This recording has no ${kind} (yet).`);
    if (!recording[kind]) await this.heard(recording.sessionId!, kind);
    return link;
  }

  /** The text of a recording's summary, read from the upstream's storage for the browser. */
  async summaryText(meetingId: string, recordingId: string): Promise<SummaryText> {
    const { url } = await this.link(meetingId, recordingId, 'summary');
    let bytes: Uint8Array;
    try {
      const response = await fetch(url, { signal: AbortSignal.timeout(SUMMARY_FETCH_TIMEOUT_MS) });
      if (!response.ok) throw new Error(`HTTP ${response.status}`);
      bytes = new Uint8Array(await response.arrayBuffer());
    } catch (error) {
      this.log(`summary of recording ${recordingId} unreadable: ${(error as Error).message}`);
      throw new ApiError(502, 'upstream_unavailable', 'The summary cannot be read right now.');
    }
    const truncated = bytes.length > MAX_SUMMARY_BYTES;
    const text = new TextDecoder().decode(truncated ? bytes.subarray(0, MAX_SUMMARY_BYTES) : bytes);
    return { text, truncated };
  }

  private async summarize(sessionId: string): Promise<void> {
    if (!this.upstream.requestSummary || this.requested.has(sessionId)) return;
    const files = await this.store.sessionFiles(sessionId);
    if (files?.summary) return;
    this.requested.add(sessionId);
    if (this.requested.size > REMEMBERED_REQUESTS)
      this.requested.delete(this.requested.values().next().value!);
    try {
      await this.upstream.requestSummary(sessionId);
    } catch (error) {
      this.requested.delete(sessionId);
      this.log(`summary of session ${sessionId} not requested: ${(error as Error).message}`);
    }
  }
}
