/**
 * The proxy mounted in Node servers through `proxyListener`: a real Express app (the README's recipe:
 * the backend mints tokens and mounts the proxy) and a bare `node:http` server, over the real simulator.
 */
import assert from 'node:assert/strict';
import { createServer } from 'node:http';
import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { after, before, describe, it } from 'node:test';
import express from 'express';
import { createProxy, createRecordingToken, proxyListener } from '../../src/server.ts';
import type { Proxy } from '../../src/server.ts';
import { startSimulator } from '../../src/simulator/index.ts';
import type { RunningSimulator } from '../../src/simulator/index.ts';
import { EventStreamReader, meetingId, SPEED, TOKEN_SECRET } from './helpers.ts';

async function listen(server: Server): Promise<string> {
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
}

async function close(server: Server): Promise<void> {
  server.closeAllConnections();
  await new Promise<void>((resolve) => server.close(() => resolve()));
}

describe('the proxy in a Node server', () => {
  let sim: RunningSimulator;
  const proxies: Proxy[] = [];
  const servers: Server[] = [];
  const proxyFor = (basePath?: string) => {
    const proxy = createProxy({
      upstream: { kind: 'v2', apiBase: sim.url, orgId: sim.orgId, apiKey: sim.apiKey },
      tokenSecret: TOKEN_SECRET,
      basePath,
      log: () => {},
    });
    proxies.push(proxy);
    return proxy;
  };

  before(async () => {
    sim = await startSimulator({ speed: SPEED });
  });
  after(async () => {
    for (const proxy of proxies) await proxy.close();
    for (const server of servers) await close(server);
    await sim.close();
  });

  it('mounts in Express in one line, next to the route that mints tokens', async () => {
    const app = express();
    app.get('/recording-token', async (request, response) => {
      // The app's own session check would go here.
      const token = await createRecordingToken(
        { meetingId: String(request.query.meeting), role: 'host', sub: 'u1', name: 'Ana' },
        TOKEN_SECRET,
      );
      response.json({ token });
    });
    app.use('/api', proxyListener(proxyFor()));
    const server = createServer(app);
    servers.push(server);
    const url = await listen(server);

    const meeting = meetingId();
    const { token } = (await (await fetch(`${url}/recording-token?meeting=${meeting}`)).json()) as {
      token: string;
    };
    assert.equal((await fetch(`${url}/api/health`)).status, 200);
    const events = await EventStreamReader.open(`${url}/api/meetings/${meeting}/events`, token);
    try {
      await events.next((message) => message.event === 'snapshot');
      const started = await fetch(`${url}/api/meetings/${meeting}/recordings`, {
        method: 'POST',
        headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' },
        body: JSON.stringify({}),
      });
      assert.equal(started.status, 201);
      const recording = (await started.json()) as { id: string; status: string };
      assert.equal(recording.status, 'INVOKED');
      // The event stream is streamed through Express, not buffered.
      await events.next(
        (message) => message.event === 'recording' && (message.data as { id: string }).id === recording.id,
      );
    } finally {
      events.close();
    }
    const refused = await fetch(`${url}/api/meetings/${meeting}/recordings`, {
      method: 'POST',
      headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' },
      body: '{not json',
    });
    assert.equal(refused.status, 400);
    assert.equal(((await refused.json()) as { error: { code: string } }).error.code, 'invalid_json');
    const anonymous = await fetch(`${url}/api/meetings/${meeting}/recordings`);
    assert.equal(anonymous.status, 401);
  });

  it('serves node:http with the proxy under its base path', async () => {
    const server = createServer(proxyListener(proxyFor('/api')));
    servers.push(server);
    const url = await listen(server);
    const meeting = meetingId();
    const token = await createRecordingToken({ meetingId: meeting, role: 'viewer' }, TOKEN_SECRET);
    const list = await fetch(`${url}/api/meetings/${meeting}/recordings`, {
      headers: { authorization: `Bearer ${token}` },
    });
    assert.equal(list.status, 200);
    assert.deepEqual(((await list.json()) as { recordings: unknown[] }).recordings, []);
    assert.equal((await fetch(`${url}/elsewhere`)).status, 404);
  });
});
