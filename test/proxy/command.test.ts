/** The `proxy` and `token` subcommands, run as a user would run them. */
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { once } from 'node:events';
import { describe, it } from 'node:test';
import { verifyRecordingToken } from '../../src/server.ts';
import { startSimulator } from '../../src/simulator/index.ts';
import { conformance } from '../simulator/conformance.ts';
import { TOKEN_SECRET } from './helpers.ts';

const BIN = new URL('../../bin/dyte-recording-kit.js', import.meta.url).pathname;

/** Environment without any of the proxy's own variables from the outer shell. */
function cleanEnv(extra: Record<string, string>): NodeJS.ProcessEnv {
  const env = Object.fromEntries(
    Object.entries(process.env).filter(
      ([name]) => !/^(DYTE_|RTK_|RECORDING_|STORAGE_|PUBLIC_WEBHOOK|ALLOWED_ORIGINS|REDIS_)/.test(name),
    ),
  );
  return { ...env, ...extra };
}

async function run(args: string[], env: Record<string, string> = {}) {
  const child = spawn(process.execPath, [BIN, ...args], { env: cleanEnv(env) });
  let stdout = '';
  let stderr = '';
  child.stdout.on('data', (chunk) => (stdout += chunk));
  child.stderr.on('data', (chunk) => (stderr += chunk));
  const [code] = (await once(child, 'close')) as [number];
  return { code, stdout, stderr };
}

describe('dyte-recording-kit token', () => {
  it("prints a token for the proxy's secret as its last line", async () => {
    const { code, stdout } = await run(
      ['token', '--meeting-id', 'm-42', '--role', 'host', '--sub', 'u-1', '--name', 'Ana', '--ttl', '120'],
      { RECORDING_TOKEN_SECRET: TOKEN_SECRET },
    );
    assert.equal(code, 0);
    const token = stdout.trim().split('\n').at(-1)!;
    const claims = await verifyRecordingToken(token, TOKEN_SECRET);
    assert.deepEqual(
      [claims.meetingId, claims.role, claims.sub, claims.name],
      ['m-42', 'host', 'u-1', 'Ana'],
    );
  });

  it('explains what is missing', async () => {
    const noSecret = await run(['token', '--meeting-id', 'm-42', '--role', 'host']);
    assert.equal(noSecret.code, 2);
    assert.match(noSecret.stderr, /RECORDING_TOKEN_SECRET/);
    const badRole = await run(['token', '--meeting-id', 'm-42', '--role', 'admin'], {
      RECORDING_TOKEN_SECRET: TOKEN_SECRET,
    });
    assert.equal(badRole.code, 2);
    assert.match(badRole.stderr, /--role/);
    const help = await run(['token', '--help']);
    assert.equal(help.code, 0);
    assert.match(help.stdout, /--meeting-id/);
  });
});

describe('dyte-recording-kit proxy', () => {
  it('names the missing environment instead of starting, and documents it under --help', async () => {
    const { code, stderr } = await run(['proxy', '--port', '0']);
    assert.equal(code, 2);
    assert.match(stderr, /DYTE_ORG_ID/);
    assert.match(stderr, /RECORDING_TOKEN_SECRET/);
    const help = await run(['proxy', '--help']);
    assert.equal(help.code, 0);
    for (const text of [
      '--base-path',
      'DYTE_API_VERSION',
      'RTK_API_TOKEN',
      'ALLOWED_ORIGINS',
      'PUBLIC_WEBHOOK_URL',
    ]) {
      assert.ok(help.stdout.includes(text), text);
    }
  });

  it('serves the contract under --base-path, configured from the environment', async () => {
    const sim = await startSimulator({ observe: conformance().check });
    const child = spawn(process.execPath, [BIN, 'proxy', '--port', '0', '--base-path', '/api'], {
      env: cleanEnv({
        DYTE_API_BASE: sim.url,
        DYTE_ORG_ID: sim.orgId,
        DYTE_API_KEY: sim.apiKey,
        RECORDING_TOKEN_SECRET: TOKEN_SECRET,
      }),
    });
    try {
      let stdout = '';
      child.stdout.on('data', (chunk) => (stdout += chunk));
      const url = await new Promise<string>((resolve, reject) => {
        child.stdout.on('data', () => {
          const match = /listening on (\S+)/.exec(stdout);
          if (match) resolve(match[1]!);
        });
        child.once('exit', (code) => reject(new Error(`proxy exited with ${code}`)));
      });
      assert.match(url, /\/api$/);
      const health = await fetch(`${url}/health`);
      assert.equal(health.status, 200);
      assert.equal(((await health.json()) as { upstream: { kind: string } }).upstream.kind, 'v2');
      assert.ok(!stdout.includes(sim.apiKey));
    } finally {
      child.kill('SIGTERM');
      await once(child, 'exit');
      await sim.close();
    }
  });
});
