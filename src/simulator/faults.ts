/**
 * Injected faults of the control plane (`POST /_sim/faults`). Their times are real milliseconds: they
 * describe what the network does to a client, not the simulated world.
 */
import { ValidationError } from './validate.ts';

export const FAULT_KINDS = ['http_500', 'timeout', 'latency', 'error_next_start'] as const;
export type FaultKind = (typeof FAULT_KINDS)[number];

export interface FaultSpec {
  kind: FaultKind;
  count: number;
  ms: number;
}

export const DEFAULT_TIMEOUT_MS = 30_000;

export function readFault(body: unknown): FaultSpec {
  const raw = (typeof body === 'object' && body !== null && !Array.isArray(body) ? body : null) as Record<
    string,
    unknown
  > | null;
  if (!raw) throw new ValidationError('The body must be an object {kind, count?, ms?}.');
  const kind = raw.kind;
  if (typeof kind !== 'string' || !(FAULT_KINDS as readonly string[]).includes(kind)) {
    throw new ValidationError(`"kind" must be one of [${FAULT_KINDS.join(', ')}]`);
  }
  const count = raw.count ?? 1;
  if (typeof count !== 'number' || !Number.isInteger(count) || count < 1 || count > 1_000_000) {
    throw new ValidationError('"count" must be an integer from 1 to 1000000');
  }
  const fallbackMs = kind === 'timeout' ? DEFAULT_TIMEOUT_MS : 0;
  const ms = raw.ms ?? fallbackMs;
  if (typeof ms !== 'number' || !Number.isFinite(ms) || ms < 0 || ms > 600_000) {
    throw new ValidationError('"ms" must be a number of milliseconds from 0 to 600000');
  }
  if (kind === 'latency' && raw.ms === undefined) throw new ValidationError('"ms" is required for latency');
  return { kind: kind as FaultKind, count, ms };
}

export class Faults {
  private failures = 0;
  private timeouts: number[] = [];
  private startFailures = 0;
  latencyMs = 0;

  add(spec: FaultSpec): void {
    switch (spec.kind) {
      case 'http_500':
        this.failures += spec.count;
        break;
      case 'timeout':
        for (let i = 0; i < spec.count; i += 1) this.timeouts.push(spec.ms);
        break;
      case 'latency':
        this.latencyMs = spec.ms;
        break;
      case 'error_next_start':
        this.startFailures += spec.count;
        break;
    }
  }

  clear(): void {
    this.failures = 0;
    this.timeouts = [];
    this.startFailures = 0;
    this.latencyMs = 0;
  }

  /** Whether the recording being started must fail to start (uses one). */
  takeStartFailure(): boolean {
    if (this.startFailures === 0) return false;
    this.startFailures -= 1;
    return true;
  }

  /** Whether this request must fail with a 500 (uses one). */
  takeFailure(): boolean {
    if (this.failures === 0) return false;
    this.failures -= 1;
    return true;
  }

  /** Real ms after which this request's connection is closed without a response, or null. */
  takeTimeout(): number | null {
    return this.timeouts.shift() ?? null;
  }
}
