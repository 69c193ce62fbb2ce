/**
 * Recording tokens: short-lived HS256 JWTs minted by the host app's backend, each scoped to one
 * meeting and one role. The proxy only trusts what it can verify with the shared secret.
 */
import { decodeProtectedHeader, errors, jwtVerify, SignJWT } from 'jose';
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
  const newest = (Array.isArray(secret) ? secret : parseSecrets(secret))[0] ?? '';
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

/**
 * Verifies signature, algorithm, audience and expiry, then the policy (lifetime, `iat`, claim lengths);
 * throws `401 unauthorized` / `401 token_expired`. With several secrets (newest first), the token's
 * `kid` picks one; a token without a `kid` may be signed by any.
 */
export async function verifyRecordingToken(
  token: string,
  secret: string | string[],
  policy: TokenPolicy = DEFAULT_TOKEN_POLICY,
): Promise<RecordingClaims> {
  const secrets = Array.isArray(secret) ? secret : parseSecrets(secret);
  let kid: unknown;
  try {
    kid = decodeProtectedHeader(token).kid;
  } catch {
    throw new ApiError(401, 'unauthorized', 'The recording token is not valid.');
  }
  const candidates = kid === undefined ? secrets : secrets.filter((one) => keyId(one) === kid);
  let payload;
  let failure: unknown = null;
  for (const candidate of candidates) {
    try {
      ({ payload } = await jwtVerify(token, secretKey(candidate), {
        algorithms: ['HS256'],
        audience: AUDIENCE,
        requiredClaims: ['exp'],
      }));
      break;
    } catch (error) {
      failure = error;
    }
  }
  if (!payload) {
    if (failure instanceof errors.JWTExpired) {
      throw new ApiError(401, 'token_expired', 'The recording token has expired; get a fresh one.');
    }
    throw new ApiError(401, 'unauthorized', 'The recording token is not valid.');
  }
  const { meetingId, role, name, sub, exp, iat, jti } = payload;
  if (!isValidId(meetingId) || !isRole(role) || typeof exp !== 'number') {
    throw new ApiError(401, 'unauthorized', 'The recording token does not name a meeting and a role.');
  }
  checkClaimLimits({ exp, iat, name, sub }, Math.floor(Date.now() / 1000), policy);
  return {
    meetingId,
    role,
    sub: typeof sub === 'string' && sub !== '' ? sub : null,
    name: typeof name === 'string' && name !== '' ? name : null,
    expiresAt: exp * 1000,
    jti: typeof jti === 'string' && jti !== '' ? jti : null,
  };
}
