/**
 * Pre-signed download URLs: the path and an expiry (simulated epoch seconds) signed with an
 * HMAC-SHA256 key that only this simulator holds. A changed path, expiry or signature does not verify;
 * a valid URL past its expiry is reported as expired.
 */
import { createHmac, randomBytes, timingSafeEqual } from 'node:crypto';

export interface UrlSigner {
  /** The query string (`expires=…&signature=…`) that makes `path` downloadable until `expiresAtMs`. */
  sign(path: string, expiresAtMs: number): string;
  verify(path: string, query: URLSearchParams, nowMs: number): 'ok' | 'expired' | 'invalid';
}

export function createUrlSigner(key: Buffer = randomBytes(32)): UrlSigner {
  const mac = (path: string, expires: string) =>
    createHmac('sha256', key).update(`${path}\n${expires}`).digest();
  return {
    sign(path, expiresAtMs) {
      const expires = String(Math.floor(expiresAtMs / 1000));
      return `expires=${expires}&signature=${mac(path, expires).toString('base64url')}`;
    },
    verify(path, query, nowMs) {
      const expires = query.get('expires') ?? '';
      const given = Buffer.from(query.get('signature') ?? '', 'base64url');
      const expected = mac(path, expires);
      if (
        !/^\d{1,12}$/.test(expires) ||
        given.length !== expected.length ||
        !timingSafeEqual(given, expected)
      ) {
        return 'invalid';
      }
      return Number(expires) * 1000 <= nowMs ? 'expired' : 'ok';
    },
  };
}
