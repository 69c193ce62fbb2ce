/**
 * Who is calling: by default the bearer recording token, verified with the shared secret. A host app
 * can replace this step (e.g. with its own session check); the proxy still enforces that a caller
 * only touches its own meeting and only does what its role allows.
 */
import { ApiError } from '../core/errors.ts';
import type { Permissions, Role } from '../core/contract.ts';
import type { Actor } from '../core/recording.ts';
import type { Revocations } from './coordination.ts';
import { andThen } from './maybe.ts';
import type { MaybePromise } from './maybe.ts';
import { TokenVerifier } from './token.ts';
import type { TokenPolicy } from './token-policy.ts';

export interface Caller {
  /** The one meeting this caller may touch. */
  meetingId: string;
  role: Role;
  sub: string | null;
  name: string | null;
  /** Epoch ms when the authorization ends (event streams close then), or null. */
  expiresAt: number | null;
}

/**
 * Identifies the caller of a request or throws an ApiError (401 when unknown). `meetingId` is the
 * meeting the route names, when it names one. A caller known at once may be returned as it is.
 */
export type Authorize = (request: Request, context: { meetingId: string | null }) => Caller | Promise<Caller>;

function bearerToken(request: Request): string {
  const header = request.headers.get('authorization') ?? '';
  const match = /^Bearer\s+([A-Za-z0-9._~+/=-]+)\s*$/i.exec(header);
  if (!match) {
    throw new ApiError(401, 'unauthorized', 'Send a recording token as "Authorization: Bearer <token>".');
  }
  return match[1]!;
}

/** The bearer token, verified with `secrets` (newest first) under `policy`, and not revoked. */
export function tokenAuthorizer(secrets: string[], policy: TokenPolicy, revocations: Revocations): Authorize {
  const verifier = new TokenVerifier(secrets, policy);
  return (request): MaybePromise<Caller> => {
    const claims = verifier.verify(bearerToken(request));
    if (claims.jti === null) return claims;
    return andThen(revocations.isRevoked(claims.jti), (revoked) => {
      if (revoked)
        throw new ApiError(401, 'unauthorized', 'The recording token was revoked; get a fresh one.');
      return claims;
    });
  };
}

/** What the server allows besides roles. */
interface PermissionPolicy {
  viewerCanDownload: boolean;
  /** The upstream can pause and resume recordings. */
  upstreamPauses: boolean;
}

export function permissionsFor(caller: Caller, policy: PermissionPolicy): Permissions {
  const host = caller.role === 'host';
  return {
    start: host,
    stop: host,
    pause: host && policy.upstreamPauses,
    download: host || policy.viewerCanDownload,
  };
}

export function actorOf(caller: Caller): Actor {
  return { id: caller.sub, name: caller.name };
}

/** The caller's meeting must be the one the route names. */
export function requireMeeting(caller: Caller, meetingId: string): void {
  if (caller.meetingId !== meetingId) {
    throw new ApiError(403, 'forbidden', 'This token is for another meeting.');
  }
}

export function requirePermission(allowed: boolean, what: string): void {
  if (!allowed) throw new ApiError(403, 'forbidden', `This token may not ${what}.`);
}
