/**
 * Who is in a meeting's room, read from the upstream itself (v2 / RealtimeKit
 * `GET /meetings/{id}/active-session`, `live_participants`; 404 = no session = empty) whenever the
 * proxy (re)starts watching the meeting and while webhooks are silent. The reading goes to the webhook
 * receiver, which weighs it against what webhooks said: the newest fact wins. Concurrent reads of a
 * meeting share one request, so reads follow watch starts and polls, not viewers; instances that start
 * watching a meeting together share one read too (`RoomReadShare`). v1 has no such route: there the
 * room is known from webhooks only.
 */
import type { RoomReadShare } from './coordination.ts';
import type { Upstream } from './upstream/types.ts';

/** The room as the upstream counted it. */
export interface RoomReading {
  participants: number;
  /** When the count was last true to the upstream's clock (epoch ms); null: now, newer than anything heard. */
  at: number | null;
}

export class RoomReads {
  private readonly inFlight = new Map<string, Promise<void>>();

  constructor(
    private readonly upstream: Upstream,
    private readonly apply: (meetingId: string, reading: RoomReading) => Promise<void>,
    private readonly share: RoomReadShare,
    private readonly log: (line: string) => void,
  ) {}

  /**
   * Reads the room and applies the reading; at a watch start, a read another instance makes or just
   * made stands in. Never throws (a failed read leaves webhooks in charge).
   */
  read(meetingId: string, watchStart = false): Promise<void> {
    if (!this.upstream.activeSession) return Promise.resolve();
    let pending = this.inFlight.get(meetingId);
    if (!pending) {
      const read = () => this.fetch(meetingId);
      pending = (watchStart ? this.share.once(meetingId, read) : read())
        .then(
          () => undefined,
          // The shared state cannot be reached: neither can the room's, so nothing is lost.
          (error: unknown) =>
            this.log(`room read of meeting ${meetingId} failed: ${(error as Error).message}`),
        )
        .finally(() => this.inFlight.delete(meetingId));
      this.inFlight.set(meetingId, pending);
    }
    return pending;
  }

  /** Reads and applies; false when the read failed. */
  private async fetch(meetingId: string): Promise<boolean> {
    try {
      const { session } = await this.upstream.activeSession!(meetingId);
      await this.apply(
        meetingId,
        session
          ? { participants: session.participants, at: session.updatedAt }
          : { participants: 0, at: null },
      );
      return true;
    } catch (error) {
      this.log(`room read of meeting ${meetingId} failed: ${(error as Error).message}`);
      return false;
    }
  }
}
