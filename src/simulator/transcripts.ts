/**
 * Transcripts and summaries of meeting sessions, as Dyte v2 makes them: a meeting that transcribes
 * (every meeting with `transcribe`, or one switched on through the control plane) gets a transcript CSV
 * shortly after its session ends, announced by a `meeting.transcript` webhook; a summary (plain text) is
 * made on request (`POST /sessions/{id}/summary`) and announced by `meeting.summary`. Both are served
 * through expiring signed links.
 */
import type { SimClock } from './clock.ts';
import { HttpError } from './http.ts';
import type { MeetingInfo, ParticipantInfo } from './render.ts';
import { iso, webhookMeeting } from './render.ts';
import type { WebhookEvent } from './validate.ts';

/**
 * The transcript's columns, as Dyte's (now RealtimeKit's) transcription guide documents them: one
 * utterance per row, its time in ISO 8601. (The OpenAPI files only say "CSV".)
 */
export const TRANSCRIPT_COLUMNS = [
  'Timestamp',
  'Participant ID',
  'User ID',
  'Custom Participant ID',
  'Participant Name',
  'Transcript',
] as const;

/** Simulated ms from the end of a session to its transcript, and from a request to its summary. */
export const TRANSCRIPT_DELAY_MS = 2000;
export const SUMMARY_DELAY_MS = 2000;

/** A file handed out through a signed link. */
export interface FileLink {
  url: string;
  /** Epoch ms. */
  expiresAt: number;
}

export type SessionFileName = 'transcript.csv' | 'summary.txt';

interface Session {
  meeting: MeetingInfo;
  speakers: string[];
  transcript: string | null;
  summary: string | null;
  summaryRequested: boolean;
}

const LINES = [
  'Good morning, everyone. Shall we start?',
  'Yes. First item: the release plan for next week.',
  'The build is green; we can ship on Tuesday.',
  'Then we need the release notes by Monday.',
  'I will write them and share them tomorrow.',
  'Great. Anything else? Then that is all for today.',
];

export class Transcripts {
  private readonly sessions = new Map<string, Session>();
  private readonly switches = new Map<string, boolean>();

  constructor(
    private readonly clock: SimClock,
    /** Whether meetings transcribe unless switched. */
    private readonly byDefault: boolean,
    private readonly emit: (event: WebhookEvent, payload: Record<string, unknown>) => void,
    private readonly link: (sessionId: string, file: SessionFileName) => FileLink,
  ) {}

  /** Switches transcription of one meeting on or off (for its sessions that end from now on). */
  setEnabled(meetingId: string, enabled: boolean): void {
    this.switches.set(meetingId, enabled);
  }

  enabled(meetingId: string): boolean {
    return this.switches.get(meetingId) ?? this.byDefault;
  }

  /** A session ended at `at` with these attendees: its transcript follows if the meeting transcribes. */
  sessionEnded(
    meeting: MeetingInfo & { sessionId: string },
    attendees: readonly ParticipantInfo[],
    at: number,
  ) {
    if (!this.enabled(meeting.id) || this.sessions.has(meeting.sessionId)) return;
    const speakers = [...new Set(attendees.map((attendee) => attendee.name))];
    const session: Session = { meeting, speakers, transcript: null, summary: null, summaryRequested: false };
    this.sessions.set(meeting.sessionId, session);
    this.clock.at(at + TRANSCRIPT_DELAY_MS, () => {
      session.transcript = transcriptCsv(attendees);
      const { url, expiresAt } = this.link(meeting.sessionId, 'transcript.csv');
      this.emit('meeting.transcript', {
        event: 'meeting.transcript',
        meeting: webhookMeeting(meeting),
        transcriptDownloadUrl: url,
        transcriptDownloadUrlExpiry: iso(expiresAt),
      });
    });
  }

  /** Starts making the session's summary (once); throws a 404 HttpError while it has no transcript. */
  requestSummary(sessionId: string): void {
    const session = this.withTranscript(sessionId);
    if (session.summaryRequested) return;
    session.summaryRequested = true;
    this.clock.at(this.clock.now() + SUMMARY_DELAY_MS, () => {
      session.summary = summaryText(session.meeting, session.speakers);
      const { url, expiresAt } = this.link(sessionId, 'summary.txt');
      this.emit('meeting.summary', {
        event: 'meeting.summary',
        meeting: webhookMeeting(session.meeting),
        summaryDownloadUrl: url,
        summaryDownloadUrlExpiry: iso(expiresAt),
      });
    });
  }

  /** A fresh link to the session's transcript or summary; throws a 404 HttpError while there is none. */
  fresh(sessionId: string, file: SessionFileName): FileLink {
    const session = this.withTranscript(sessionId);
    if (file === 'summary.txt' && session.summary === null) {
      throw new HttpError(404, `No summary for session ${sessionId} yet.`);
    }
    return this.link(sessionId, file);
  }

  /** The bytes behind a link, or null. */
  file(sessionId: string, file: string): { text: string; contentType: string } | null {
    const session = this.sessions.get(sessionId);
    if (file === 'transcript.csv' && session?.transcript) {
      return { text: session.transcript, contentType: 'text/csv; charset=utf-8' };
    }
    if (file === 'summary.txt' && session?.summary) {
      return { text: session.summary, contentType: 'text/plain; charset=utf-8' };
    }
    return null;
  }

  private withTranscript(sessionId: string): Session & { transcript: string } {
    const session = this.sessions.get(sessionId);
    if (!session?.transcript) throw new HttpError(404, `No transcript for session ${sessionId} yet.`);
    return session as Session & { transcript: string };
  }
}

/** One made-up line per attendee in turn, from the session's start, as CSV (RFC 4180 quoting). */
function transcriptCsv(attendees: readonly ParticipantInfo[]): string {
  const rows = [TRANSCRIPT_COLUMNS as readonly string[]];
  attendees.forEach((attendee, index) => {
    for (let turn = index; turn < LINES.length; turn += Math.max(1, attendees.length)) {
      rows.push([
        iso(attendee.joinedAt + (turn + 1) * 5000),
        attendee.id,
        attendee.id,
        attendee.id,
        attendee.name,
        LINES[turn]!,
      ]);
    }
  });
  const [header, ...lines] = rows;
  lines.sort((a, b) => a[0]!.localeCompare(b[0]!));
  return [header!, ...lines].map((row) => row.map(csvField).join(',')).join('\r\n') + '\r\n';
}

function csvField(value: string): string {
  return /[",\r\n]/.test(value) ? `"${value.replace(/"/g, '""')}"` : value;
}

function summaryText(meeting: MeetingInfo, speakers: readonly string[]): string {
  return [
    `The team met (${meeting.title}) with ${speakers.join(', ')}.`,
    'They agreed to ship the release on Tuesday, as the build is green.',
    'Release notes are due on Monday; they will be shared tomorrow.',
    'No other topics were raised.',
    '',
  ].join('\n');
}
