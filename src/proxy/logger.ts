/**
 * The proxy's log: structured JSON lines (pino) with time and level, every secret the options hold
 * replaced by `[redacted]` before a line leaves, and bursts of the same refusal (bad webhooks, client
 * aborts, rate limits, any repeated 4xx) written as their first line plus one summary line.
 */
import { pino } from 'pino';
import type { Logger } from 'pino';
import { isoNow } from './clock.ts';

export type { Logger };

/** Repeats of one kind within this long after its first line are summed up in one line. */
const BURST_MS = 10_000;
/** Kinds followed at once at most; past it a new kind is logged plainly. */
const MAX_BURSTS = 1000;

export interface ProxyLog {
  logger: Logger;
  /** A plain message line (info). */
  log: (line: string) => void;
  /** The line of every answered request. */
  requests: RequestLog;
  bursts: Bursts;
}

/** `sink` receives each JSON line, scrubbed; `level` as pino's (`info` by default). */
export function createLog(sink: (line: string) => void, secrets: string[], level = 'info'): ProxyLog {
  const sorted = secrets.filter((secret) => secret !== '').sort((a, b) => b.length - a.length);
  const scrub = (line: string) => {
    let clean = line;
    for (const secret of sorted) if (clean.includes(secret)) clean = clean.split(secret).join('[redacted]');
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
  return {
    logger,
    log: (line) => logger.info(line),
    requests: new RequestLog(logger, sink, scrub),
    bursts: new Bursts(logger),
  };
}

/**
 * The line of a request answered below 400, the one line nearly every request writes: put together
 * here as pino writes its lines (same keys, level label, ISO time) rather than through pino's
 * serializer and redaction, which cost more than the rest of a cached read. Its fields are known; the
 * two a caller chooses are scrubbed of secrets. Errors and refusals go through pino.
 */
export class RequestLog {
  constructor(
    private readonly logger: Logger,
    private readonly sink: (line: string) => void,
    /** Applied to the fields a caller chose (its request id, its token's subject), not the whole line. */
    private readonly scrub: (text: string) => string,
  ) {}

  /** False below the `info` level (the line is not written then). */
  get enabled(): boolean {
    return this.logger.isLevelEnabled('info');
  }

  /** A writer of `route`'s lines (its name serialized once). */
  forRoute(route: string): RouteLog {
    const name = JSON.stringify(route);
    // The request id and method need no escaping: the guard lets only [\w.:-] ids through, and a
    // method is an HTTP token (the parser refuses anything else).
    return (requestId, method, status, durationMs, actor) =>
      this.sink(
        `{"level":"info","time":"${isoNow()}","requestId":"${this.scrub(requestId)}","method":"${method}",` +
          `"route":${name},"status":${status},"durationMs":${tenths(durationMs)},` +
          `"actor":${actor === null ? 'null' : JSON.stringify(this.scrub(actor))},"msg":"request"}`,
      );
  }
}

/** A duration as the log lines give it: milliseconds to a tenth. */
export function tenths(ms: number): number {
  return Math.round(ms * 10) / 10;
}

export type RouteLog = (
  requestId: string,
  method: string,
  status: number,
  durationMs: number,
  actor: string | null,
) => void;

/** Lines a writer's `write` takes in one call at most (about 150 kB of request lines). */
const MAX_BATCH_LINES = 500;

/**
 * Lines to `stream`, the lines of one turn of the event loop (up to MAX_BATCH_LINES) in one write:
 * under load that is one system call for many requests instead of one each, and no line outlives
 * its turn (kept longer, they would be copied by the collector). Whatever is pending is written when
 * the process exits.
 */
export function batchedLines(stream: NodeJS.WritableStream): (line: string) => void {
  let pending: string[] = [];
  const flush = () => {
    if (pending.length === 0) return;
    // The empty last line gives the final newline without copying the batch once more to add it.
    pending.push('');
    const text = pending.join('\n');
    pending = [];
    stream.write(text);
  };
  process.once('exit', flush);
  return (line) => {
    if (pending.push(line) === 1) setImmediate(flush);
    else if (pending.length >= MAX_BATCH_LINES) flush();
  };
}

let stderr: ((line: string) => void) | undefined;

/** The default log: batched lines to stderr, one writer for every proxy of the process. */
export function stderrLines(): (line: string) => void {
  stderr ??= batchedLines(process.stderr);
  return stderr;
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
