/**
 * The proxy's log: structured JSON lines (pino) with time and level, every secret the options hold
 * replaced by `[redacted]` before a line leaves, and bursts of the same refusal (bad webhooks, client
 * aborts, rate limits, any repeated 4xx) written as their first line plus one summary line.
 */
import { pino } from 'pino';
import type { Logger } from 'pino';

export type { Logger };

/** Repeats of one kind within this long after its first line are summed up in one line. */
const BURST_MS = 10_000;
/** Kinds followed at once at most; past it a new kind is logged plainly. */
const MAX_BURSTS = 1000;

export interface ProxyLog {
  logger: Logger;
  /** A plain message line (info). */
  log: (line: string) => void;
  bursts: Bursts;
}

/** `sink` receives each JSON line, scrubbed; `level` as pino's (`info` by default). */
export function createLog(sink: (line: string) => void, secrets: string[], level = 'info'): ProxyLog {
  const sorted = [...secrets].sort((a, b) => b.length - a.length);
  const scrub = (line: string) => {
    let clean = line;
    for (const secret of sorted) clean = clean.split(secret).join('[redacted]');
    return clean;
  };
  const logger = pino(
    {
      level,
      base: undefined,
      timestamp: pino.stdTimeFunctions.isoTime,
      formatters: { level: (label) => ({ level: label }) },
      redact: { paths: ['authorization', '*.authorization', 'token', '*.token'], censor: '[redacted]' },
    },
    { write: (text: string) => sink(scrub(text.replace(/\n$/, ''))) },
  );
  return { logger, log: (line) => logger.info(line), bursts: new Bursts(logger) };
}

export class Bursts {
  private readonly open = new Map<string, { repeated: number; timer: ReturnType<typeof setTimeout> }>();

  constructor(private readonly logger: Logger) {}

  /** Logs the first of `kind` at once; repeats within its burst are counted into one summary line. */
  note(kind: string, fields: Record<string, unknown>, message: string): void {
    const burst = this.open.get(kind);
    if (burst) {
      burst.repeated += 1;
      return;
    }
    this.logger.warn(fields, message);
    if (this.open.size >= MAX_BURSTS) return;
    const created = {
      repeated: 0,
      timer: setTimeout(() => {
        this.open.delete(kind);
        if (created.repeated === 0) return;
        this.logger.warn(
          { ...fields, repeated: created.repeated, withinSeconds: BURST_MS / 1000 },
          `${message} (and ${created.repeated} more like it)`,
        );
      }, BURST_MS),
    };
    created.timer.unref?.();
    this.open.set(kind, created);
  }
}
