/** Reading upstream envelopes and payloads: anything unexpected becomes `502 upstream_error`. */
import { ApiError } from '../../core/errors.ts';
import { NormalizeError } from '../../core/normalize.ts';
import { asObject, parseString } from '../../core/parse.ts';
import type { Recording } from '../../core/recording.ts';
import type { WebhookRegistration } from './types.ts';

function unexpected(what: string): ApiError {
  return new ApiError(502, 'upstream_error', `The recording service sent an unexpected ${what}.`);
}

/** Runs a normalizer, turning its complaint into a 502 rather than a crash. */
export function normalized<T>(read: () => T): T {
  try {
    return read();
  } catch (error) {
    if (error instanceof NormalizeError) throw unexpected('recording');
    throw error;
  }
}

export function field(body: unknown, ...path: string[]): unknown {
  let value: unknown = body;
  for (const key of path) value = asObject(value)?.[key];
  return value;
}

export function arrayField(body: unknown, ...path: string[]): unknown[] {
  const value = field(body, ...path);
  if (!Array.isArray(value)) throw unexpected('list');
  return value;
}

export function readWebhook(value: unknown): WebhookRegistration | null {
  const object = asObject(value);
  const id = parseString(object?.id);
  const url = parseString(object?.url);
  if (!id || !url) return null;
  const events = Array.isArray(object?.events) ? object.events.filter((e) => typeof e === 'string') : [];
  return { id, url, events };
}

export function newestFirst(recordings: Recording[]): Recording[] {
  return recordings.sort((a, b) => (b.invokedAt ?? '').localeCompare(a.invokedAt ?? ''));
}

export function recordingNotFound(): ApiError {
  return new ApiError(404, 'not_found', 'No such recording.');
}

/** The record without its undefined fields (optional settings are left out of request bodies). */
export function defined<T>(record: Record<string, T | undefined>): Record<string, T> {
  return Object.fromEntries(Object.entries(record).filter(([, value]) => value !== undefined)) as Record<
    string,
    T
  >;
}
