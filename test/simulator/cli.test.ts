import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { once } from 'node:events';
import { describe, it } from 'node:test';
import { fileURLToPath } from 'node:url';
import { basicAuth, eventually, request } from './helpers.ts';

const BIN = fileURLToPath(new URL('../../bin/dyte-recording-kit.js', import.meta.url));

function run(args: string[]) {
  const child = spawn(process.execPath, [BIN, 'simulator', ...args], { stdio: ['ignore', 'pipe', 'pipe'] });
  let stdout = '';
  let stderr = '';
  child.stdout.on('data', (chunk: Buffer) => (stdout += chunk));
  child.stderr.on('data', (chunk: Buffer) => (stderr += chunk));
  const exited = once(child, 'exit') as Promise<[number | null, string | null]>;
  return { child, exited, output: () => ({ stdout, stderr }) };
}

describe('dyte-recording-kit simulator', () => {
  it('starts, prints its URL, org id and key, serves the API, and exits cleanly on SIGTERM', async () => {
    const { child, exited, output } = run(['--port', '0', '--org-id', 'org-cli', '--api-key', 'key-cli']);
    try {
      const url = await new Promise<string>((resolve, reject) => {
        const timer = setTimeout(
          () => reject(new Error(`no URL printed: ${JSON.stringify(output())}`)),
          15_000,
        );
        child.stdout.on('data', () => {
          const match = /listening on (http:\/\/127\.0\.0\.1:\d+)/.exec(output().stdout);
          if (match && /api key: key-cli/.test(output().stdout)) {
            clearTimeout(timer);
            resolve(match[1]!);
          }
        });
      });
      assert.match(output().stdout, /org id:\s+org-cli/);
      const answer = await request(`${url}/v2/recordings`, 'GET', undefined, {
        authorization: basicAuth('org-cli', 'key-cli'),
      });
      assert.equal(answer.status, 200);
    } finally {
      child.kill('SIGTERM');
    }
    const [code] = await exited;
    assert.equal(code, 0);
  });

  it('transcribes every meeting with --transcribe', async () => {
    const { child, exited, output } = run([
      '--port',
      '0',
      '--speed',
      '1000',
      '--transcribe',
      '--api-key',
      'k',
    ]);
    try {
      const url = await new Promise<string>((resolve) => {
        child.stdout.on('data', () => {
          const match = /listening on (http:\/\/127\.0\.0\.1:\d+)[\s\S]*org id:\s+(\S+)/.exec(
            output().stdout,
          );
          if (match) resolve(`${match[1]}|${match[2]}`);
        });
      });
      const [origin, orgId] = url.split('|') as [string, string];
      const authorization = basicAuth(orgId, 'k');
      const joined = await request(`${origin}/_sim/meetings/m-cli/participants`, 'POST', {});
      const session = await request(`${origin}/v2/meetings/m-cli/active-session`, 'GET', undefined, {
        authorization,
      });
      const sessionId = session.body.data.id as string;
      await request(`${origin}/_sim/meetings/m-cli/participants/${joined.body.participantId}`, 'DELETE');
      await eventually(
        async () =>
          (
            await request(`${origin}/v2/sessions/${sessionId}/transcript`, 'GET', undefined, {
              authorization,
            })
          ).status === 200,
        5000,
        'the transcript',
      );
    } finally {
      child.kill('SIGTERM');
    }
    await exited;
  });

  it('prints its help with --help', async () => {
    const { exited, output } = run(['--help']);
    const [code] = await exited;
    assert.equal(code, 0);
    assert.match(output().stdout, /Usage: dyte-recording-kit simulator/);
    assert.match(output().stdout, /--speed N/);
    assert.match(output().stdout, /--transcribe/);
  });

  it('refuses unknown options and a start lag over 30 s with a usage error (exit 2)', async () => {
    for (const args of [['--bogus'], ['--start-lag-ms', '40000'], ['--speed', 'fast']]) {
      const { exited, output } = run(args);
      const [code] = await exited;
      assert.equal(code, 2, args.join(' '));
      assert.match(output().stderr, /Usage:/);
    }
  });
});
