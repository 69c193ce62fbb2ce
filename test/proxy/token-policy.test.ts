/** The token policy (lifetime, issue time, claim lengths), key ids and secret lists, directly. */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import fc from 'fast-check';
import { MemoryRevocations } from '../../src/proxy/coordination.ts';
import { checkClaimLimits, DEFAULT_TOKEN_POLICY, keyId, parseSecrets } from '../../src/proxy/token-policy.ts';

const now = 1_800_000_000;
const refused = (claims: Parameters<typeof checkClaimLimits>[0]) =>
  assert.throws(() => checkClaimLimits(claims, now, DEFAULT_TOKEN_POLICY), {
    status: 401,
    code: 'unauthorized',
  });

describe('the token policy', () => {
  it('accepts a token within the limits', () => {
    checkClaimLimits({ exp: now + 900, iat: now, name: 'Ana', sub: 'u-1' }, now, DEFAULT_TOKEN_POLICY);
    checkClaimLimits({ exp: now + 7 * 86_400, iat: now }, now, DEFAULT_TOKEN_POLICY);
    checkClaimLimits({ exp: now + 900, iat: now + 30, name: 'x'.repeat(200) }, now, DEFAULT_TOKEN_POLICY);
  });

  it('refuses a lifetime past the maximum, with or without an iat', () => {
    refused({ exp: now + 100 * 365 * 86_400, iat: now });
    refused({ exp: now + 8 * 86_400 });
    refused({ exp: now + 8 * 86_400, iat: now - 86_400 * 30 + 8 * 86_400 }); // an old iat does not stretch it
  });

  it('refuses an iat in the future', () => {
    refused({ exp: now + 900, iat: now + 3600 });
  });

  it('refuses a name or a sub longer than the limit', () => {
    refused({ exp: now + 900, iat: now, name: 'x'.repeat(201) });
    refused({ exp: now + 900, iat: now, sub: 'x'.repeat(10_000) });
  });

  it('never accepts what lives longer than the policy says, whatever the claims', () => {
    fc.assert(
      fc.property(fc.integer({ min: -1e9, max: 1e10 }), fc.integer({ min: -1e9, max: 1e9 }), (ttl, age) => {
        const claims = { exp: now + ttl, iat: now - age };
        let accepted = true;
        try {
          checkClaimLimits(claims, now, DEFAULT_TOKEN_POLICY);
        } catch {
          accepted = false;
        }
        if (accepted)
          assert.ok(claims.exp - Math.min(claims.iat, now) <= DEFAULT_TOKEN_POLICY.maxTtlSeconds + 60);
      }),
    );
  });
});

describe('secrets and revocations', () => {
  it('reads a comma-separated secret list, newest first, and names each secret by a key id', () => {
    assert.deepEqual(parseSecrets(' new-secret , old-secret ,'), ['new-secret', 'old-secret']);
    assert.equal(keyId('new-secret'), keyId('new-secret'));
    assert.notEqual(keyId('new-secret'), keyId('old-secret'));
    assert.match(keyId('new-secret'), /^[A-Za-z0-9_-]{12}$/);
  });

  it('remembers a revoked id until the token would have expired', async () => {
    const revocations = new MemoryRevocations();
    await revocations.revoke('jti-1', Date.now() + 60_000);
    await revocations.revoke('jti-2', Date.now() - 1);
    assert.equal(await revocations.isRevoked('jti-1'), true);
    assert.equal(await revocations.isRevoked('jti-2'), false);
    assert.equal(await revocations.isRevoked('jti-3'), false);
  });
});
