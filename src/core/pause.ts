/**
 * Paused time. The upstream reports no pause intervals, so the proxy learns them from the status
 * changes it folds in (RECORDING → PAUSED → RECORDING) and carries them on every recording
 * (`pausedSeconds`, `pausedAt`); the elements' clocks leave them out (`recordedSeconds` in `view.ts`).
 */
import type { Recording } from './recording.ts';

/**
 * What a merge keeps of the pause facts: the paused total never shrinks (an upstream report carries
 * 0), and a pause's start belongs to a PAUSED status only. (A recording kept or sent before these
 * facts existed lacks them: counted as no pause.)
 */
export function mergePauses(known: Recording, report: Recording, merged: Recording): Recording {
  return {
    ...merged,
    pausedSeconds: Math.max(known.pausedSeconds ?? 0, report.pausedSeconds ?? 0),
    pausedAt: merged.status === 'PAUSED' ? merged.pausedAt : null,
  };
}

/**
 * `merged` (what a fold of a report into `before` gave) with the pause that began or ended at `atMs`
 * accounted: a pause seen beginning notes its start; one seen ending (resumed, or stopped while
 * paused) adds its length to the total. `atMs` is the proxy's clock, like `pausedAt`: no upstream
 * report stamps a pause or a resume, and its own times (`stoppedAt`) are on another clock.
 */
export function accountPause(before: Recording | null, merged: Recording, atMs: number): Recording {
  const wasPaused = before?.status === 'PAUSED';
  const paused = merged.status === 'PAUSED';
  if (paused && !wasPaused) return { ...merged, pausedAt: new Date(atMs).toISOString() };
  if (!wasPaused || paused || !before.pausedAt) return merged;
  const lengthMs = Math.max(0, atMs - Date.parse(before.pausedAt));
  return { ...merged, pausedSeconds: (Math.round(merged.pausedSeconds * 1000) + lengthMs) / 1000 };
}
