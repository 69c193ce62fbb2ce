/**
 * The last answer of each browser read of a meeting's page kept a short while, so that a
 * flood of one meeting's reads costs the upstream one read per page per period, not one per request.
 * The read in flight is shared too. News about a meeting (a write, a webhook) forgets its answers.
 */
export class ReadCache {
  private readonly meetings = new Map<string, Map<string, { until: number; value: Promise<unknown> }>>();

  constructor(
    /** How long an answer is served again; 0 turns the cache off. */
    private readonly ttlMs: number,
    private readonly maxMeetings = 10_000,
  ) {}

  /** The meeting's cached answer to `key`, else `load`'s (kept unless it fails). */
  get<T>(meetingId: string, key: string, load: () => Promise<T>): Promise<T> {
    if (this.ttlMs <= 0) return load();
    const now = Date.now();
    let entries = this.meetings.get(meetingId);
    const cached = entries?.get(key);
    if (cached && cached.until > now) return cached.value as Promise<T>;
    if (!entries) {
      entries = new Map();
      this.meetings.set(meetingId, entries);
      if (this.meetings.size > this.maxMeetings) this.meetings.delete(this.meetings.keys().next().value!);
    }
    for (const [other, entry] of entries) if (entry.until <= now) entries.delete(other);
    const value = load();
    const entry = { until: now + this.ttlMs, value };
    entries.set(key, entry);
    value.catch(() => {
      if (this.meetings.get(meetingId)?.get(key) === entry) this.meetings.get(meetingId)!.delete(key);
    });
    return value;
  }

  /** Something changed in the meeting: its next reads go to the upstream. */
  forget(meetingId: string): void {
    this.meetings.delete(meetingId);
  }
}
