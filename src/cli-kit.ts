/** The small shared kit of the `dyte-recording-kit` subcommands: one shape, one option parser. */
import { parseArgs } from 'node:util';
import type { ParseArgsConfig } from 'node:util';

export interface Command {
  /** One line for the command list. */
  summary: string;
  /** The whole `--help` text. */
  help: string;
  /** Runs the command; resolves to the process exit code (long-running servers resolve once started). */
  run(argv: string[]): Promise<number>;
}

export class UsageError extends Error {
  override name = 'UsageError';
}

type Options = NonNullable<ParseArgsConfig['options']>;

/** Parses `argv` strictly; unknown options and stray arguments become a UsageError. */
export function parseOptions<T extends Options>(argv: string[], options: T) {
  try {
    return parseArgs({
      args: argv,
      options: { ...options, help: { type: 'boolean', short: 'h' } },
      strict: true,
    }).values as unknown as Record<keyof T | 'help', string | boolean | undefined>;
  } catch (error) {
    throw new UsageError((error as Error).message);
  }
}

/** Reads a numeric option, rejecting anything that is not a number within bounds. */
export function numberOption(
  value: string | boolean | undefined,
  name: string,
  fallback: number,
  min = 0,
): number {
  if (value === undefined) return fallback;
  const parsed = Number(value);
  if (typeof value !== 'string' || !Number.isFinite(parsed) || parsed < min) {
    throw new UsageError(`--${name} must be a number of at least ${min}, got ${JSON.stringify(value)}`);
  }
  return parsed;
}

/** Reads a string option (the flag given without a value is a usage error). */
export function stringOption(value: string | boolean | undefined, name: string): string | undefined {
  if (value === undefined) return undefined;
  if (typeof value !== 'string' || value === '') throw new UsageError(`--${name} needs a value`);
  return value;
}
