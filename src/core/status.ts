import type { Recording, RecordingStatus } from './recording.ts';

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

/** Whether an update carrying `next` may replace what we know at `current` (never backwards). */
export function canAdvance(current: RecordingStatus, next: RecordingStatus): boolean {
  if (current === next) return true;
  if (isTerminal(current)) return false;
  return RANK[next] >= RANK[current];
}

/**
 * Folds a newer report about a recording into what is known. A report that would move the status
 * backwards (a late webhook, a stale poll) only fills fields still unknown; otherwise the report wins
 * and fields it leaves empty keep their known values.
 */
export function mergeRecording(known: Recording, report: Recording): Recording {
  const forward = canAdvance(known.status, report.status);
  const [base, filler] = forward ? [report, known] : [known, report];
  const merged = { ...base };
  for (const key of Object.keys(filler) as (keyof Recording)[]) {
    if (merged[key] === null || merged[key] === undefined) {
      (merged as Record<keyof Recording, unknown>)[key] = filler[key];
    }
  }
  if (!forward) return merged;
  // Download facts belong to the newest report only: an expired link must not be revived.
  merged.downloadable = report.downloadable;
  merged.audioDownloadable = report.audioDownloadable;
  return merged;
}

/** True when the merge changed anything a watcher would see. */
export function recordingChanged(before: Recording, after: Recording): boolean {
  return (Object.keys(after) as (keyof Recording)[]).some(
    (key) => JSON.stringify(before[key]) !== JSON.stringify(after[key]),
  );
}
