/**
 * A viewer of a meeting's event stream as the bench needs it: a plain node:http request (light enough
 * to hold a thousand at once), a minimal server-sent-events parser, and the arrival time of every event.
 */
import { get } from 'node:http';
import type { ClientRequest } from 'node:http';
import { performance } from 'node:perf_hooks';

export interface StreamEvent {
  type: string;
  data: unknown;
  /** performance.now() when the chunk carrying it arrived. */
  receivedAt: number;
}

export interface Viewer {
  /** Resolves once the stream's first snapshot arrived; rejects when the stream could not open. */
  ready: Promise<void>;
  close(): void;
}

export function openViewer(
  proxyUrl: string,
  meetingId: string,
  token: string,
  onEvent: (event: StreamEvent) => void = () => {},
  /** Called with the arrival time of every comment (heartbeat). */
  onComment: (receivedAt: number) => void = () => {},
): Viewer {
  let request: ClientRequest;
  const ready = new Promise<void>((resolve, reject) => {
    request = get(
      `${proxyUrl}/meetings/${meetingId}/events`,
      { headers: { authorization: `Bearer ${token}`, accept: 'text/event-stream' } },
      (response) => {
        if (response.statusCode !== 200) {
          response.resume();
          reject(new Error(`event stream answered HTTP ${response.statusCode}`));
          return;
        }
        response.setEncoding('utf8');
        let buffer = '';
        response.on('data', (chunk: string) => {
          const receivedAt = performance.now();
          buffer += chunk;
          for (let end = buffer.indexOf('\n\n'); end !== -1; end = buffer.indexOf('\n\n')) {
            const block = buffer.slice(0, end);
            const event = parseEvent(block, receivedAt);
            buffer = buffer.slice(end + 2);
            if (block.startsWith(':')) onComment(receivedAt);
            if (!event) continue;
            if (event.type === 'snapshot') resolve();
            onEvent(event);
          }
        });
        response.on('error', () => {});
      },
    );
    request.on('error', reject);
  });
  return { ready, close: () => request.destroy() };
}

/** One SSE block; null for comments (heartbeats) and blocks without data. */
function parseEvent(block: string, receivedAt: number): StreamEvent | null {
  let type = 'message';
  const data: string[] = [];
  for (const line of block.split('\n')) {
    if (line.startsWith('event:')) type = line.slice(6).trim();
    else if (line.startsWith('data:')) data.push(line.slice(5).replace(/^ /, ''));
  }
  if (data.length === 0) return null;
  return { type, data: JSON.parse(data.join('\n')), receivedAt };
}

/** Opens `count` viewers, a bounded number at a time; on any failure closes those already open. */
export async function openViewers(
  count: number,
  open: (index: number) => Viewer,
  concurrency = 250,
): Promise<Viewer[]> {
  const viewers: Viewer[] = [];
  try {
    for (let first = 0; first < count; first += concurrency) {
      const batch = Array.from({ length: Math.min(concurrency, count - first) }, (_, i) => open(first + i));
      viewers.push(...batch);
      await Promise.all(batch.map((viewer) => viewer.ready));
    }
  } catch (error) {
    closeAll(viewers);
    throw error;
  }
  return viewers;
}

export function closeAll(viewers: Viewer[]): void {
  for (const viewer of viewers) viewer.close();
}
