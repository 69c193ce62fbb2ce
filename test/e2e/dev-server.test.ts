/**
 * The `dev` server over HTTP, without a browser: one port for the pages, the proxy at /api and the
 * dev-only /_demo routes, with clear JSON errors for bad input.
 */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { startDevServer } from '../../src/dev/server.ts';
import type { DevServer } from '../../src/dev/server.ts';
import type { RecordingList } from '../../src/core/contract.ts';

let server: DevServer;
const logged: string[] = [];

const get = (path: string, init?: RequestInit) => fetch(new URL(path, server.url), init);

async function json<T>(path: string, init?: RequestInit, status = 200): Promise<T> {
  const response = await get(path, init);
  assert.equal(response.status, status, `${init?.method ?? 'GET'} ${path}`);
  return (await response.json()) as T;
}

async function token(meeting: string, role: string): Promise<string> {
  return (await json<{ token: string }>(`/_demo/token?meeting=${meeting}&role=${role}`)).token;
}

describe('the dev server', () => {
  before(async () => {
    server = await startDevServer({ port: 0, watch: false, log: (line) => logged.push(line) });
  });

  after(async () => {
    await server?.close();
  });

  it('serves the three demo pages', async () => {
    for (const [path, script] of [
      ['/', '/main.ts'],
      ['/react/', './main.tsx'],
      ['/vue/', './main.ts'],
    ] as const) {
      const response = await get(path);
      assert.equal(response.status, 200, path);
      assert.match(await response.text(), new RegExp(`src="${script.replace('.', '\\.')}"`), path);
    }
    assert.equal((await get('/no-such-page')).status, 404);
  });

  it('mounts the proxy at /api, wired to the simulator with its webhook registered', async () => {
    const health = await json<{ ok: boolean; upstream: { reachable: boolean } }>('/api/health');
    assert.equal(health.ok, true);
    assert.equal(health.upstream.reachable, true);
    assert.ok(logged.some((line) => /webhook registration (created|reused|completed)/.test(line)));
  });

  it('mints tokens the proxy accepts, a host may record and a viewer may not', async () => {
    const meeting = 'dev-tokens';
    for (const [role, may] of [
      ['host', true],
      ['viewer', false],
    ] as const) {
      const list = await json<RecordingList>(`/api/meetings/${meeting}/recordings`, {
        headers: { authorization: `Bearer ${await token(meeting, role)}` },
      });
      assert.equal(list.permissions.start, may, role);
    }
  });

  it('answers bad demo requests with JSON errors', async () => {
    const error = async (path: string, status: number, code: string, method = 'GET') => {
      const body = await json<{ error: { code: string; message: string } }>(path, { method }, status);
      assert.equal(body.error.code, code, path);
      assert.ok(body.error.message.length > 0);
    };
    await error('/_demo/token?meeting=m1&role=admin', 400, 'bad_request');
    await error('/_demo/token?meeting=not%20an%20id', 400, 'invalid_id');
    await error('/_demo/token', 400, 'invalid_id');
    await error('/_demo/meetings/m1/participants/nobody', 404, 'not_found', 'DELETE');
    await error('/_demo/nothing-here', 404, 'not_found');
  });

  it('fills a new room, then adds and removes participants', async () => {
    type Participants = { participants: { id: string; name: string }[] };
    const path = '/_demo/meetings/dev-room/participants';
    const first = await json<Participants>(path);
    assert.equal(first.participants.length, 2, 'a new room starts with two people, so it is not empty');
    const added = await json<{ id: string; name: string }>(path, { method: 'POST' }, 201);
    assert.equal((await json<Participants>(path)).participants.length, 3);
    assert.equal((await get(`${path}/${added.id}`, { method: 'DELETE' })).status, 204);
    assert.deepEqual(await json<Participants>(path), first);
  });

  it('switches the upstream outage on and off', async () => {
    const headers = { authorization: `Bearer ${await token('dev-outage', 'host')}` };
    assert.deepEqual(await json('/_demo/outage', { method: 'POST' }), { active: true });
    assert.deepEqual(await json('/_demo/outage'), { active: true });
    const refused = await json<{ error: { code: string } }>(
      '/api/meetings/dev-outage/recordings',
      { method: 'POST', headers },
      502,
    );
    assert.equal(refused.error.code, 'upstream_unavailable');
    assert.deepEqual(await json('/_demo/outage', { method: 'DELETE' }), { active: false });
    await json('/api/meetings/dev-outage/recordings', { method: 'POST', headers }, 201);
  });
});
