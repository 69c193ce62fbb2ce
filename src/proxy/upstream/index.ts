/** Builds the upstream adapter the configuration names. */
import type { UpstreamConfig } from '../config.ts';
import { DyteV1Upstream } from './dyte-v1.ts';
import { DyteV2Upstream } from './dyte-v2.ts';
import type { UpstreamHttpOptions } from './http.ts';
import type { Upstream } from './types.ts';

type TransportOptions = Omit<UpstreamHttpOptions, 'baseUrl' | 'authorization'>;

export function createUpstream(config: UpstreamConfig, transport: TransportOptions): Upstream {
  if (config.kind === 'rtk') {
    const origin = trimOrigin(config.apiBase ?? 'https://api.cloudflare.com');
    const account = encodeURIComponent(config.accountId);
    const app = encodeURIComponent(config.appId);
    return new DyteV2Upstream({
      ...transport,
      kind: 'rtk',
      origin,
      baseUrl: `${origin}/client/v4/accounts/${account}/realtime/kit/${app}`,
      authorization: `Bearer ${config.apiToken}`,
    });
  }
  const origin = trimOrigin(config.apiBase ?? 'https://api.dyte.io');
  if (config.kind === 'v1') {
    return new DyteV1Upstream({
      ...transport,
      origin,
      orgId: config.orgId,
      authorization: `APIKEY ${config.apiKey}`,
    });
  }
  return new DyteV2Upstream({
    ...transport,
    kind: 'v2',
    origin,
    baseUrl: `${origin}/v2`,
    authorization: `Basic ${btoa(`${config.orgId}:${config.apiKey}`)}`,
  });
}

/** `DYTE_API_BASE` is an origin; tolerate a trailing slash or an explicit `/v1` / `/v2`. */
function trimOrigin(base: string): string {
  return base.replace(/\/+$/, '').replace(/\/v[12]$/, '');
}
