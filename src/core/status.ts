import type { MeetingState } from './contract.ts';
import type { Recording, RecordingStatus } from './recording.ts';
import { mergePauses } from './pause.ts';

/**
 * How far along its life a status is. RECORDING and PAUSED share a rank because a recording moves
 * between them both ways; everything else only moves forward.
 */
const RANK: Record<RecordingStatus, number> = {
  INVOKED: 0,
  RECORDING: 1,
  PAUSED: 1,
  UPLOADING: 2,
  UPLOADED: 3,
  ERRORED: 3,
};

export function statusRank(status: RecordingStatus): number {
  return RANK[status];
}

/** The recorder holds the meeting: a second recording cannot start. */
export function isActive(status: RecordingStatus): boolean {
  return status === 'INVOKED' || status === 'RECORDING' || status === 'PAUSED';
}

/** Nothing will change any more. */
export function isTerminal(status: RecordingStatus): boolean {
  return status === 'UPLOADED' || status === 'ERRORED';
}

/**
 * How a report stands in time to what is already known. A report is `newer` when it cannot predate
 * the last known change: a webhook, the answer to a write, a read sent after the change was learned.
 * It `may-be-older` when it was on its way while a change was learned (a poll sent before a pause was
 * answered): such a report may still move a recording to a higher rank — that is news whatever its
 * age — but never between the two statuses of one rank, where it would undo the change.
 */
export type ReportAge = 'newer' | 'may-be-older';

/**
 * Whether an update carrying `next` may replace what we know at `current`: never backwards, and
 * sideways (RECORDING ⇄ PAUSED) only when the update is `newer` than what is known.
 */
export function canAdvance(
  current: RecordingStatus,
  next: RecordingStatus,
  age: ReportAge = 'newer',
): boolean {
  if (current === next) return true;
  if (isTerminal(current)) return false;
  if (RANK[next] === RANK[current]) return age === 'newer';
  return RANK[next] > RANK[current];
}

/**
 * Folds a report about a recording into what is known. A report that may not move the status (see
 * `canAdvance`: a late webhook, a stale poll) only fills fields still unknown (and a report of
 * another terminal outcome fills none); otherwise the report
 * wins and fields it leaves empty keep their known values. `age` defaults to `newer`, which suits
 * reports taken in the order they were produced (the events of the proxy's stream); a caller that also
 * folds in answers to reads it sent earlier says which ones `may-be-older`.
 */
export function mergeRecording(known: Recording, report: Recording, age: ReportAge = 'newer'): Recording {
  const forward = canAdvance(known.status, report.status, age);
  // A report of another ending (ERRORED after UPLOADED, or the reverse) tells nothing about this one.
  if (!forward && isTerminal(known.status) && isTerminal(report.status) && known.status !== report.status)
    return known;
  const [base, filler] = forward ? [report, known] : [known, report];
  const merged = { ...base };
  for (const key of Object.keys(filler) as (keyof Recording)[]) {
    if (merged[key] === null || merged[key] === undefined) {
      (merged as Record<keyof Recording, unknown>)[key] = filler[key];
    }
  }
  if (!forward) return mergePauses(known, report, merged);
  // Download facts belong to the newest report only: an expired link must not be revived.
  merged.downloadable = report.downloadable;
  merged.audioDownloadable = report.audioDownloadable;
  return mergePauses(known, report, merged);
}

/** True when the merge changed anything a watcher would see. */
export function recordingChanged(before: Recording, after: Recording): boolean {
  return (Object.keys(after) as (keyof Recording)[]).some(
    (key) => JSON.stringify(before[key]) !== JSON.stringify(after[key]),
  );
}

/**
 * When the upstream will stop `active` because the room is empty (ISO 8601), or null when it will not:
 * the room is occupied, or no recording is active. The upstream counts the timeout from the later of
 * the moment the room emptied and the recording's start (a recording started in an empty room gets
 * the whole timeout).
 */
export function emptyRoomStopAt(meeting: MeetingState | null, active: Recording | null): string | null {
  if (!meeting || meeting.emptySince === null || !active || !isActive(active.status)) return null;
  const emptySince = Date.parse(meeting.emptySince);
  const invokedAt = active.invokedAt === null ? emptySince : Date.parse(active.invokedAt);
  return new Date(Math.max(emptySince, invokedAt) + meeting.emptyTimeoutSeconds * 1000).toISOString();
}
