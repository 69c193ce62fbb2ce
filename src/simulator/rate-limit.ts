/**
 * Dyte's rate limit: at most `limit` requests per client IP in any sliding minute of the simulated
 * clock. Past it, a request is refused with how long until a slot frees.
 */
export const WINDOW_MS = 60_000;

export class RateLimiter {
  private readonly hits = new Map<string, number[]>();

  constructor(private readonly limit: number) {}

  /** Records a request at `now`; returns null when allowed, else simulated ms until one would be. */
  take(client: string, now: number): number | null {
    const recent = (this.hits.get(client) ?? []).filter((at) => at > now - WINDOW_MS);
    if (recent.length >= this.limit) {
      this.hits.set(client, recent);
      return recent[recent.length - this.limit]! + WINDOW_MS - now;
    }
    recent.push(now);
    this.hits.set(client, recent);
    return null;
  }
}
