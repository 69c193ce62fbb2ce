/**
 * Webhook delivery as Dyte does it: the body is compact JSON, signed RSA-SHA256 (PKCS#1 v1.5) over its
 * exact bytes, base64 in `dyte-signature` (`rtk-signature` for RealtimeKit registrations), with a
 * `*-uuid` that identifies the delivery (the same on every retry, so receivers can deduplicate) and the
 * registration's id in `*-webhook-id`. Timeouts, network errors and 5xx are retried with exponential
 * backoff on the simulated clock; 4xx are not.
 */
import { generateKeyPairSync, randomUUID, sign } from 'node:crypto';
import type { KeyObject } from 'node:crypto';
import type { SimClock } from './clock.ts';

export interface WebhookSigner {
  publicKeyPem: string;
  /** Base64 RSA-SHA256 signature of `body`'s UTF-8 bytes. */
  sign(body: string): string;
}

export function createWebhookSigner(): WebhookSigner {
  const { privateKey, publicKey } = generateKeyPairSync('rsa', { modulusLength: 2048 });
  return {
    publicKeyPem: publicKey.export({ type: 'spki', format: 'pem' }).toString(),
    sign: (body) => signWith(privateKey, body),
  };
}

function signWith(key: KeyObject, body: string): string {
  return sign('sha256', Buffer.from(body, 'utf8'), key).toString('base64');
}

export type HeaderPrefix = 'dyte' | 'rtk';

export interface Destination {
  webhookId: string;
  url: string;
  headerPrefix: HeaderPrefix;
}

export interface DeliveryOptions {
  /** Real milliseconds a receiver has to answer (Dyte: 3 s). */
  timeoutMs: number;
  /** Attempts in all, the first included. */
  maxAttempts: number;
  /** Simulated milliseconds before the first retry; doubles on each further one. */
  backoffMs: number;
}

export class WebhookSender {
  private readonly aborter = new AbortController();
  private readonly pending = new Set<number>();

  constructor(
    private readonly clock: SimClock,
    private readonly signer: WebhookSigner,
    private readonly options: DeliveryOptions,
    private readonly log: (line: string) => void,
  ) {}

  /** Sends `payload` to `destination` (and retries in the background); never throws. */
  send(destination: Destination, payload: unknown): void {
    const body = JSON.stringify(payload);
    const headers = {
      'content-type': 'application/json',
      [`${destination.headerPrefix}-signature`]: this.signer.sign(body),
      [`${destination.headerPrefix}-uuid`]: randomUUID(),
      [`${destination.headerPrefix}-webhook-id`]: destination.webhookId,
    };
    void this.attempt(destination, body, headers, 1);
  }

  close(): void {
    this.aborter.abort();
    for (const id of this.pending) this.clock.cancel(id);
    this.pending.clear();
  }

  private async attempt(
    destination: Destination,
    body: string,
    headers: Record<string, string>,
    attempt: number,
  ): Promise<void> {
    if (this.aborter.signal.aborted) return;
    let outcome: string;
    try {
      const response = await fetch(destination.url, {
        method: 'POST',
        body,
        headers,
        signal: AbortSignal.any([this.aborter.signal, AbortSignal.timeout(this.options.timeoutMs)]),
      });
      await response.body?.cancel();
      if (response.ok) return;
      if (response.status < 500) {
        this.log(`webhook ${destination.url}: HTTP ${response.status}, not retried`);
        return;
      }
      outcome = `HTTP ${response.status}`;
    } catch (error) {
      if (this.aborter.signal.aborted) return;
      outcome = (error as Error).name === 'TimeoutError' ? 'timed out' : 'unreachable';
    }
    if (attempt >= this.options.maxAttempts) {
      this.log(`webhook ${destination.url}: ${outcome}, giving up after ${attempt} attempts`);
      return;
    }
    const delay = this.options.backoffMs * 2 ** (attempt - 1);
    this.log(`webhook ${destination.url}: ${outcome}, retrying in ${delay} ms (simulated)`);
    const id = this.clock.after(delay, () => {
      this.pending.delete(id);
      void this.attempt(destination, body, headers, attempt + 1);
    });
    this.pending.add(id);
  }
}
