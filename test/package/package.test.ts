/**
 * The published package as a user gets it: `npm pack` (which builds first, through `prepack`), the
 * tarball installed into a fresh project, then each entry point used the way an app uses it — the
 * server entry from plain Node, the browser entries through a stock bundler, the declarations through
 * `tsc`, the command through `npx`.
 */
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { after, before, describe, it } from 'node:test';
import { build } from 'esbuild';

const run = promisify(execFile);
const ROOT = new URL('../..', import.meta.url).pathname;
const TSC = join(ROOT, 'node_modules', 'typescript', 'bin', 'tsc');
const devVersion = (name: string): string =>
  (
    JSON.parse(readFileSync(join(ROOT, 'package.json'), 'utf8')) as {
      devDependencies: Record<string, string>;
    }
  ).devDependencies[name]!;

/** What a consumer's app imports, with deliberate type errors that must be reported. */
const CONSUMER_TS = `
import { createRecordingToken, createProxy, verifyRecordingToken } from 'dyte-recording-kit/server';
import type { ProxyOptions, RecordingClaims } from 'dyte-recording-kit/server';
import { DyteRecordButton, liveRecording, STRINGS } from 'dyte-recording-kit';
import type { DyteRecordingEvents, Recording } from 'dyte-recording-kit';
import { RecordButton } from 'dyte-recording-kit/react';

const options: ProxyOptions = { upstream: { kind: 'v2', orgId: 'o', apiKey: 'k' }, tokenSecret: 's'.repeat(32) };
export const proxy = createProxy(options);
export const token: Promise<string> = createRecordingToken({ meetingId: 'm', role: 'host' }, options.tokenSecret);
export const claims: Promise<RecordingClaims> = verifyRecordingToken('t', options.tokenSecret);
const button: DyteRecordButton = document.createElement('dyte-record-button');
export const meetingId: string = button.meetingId;
export const label: string = STRINGS.record;
export const onError = (event: DyteRecordingEvents['dyte-recording-error']): string => event.detail.message;
export const status = (recording: Recording): string => recording.status;
export { liveRecording, RecordButton };
// @ts-expect-error meetingId is a string
export const wrong: number = button.meetingId;
// @ts-expect-error the role is host or viewer
createRecordingToken({ meetingId: 'm', role: 'owner' }, options.tokenSecret);
`;

/** The server entry from plain Node: a token, a proxy listening on a free port, its /health. */
const SERVER_SCRIPT = `
import { generateKeyPairSync } from 'node:crypto';
import { createRecordingToken, startProxy, verifyRecordingToken } from 'dyte-recording-kit/server';

const secret = 'a-secret-of-at-least-32-characters!!';
const token = await createRecordingToken({ meetingId: 'weekly', role: 'host', name: 'Ana' }, secret);
const claims = await verifyRecordingToken(token, secret);
const { publicKey } = generateKeyPairSync('rsa', { modulusLength: 2048 });
const server = await startProxy({
  upstream: { kind: 'v2', apiBase: 'http://127.0.0.1:9', orgId: 'org', apiKey: 'key' },
  tokenSecret: secret,
  webhookPublicKey: publicKey.export({ type: 'spki', format: 'pem' }),
  log: () => {},
});
try {
  const health = await fetch(server.url + '/health');
  const anonymous = await fetch(server.url + '/meetings/weekly/recordings');
  console.log(JSON.stringify({
    claims,
    health: { status: health.status, body: await health.json() },
    anonymous: { status: anonymous.status, body: await anonymous.json() },
  }));
} finally {
  await server.close();
}
`;

