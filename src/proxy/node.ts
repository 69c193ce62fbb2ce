/**
 * The proxy as a Node request listener, for Express, Fastify, Koa or `node:http`: requests become
 * fetch `Request`s (through `@hono/node-server`), answers stream back, event streams included.
 */
import type { IncomingMessage, ServerResponse } from 'node:http';
import { getRequestListener } from '@hono/node-server';
import type { Proxy } from './index.ts';

/**
 * `app.use('/api', proxyListener(proxy))` in Express (which strips `/api`: leave the proxy's
 * `basePath` empty); `http.createServer(proxyListener(proxy))` with `basePath: '/api'`. Mount it before
 * any body parser: the webhook signature is checked over the raw body.
 */
export function proxyListener(
  proxy: Pick<Proxy, 'fetch'>,
): (request: IncomingMessage, response: ServerResponse) => Promise<void> {
  return getRequestListener((request, env) => proxy.fetch(request, env));
}
