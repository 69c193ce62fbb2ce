/** Counts of Dyte API requests by route template (`GET /v2/recordings/:recording_id`), for `/_sim/stats`. */
export class Stats {
  private requests = new Map<string, number>();
  private total = 0;

  count(method: string, template: string): void {
    const key = `${method} ${template}`;
    this.requests.set(key, (this.requests.get(key) ?? 0) + 1);
    this.total += 1;
  }

  snapshot(): { total: number; requests: Record<string, number> } {
    return { total: this.total, requests: Object.fromEntries(this.requests) };
  }

  reset(): void {
    this.requests = new Map();
    this.total = 0;
  }
}