describe('the published package', { timeout: 150_000 }, () => {
  const temp = mkdtempSync(join(tmpdir(), 'drk-package-'));
  const app = join(temp, 'app');
  let packed: { filename: string; files: { path: string }[] };

  before(async () => {
    const { stdout } = await run('npm', ['pack', '--json', '--pack-destination', temp], {
      cwd: ROOT,
      maxBuffer: 16 * 1024 * 1024,
    });
    // `prepack` prints the build's output first; the JSON report is the tail.
    packed = (JSON.parse(stdout.slice(stdout.indexOf('\n[') + 1)) as (typeof packed)[])[0]!;
    mkdirSync(app);
    writeFileSync(join(app, 'package.json'), JSON.stringify({ name: 'app', private: true, type: 'module' }));
    await run(
      'npm',
      [
        'install',
        '--no-audit',
        '--no-fund',
        '--prefer-offline',
        join(temp, packed.filename),
        `react@${devVersion('react')}`,
        `@types/react@${devVersion('@types/react')}`,
        `@types/node@${devVersion('@types/node')}`,
      ],
      { cwd: app },
    );
  });

  after(() => rmSync(temp, { recursive: true, force: true }));

  it('ships the build, the command and its sources, and nothing secret or test-only', () => {
    const paths = packed.files.map((file) => file.path);
    for (const required of [
      'package.json',
      'README.md',
      'custom-elements.json',
      'bin/dyte-recording-kit.js',
      'src/cli.ts',
      'dist/esm/index.js',
      'dist/esm/react.js',
      'dist/server.js',
      'dist/dyte-recording-kit.js',
      'dist/types/index.d.ts',
      'dist/types/react.d.ts',
      'dist/types/server.d.ts',
    ]) {
      assert.ok(paths.includes(required), `${required} is in the tarball`);
    }
    const suspicious = paths.filter((path) =>
      /(^|\/)(\.env|\.npmrc|test|tests|__tests__)(\/|$|\.)|\.(test|spec)\.|\.(pem|key|p12|pfx)$|secret|credential|id_(rsa|ed25519)/i.test(
        path,
      ),
    );
    assert.deepEqual(suspicious, []);
    const installed = join(app, 'node_modules', 'dyte-recording-kit');
    const withKeys = paths.filter(
      (path) =>
        !/\.(mp4|webm|ogg|mp3|m4a)$/.test(path) &&
        /-----BEGIN [A-Z ]*PRIVATE KEY-----|\bAKIA[0-9A-Z]{16}\b/.test(
          readFileSync(join(installed, path), 'utf8'),
        ),
    );
    assert.deepEqual(withKeys, []);
  });

  it('runs its server entry on plain Node: a token, a proxy, its /health', async () => {
    const { stdout } = await run(process.execPath, ['--input-type=module', '-e', SERVER_SCRIPT], {
      cwd: app,
    });
    const result = JSON.parse(stdout) as {
      claims: { meetingId: string; role: string; name: string };
      health: { status: number; body: { ok: boolean; upstream: { kind: string } } };
      anonymous: { status: number; body: { error?: { code?: string } } };
    };
    assert.equal(result.claims.meetingId, 'weekly');
    assert.equal(result.claims.role, 'host');
    assert.equal(result.claims.name, 'Ana');
    assert.equal(result.health.status, 200);
    assert.equal(result.health.body.ok, true);
    assert.equal(result.health.body.upstream.kind, 'v2');
    assert.equal(result.anonymous.status, 401);
  });

  it('bundles with a stock bundler: the three elements defined, no decorator left to lower', async () => {
    const bundled = async (contents: string) => {
      const result = await build({
        stdin: { contents, resolveDir: app, loader: 'js', sourcefile: 'app.js' },
        absWorkingDir: app,
        bundle: true,
        format: 'esm',
        platform: 'browser',
        target: 'es2022',
        write: false,
        logLevel: 'silent',
      });
      return result.outputFiles[0]!.text;
    };
    const defines = (code: string) =>
      [...code.matchAll(/customElements\.define\(\s*["'`]([a-z-]+)["'`]/g)].map((match) => match[1]).sort();

    const whole = await bundled(
      `import 'dyte-recording-kit';\nimport { RecordButton } from 'dyte-recording-kit/react';\nconsole.log(RecordButton);`,
    );
    assert.deepEqual(defines(whole), ['dyte-record-button', 'dyte-recording-list', 'dyte-recording-status']);
    assert.doesNotMatch(whole, /__decorate|__esDecorate|__runInitializers/);
    assert.match(
      whole,
      /@lit\/task|class Task\b|TaskStatus/,
      '@lit/task is resolved from the installed dependencies',
    );

    const one = await bundled(`import 'dyte-recording-kit/record-button';`);
    assert.deepEqual(defines(one), ['dyte-record-button']);
  });

  it('keeps server code and secret names out of every browser build', () => {
    const installed = join(app, 'node_modules', 'dyte-recording-kit', 'dist');
    const browserFiles = [
      'dyte-recording-kit.js',
      'dyte-recording-kit.lit-external.js',
      ...packed.files
        .map((file) => file.path)
        .filter((path) => path.startsWith('dist/esm/') && path.endsWith('.js'))
        .map((path) => path.slice('dist/'.length)),
    ];
    assert.ok(browserFiles.length > 3, 'the per-entry modules are there');
    // What only the proxy or the simulator would carry: their env names, the JWT library, upstream auth.
    const serverOnly =
      /DYTE_API_KEY|DYTE_ORG_ID|RTK_API_TOKEN|RECORDING_TOKEN_SECRET|STORAGE_SECRET|createRecordingToken|SignJWT|jwtVerify|APIKEY |Basic |node:/;
    for (const file of browserFiles) {
      assert.doesNotMatch(readFileSync(join(installed, file), 'utf8'), serverOnly, file);
    }
    assert.match(
      readFileSync(join(installed, 'server.js'), 'utf8'),
      serverOnly,
      'the pattern does find server code',
    );
  });

  it('type-checks an app against its declarations, catching its type errors', async () => {
    writeFileSync(join(app, 'app.ts'), CONSUMER_TS);
    for (const [module, moduleResolution] of [
      ['nodenext', 'nodenext'],
      ['preserve', 'bundler'],
    ]) {
      const tsconfig = {
        compilerOptions: {
          module,
          moduleResolution,
          target: 'es2022',
          lib: ['es2023', 'dom', 'dom.iterable'],
          types: ['node'],
          strict: true,
          noEmit: true,
          skipLibCheck: false,
        },
        files: ['app.ts'],
      };
      writeFileSync(join(app, 'tsconfig.json'), JSON.stringify(tsconfig));
      await run(process.execPath, [TSC, '-p', 'tsconfig.json'], { cwd: app }).catch(
        (error: { stdout: string }) => assert.fail(`tsc (${moduleResolution}) failed:\n${error.stdout}`),
      );
    }
  });

  it('runs its command from the installed package', async () => {
    const help = await run('npx', ['--no-install', 'dyte-recording-kit', '--help'], { cwd: app });
    assert.match(help.stdout, /Usage: dyte-recording-kit <command>/);
    for (const command of ['dev', 'simulator', 'proxy', 'token'])
      assert.match(help.stdout, new RegExp(`\\n  ${command} `));

    const env = { ...process.env, RECORDING_TOKEN_SECRET: 'a-secret-of-at-least-32-characters!!' };
    const token = await run(
      'npx',
      ['--no-install', 'dyte-recording-kit', 'token', '--meeting-id', 'm', '--role', 'viewer'],
      {
        cwd: app,
        env,
      },
    );
    assert.match(token.stdout.trim().split('\n').at(-1)!, /^[\w-]+\.[\w-]+\.[\w-]+$/);
  });
});
