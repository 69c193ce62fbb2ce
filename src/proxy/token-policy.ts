/**
 * What a recording token may claim beyond a valid signature: a lifetime no longer than the policy's
 * (whatever the minting side chose), no `iat` in the future, and a `name` and `sub` of bounded length
 * (they ride in every event to every viewer). Also the secrets' key ids, for rotation.
 */
import { createHash } from 'node:crypto';
import { ApiError } from '../core/errors.ts';

export interface TokenPolicy {
  /** The longest lifetime accepted: `exp − iat` (`exp − now` without an `iat`). Default 7 days. */
  maxTtlSeconds: number;
  /** The longest `name` and `sub`, in characters. Default 200. */
  maxClaimLength: number;
}

export const DEFAULT_TOKEN_POLICY: TokenPolicy = { maxTtlSeconds: 7 * 86_400, maxClaimLength: 200 };

/** Clocks of the minting backend and the proxy may differ this much. */
const CLOCK_SKEW_SECONDS = 60;

/** Throws `401 unauthorized` when the verified claims break the policy; `now` in epoch seconds. */
export function checkClaimLimits(
  claims: { exp: number; iat?: unknown; name?: unknown; sub?: unknown },
  now: number,
  policy: TokenPolicy,
): void {
  const refuse = (why: string) => new ApiError(401, 'unauthorized', `The recording token ${why}.`);
  const issuedAt = typeof claims.iat === 'number' ? claims.iat : now;
  if (issuedAt > now + CLOCK_SKEW_SECONDS) throw refuse('is issued in the future');
  if (claims.exp - Math.min(issuedAt, now) > policy.maxTtlSeconds + CLOCK_SKEW_SECONDS) {
    throw refuse(`lives longer than the ${policy.maxTtlSeconds} s this server accepts`);
  }
  for (const [field, value] of [
    ['name', claims.name],
    ['sub', claims.sub],
  ] as const) {
    if (typeof value === 'string' && value.length > policy.maxClaimLength) {
      throw refuse(`has a "${field}" longer than ${policy.maxClaimLength} characters`);
    }
  }
}

/** A secret's key id (the `kid` header of the tokens it signs): 12 characters of its SHA-256. */
export function keyId(secret: string): string {
  return createHash('sha256').update(secret).digest('base64url').slice(0, 12);
}

/** `RECORDING_TOKEN_SECRET` as a list: comma-separated, newest first. */
export function parseSecrets(text: string): string[] {
  return text
    .split(',')
    .map((secret) => secret.trim())
    .filter(Boolean);
}
