// Test fixtures shared by node tests (test/core) and browser tests (test/client, test/components):
// plain TypeScript over core types, no Node or DOM APIs.
import type { Recording } from '../../src/core/recording.ts';

/** A Recording with every optional fact unknown, but what `overrides` gives. */
export function recordingFixture(overrides: Partial<Recording> = {}): Recording {
  return {
    id: 'r1',
    meetingId: 'm1',
    status: 'INVOKED',
    codec: null,
    outputFileName: null,
    invokedAt: null,
    startedAt: null,
    stoppedAt: null,
    durationSeconds: null,
    pausedSeconds: 0,
    pausedAt: null,
    fileSizeBytes: null,
    downloadable: false,
    audioDownloadable: false,
    downloadExpiresAt: null,
    stopReason: null,
    startedBy: null,
    stoppedBy: null,
    error: null,
    ...overrides,
  };
}
