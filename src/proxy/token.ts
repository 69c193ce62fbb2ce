/**
 * Recording tokens: short-lived HS256 JWTs minted by the host app's backend, each scoped to one
 * meeting and one role. The proxy only trusts what it can verify with the shared secret.
 */
import { createHmac, timingSafeEqual } from 'node:crypto';
import { SignJWT } from 'jose';
import { ApiError } from '../core/errors.ts';
import type { Role } from '../core/contract.ts';
import { isValidId } from './ids.ts';

/** Distinguishes these tokens from any other HS256 token signed with the same secret. */
const AUDIENCE = 'dyte-recording-kit';
const DEFAULT_TTL_SECONDS = 15 * 60;
const MAX_TTL_SECONDS = 7 * 24 * 60 * 60;
const MIN_SECRET_BYTES = 32;
const ROLES: readonly Role[] = ['host', 'viewer'];

export interface RecordingTokenInput {
  meetingId: string;
  role: Role;
  /** Who the token speaks for (becomes `startedBy.id` / `stoppedBy.id`). */
  sub?: string;
  /** Display name (becomes `startedBy.name` / `stoppedBy.name`). */
  name?: string;
  /** Lifetime; 15 minutes unless given, at most 7 days. */
  ttlSeconds?: number;
}

export interface RecordingClaims {
  meetingId: string;
  role: Role;
  sub: string | null;
  name: string | null;
  /** Epoch milliseconds. */
  expiresAt: number;
}

export function isRole(value: unknown): value is Role {
  return typeof value === 'string' && (ROLES as readonly string[]).includes(value);
}

function secretKey(secret: string): Uint8Array {
  const key = new TextEncoder().encode(secret);
  if (key.byteLength < MIN_SECRET_BYTES) {
    throw new Error(`The recording token secret must be at least ${MIN_SECRET_BYTES} bytes long.`);
  }
  return key;
}

export async function createRecordingToken(claims: RecordingTokenInput, secret: string): Promise<string> {
  if (!isValidId(claims.meetingId))
    throw new Error(`Invalid meeting id ${JSON.stringify(claims.meetingId)}.`);
  if (!isRole(claims.role))
    throw new Error(`Role must be "host" or "viewer", got ${JSON.stringify(claims.role)}.`);
  const ttl = claims.ttlSeconds ?? DEFAULT_TTL_SECONDS;
  if (!Number.isInteger(ttl) || ttl < 1 || ttl > MAX_TTL_SECONDS) {
    throw new Error(`ttlSeconds must be a whole number from 1 to ${MAX_TTL_SECONDS}, got ${ttl}.`);
  }
  const payload: Record<string, string> = { meetingId: claims.meetingId, role: claims.role };
  if (claims.name !== undefined) payload.name = claims.name;
  const jwt = new SignJWT(payload)
    .setProtectedHeader({ alg: 'HS256', typ: 'JWT' })
    .setAudience(AUDIENCE)
    .setIssuedAt()
    .setExpirationTime(Math.floor(Date.now() / 1000) + ttl);
  if (claims.sub !== undefined) jwt.setSubject(claims.sub);
  return jwt.sign(secretKey(secret));
}

/** Verifies signature, algorithm, audience and expiry; throws `401 unauthorized` / `401 token_expired`. */
export async function verifyRecordingToken(token: string, secret: string): Promise<RecordingClaims> {
  return checkToken(token, secretKey(secret), Math.floor(Date.now() / 1000));
}

/** Tokens verified once are kept (until they expire) so that a browser's repeated requests skip the HMAC. */
const MAX_VERIFIED_TOKENS = 10_000;

/**
 * A synchronous verifier for one secret, with a bounded cache of the tokens it verified: a cached
 * token is the same bytes, signature included, so only its expiry is checked again.
 */
export class TokenVerifier {
  private readonly key: Uint8Array;
  private readonly verified = new Map<string, RecordingClaims>();

  constructor(secret: string) {
    this.key = secretKey(secret);
  }

  verify(token: string): RecordingClaims {
    const now = Math.floor(Date.now() / 1000);
    const known = this.verified.get(token);
    if (known) {
      if (known.expiresAt > now * 1000) return known;
      this.verified.delete(token);
    }
    const claims = checkToken(token, this.key, now);
    if (this.verified.size >= MAX_VERIFIED_TOKENS) {
      // The oldest first: a Map iterates in insertion order.
      this.verified.delete(this.verified.keys().next().value!);
    }
    this.verified.set(token, claims);
    return claims;
  }
}

const invalid = () => new ApiError(401, 'unauthorized', 'The recording token is not valid.');

/**
 * HS256 with `node:crypto`, synchronously: the signature (in constant time), the header's algorithm,
 * the audience, `exp` (required), `nbf` and `iat` when present, as a JWT library checks them.
 */
function checkToken(token: string, key: Uint8Array, now: number): RecordingClaims {
  const [header, body, signature, extra] = token.split('.');
  if (header === undefined || body === undefined || signature === undefined || extra !== undefined) {
    throw invalid();
  }
  const expected = createHmac('sha256', key).update(`${header}.${body}`).digest();
  // HS256 signatures are 32 bytes: 43 base64url characters, no padding.
  if (!/^[A-Za-z0-9_-]{43}$/.test(signature)) throw invalid();
  const given = Buffer.from(signature, 'base64url');
  if (given.length !== expected.length || !timingSafeEqual(given, expected)) throw invalid();
  const protectedHeader = decodeObject(header);
  if (protectedHeader.alg !== 'HS256' || 'crit' in protectedHeader || protectedHeader.b64 === false) {
    throw invalid();
  }
  const payload = decodeObject(body);
  const { meetingId, role, name, sub, exp, nbf, iat, aud } = payload;
  const audiences = Array.isArray(aud) ? aud : [aud];
  if (!audiences.includes(AUDIENCE)) throw invalid();
  if (!isNumericDate(exp) || (nbf !== undefined && !isNumericDate(nbf))) throw invalid();
  if (iat !== undefined && !isNumericDate(iat)) throw invalid();
  if (sub !== undefined && typeof sub !== 'string') throw invalid();
  if (exp <= now)
    throw new ApiError(401, 'token_expired', 'The recording token has expired; get a fresh one.');
  if (nbf !== undefined && nbf > now) throw invalid();
  if (!isValidId(meetingId) || !isRole(role)) {
    throw new ApiError(401, 'unauthorized', 'The recording token does not name a meeting and a role.');
  }
  return Object.freeze({
    meetingId,
    role,
    sub: typeof sub === 'string' && sub !== '' ? sub : null,
    name: typeof name === 'string' && name !== '' ? name : null,
    expiresAt: exp * 1000,
  });
}

function isNumericDate(value: unknown): value is number {
  return typeof value === 'number' && Number.isFinite(value);
}

/** A base64url JSON object, or `401`. */
function decodeObject(part: string): Record<string, unknown> {
  if (!/^[A-Za-z0-9_-]*$/.test(part)) throw invalid();
  let value: unknown;
  try {
    value = JSON.parse(Buffer.from(part, 'base64url').toString('utf8'));
  } catch {
    throw invalid();
  }
  if (typeof value !== 'object' || value === null || Array.isArray(value)) throw invalid();
  return value as Record<string, unknown>;
}
