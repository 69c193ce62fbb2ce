/**
 * Recording tokens: short-lived HS256 JWTs minted by the host app's backend, each scoped to one
 * meeting and one role. The proxy only trusts what it can verify with the shared secret.
 */
import { createHmac, timingSafeEqual } from 'node:crypto';
import { SignJWT } from 'jose';
import { ApiError } from '../core/errors.ts';
import type { Role } from '../core/contract.ts';
import { isValidId } from './ids.ts';
import { checkClaimLimits, DEFAULT_TOKEN_POLICY, keyId, parseSecrets } from './token-policy.ts';
import type { TokenPolicy } from './token-policy.ts';

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
  /** The token's id, by which it can be revoked; a random UUID unless given. */
  jti?: string;
}

export interface RecordingClaims {
  meetingId: string;
  role: Role;
  sub: string | null;
  name: string | null;
  /** Epoch milliseconds. */
  expiresAt: number;
  /** The token's id (`jti`), by which it can be revoked, or null. */
  jti: string | null;
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

/** Signs with `secret`, or with the first (newest) of a list of secrets; `kid` names the secret used. */
export async function createRecordingToken(
  claims: RecordingTokenInput,
  secret: string | string[],
): Promise<string> {
  const newest = secretList(secret)[0] ?? '';
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
    .setProtectedHeader({ alg: 'HS256', typ: 'JWT', kid: keyId(newest) })
    .setAudience(AUDIENCE)
    .setJti(claims.jti ?? crypto.randomUUID())
    .setIssuedAt()
    .setExpirationTime(Math.floor(Date.now() / 1000) + ttl);
  if (claims.sub !== undefined) jwt.setSubject(claims.sub);
  return jwt.sign(secretKey(newest));
}

function secretList(secret: string | string[]): string[] {
  return Array.isArray(secret) ? secret : parseSecrets(secret);
}

interface Key {
  kid: string;
  key: Uint8Array;
}

function keysOf(secret: string | string[]): Key[] {
  return secretList(secret).map((one) => ({ kid: keyId(one), key: secretKey(one) }));
}

/**
 * Verifies signature, algorithm, audience and expiry, then the policy (lifetime, `iat`, claim
 * lengths); throws `401 unauthorized` / `401 token_expired`. With several secrets (newest first) the
 * token's `kid` picks one; a token without a `kid` may be signed by any.
 */
export async function verifyRecordingToken(
  token: string,
  secret: string | string[],
  policy: TokenPolicy = DEFAULT_TOKEN_POLICY,
): Promise<RecordingClaims> {
  return checkToken(token, keysOf(secret), Math.floor(Date.now() / 1000), policy);
}

/** Tokens verified once are kept (until they expire) so that a browser's repeated requests skip the HMAC. */
const MAX_VERIFIED_TOKENS = 10_000;

/**
 * A synchronous verifier for one secret, with a bounded cache of the tokens it verified: a cached
 * token is the same bytes, signature included, so only its expiry is checked again.
 */
export class TokenVerifier {
  private readonly keys: Key[];
  private readonly verified = new Map<string, RecordingClaims>();

  constructor(
    secret: string | string[],
    private readonly policy: TokenPolicy = DEFAULT_TOKEN_POLICY,
  ) {
    this.keys = keysOf(secret);
  }

  verify(token: string): RecordingClaims {
    const now = Math.floor(Date.now() / 1000);
    const known = this.verified.get(token);
    if (known) {
      if (known.expiresAt > now * 1000) return known;
      this.verified.delete(token);
    }
    const claims = checkToken(token, this.keys, now, this.policy);
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
function checkToken(token: string, keys: Key[], now: number, policy: TokenPolicy): RecordingClaims {
  const [header, body, signature, extra] = token.split('.');
  if (header === undefined || body === undefined || signature === undefined || extra !== undefined) {
    throw invalid();
  }
  // HS256 signatures are 32 bytes: 43 base64url characters, no padding.
  if (!/^[A-Za-z0-9_-]{43}$/.test(signature)) throw invalid();
  const protectedHeader = decodeObject(header);
  // The `kid` names the secret (a rotation holds several); without one, any of them may have signed.
  const candidates =
    protectedHeader.kid === undefined ? keys : keys.filter((key) => key.kid === protectedHeader.kid);
  const given = Buffer.from(signature, 'base64url');
  const signed = candidates.some(({ key }) => {
    const expected = createHmac('sha256', key).update(`${header}.${body}`).digest();
    return given.length === expected.length && timingSafeEqual(given, expected);
  });
  if (!signed) throw invalid();
  if (protectedHeader.alg !== 'HS256' || 'crit' in protectedHeader || protectedHeader.b64 === false) {
    throw invalid();
  }
  const payload = decodeObject(body);
  const { meetingId, role, name, sub, exp, nbf, iat, aud, jti } = payload;
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
  checkClaimLimits({ exp, iat, name, sub }, now, policy);
  return Object.freeze({
    meetingId,
    role,
    sub: typeof sub === 'string' && sub !== '' ? sub : null,
    name: typeof name === 'string' && name !== '' ? name : null,
    expiresAt: exp * 1000,
    jti: typeof jti === 'string' && jti !== '' ? jti : null,
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
