/**
 * The naive baseline: what each element would do without a shared store and an event stream, a plain
 * fetch loop per element polling the meeting's list every 2 s.
 */
import { ENDPOINT, exposeStatuses, pageParams } from './status.ts';

const POLL_MS = 2000;
const { meetingId, token, count } = pageParams();
const statuses: (string | null)[] = Array.from({ length: count }, () => null);

for (let i = 0; i < count; i += 1) {
  const poll = async () => {
    try {
      const response = await fetch(`${ENDPOINT}/meetings/${meetingId}/recordings`, {
        headers: { authorization: `Bearer ${token}` },
      });
      const list = (await response.json()) as { recordings?: { status: string }[] };
      statuses[i] = list.recordings?.[0]?.status ?? null;
    } catch {
      // The next tick tries again, as a naive poller does.
    }
  };
  void poll();
  setInterval(poll, POLL_MS);
}

exposeStatuses(() => statuses);
