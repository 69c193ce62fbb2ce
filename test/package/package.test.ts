/**
 * The published package as a user gets it: `npm pack` (which builds first, through `prepack`), the
 * tarball installed into a fresh project, then each entry point used the way an app uses it — the
 * server entry from plain Node, the browser entries through a stock bundler, the declarations through
 * `tsc` (React 19 JSX too) and `vue-tsc`, the command through `npx`, and in Chromium a user's Express
 * app that mounts the proxy, renders the elements on the server (hydrated in the page) and serves
 * static pages loading the single-file builds.
 */
import assert from 'node:assert/strict';
import { execFile, spawn } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { after, before, describe, it } from 'node:test';
import { build } from 'esbuild';
import { chromium } from 'playwright-core';
import type { Page } from 'playwright-core';
import { CHROMIUM_ARGS, findChromium } from '../../scripts/find-chromium.mjs';
import { startSimulator } from '../../src/simulator/index.ts';
import { CDN_PAGE, EXPRESS_APP, LIT_EXTERNAL_PAGE, REACT_TSX, SSR_CLIENT, VUE_SFC } from './host-apps.ts';

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
        ...['express', '@lit-labs/ssr', '@lit-labs/ssr-client', 'vue', 'vue-tsc'].map(
          (name) => `${name}@${devVersion(name)}`,
        ),
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
      'dist/cli/cli.js',
      'dist/esm/index.js',
      'dist/esm/core.js',
      'dist/esm/locales/pt-BR.js',
      'dist/types/frameworks/vue.d.ts',
      'dist/types/frameworks/react-jsx.d.ts',
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

  it('bundles with a stock bundler: the four elements defined, no decorator left to lower', async () => {
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
      // define(tag, Class) calls, whatever the minifier named the helper.
      [...code.matchAll(/[\w$]+\(\s*["'`](dyte-[a-z-]+)["'`],\s*[\w$]+\s*\)/g)]
        .map((match) => match[1])
        .sort();

    const whole = await bundled(
      `import 'dyte-recording-kit';\nimport { RecordButton } from 'dyte-recording-kit/react';\nconsole.log(RecordButton);`,
    );
    assert.deepEqual(defines(whole), [
      'dyte-record-button',
      'dyte-recording-list',
      'dyte-recording-notice',
      'dyte-recording-status',
    ]);
    assert.doesNotMatch(whole, /__decorate|__esDecorate|__runInitializers/);
    assert.match(whole, /litHtmlVersions/, 'Lit is resolved from the installed dependencies');

    const one = await bundled(`import 'dyte-recording-kit/record-button';`);
    assert.deepEqual(defines(one), ['dyte-record-button']);
    const notice = await bundled(`import 'dyte-recording-kit/recording-notice';`);
    assert.deepEqual(defines(notice), ['dyte-recording-notice']);
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

  it('installs slim: no TypeScript runner or bundler among its dependencies', () => {
    const installed = JSON.parse(
      readFileSync(join(app, 'node_modules', 'dyte-recording-kit', 'package.json'), 'utf8'),
    ) as { dependencies: Record<string, string> };
    for (const heavy of ['tsx', 'esbuild', 'vite', 'typescript'])
      assert.ok(!(heavy in installed.dependencies), `${heavy} is not a dependency`);
    for (const heavy of ['tsx', 'esbuild'])
      assert.ok(!existsSync(join(app, 'node_modules', heavy)), `${heavy} was not installed`);
  });

  it('explains that `dev` needs a clone of the repository', async () => {
    const failed = await run('npx', ['--no-install', 'dyte-recording-kit', 'dev', '--port', '0'], {
      cwd: app,
    }).then(
      () => assert.fail('dev must not start outside a clone'),
      (error: { code: number; stderr: string }) => error,
    );
    assert.equal(failed.code, 1);
    assert.match(failed.stderr, /clone of the dyte-recording-kit repository/);
    assert.doesNotMatch(failed.stderr, /ERR_MODULE_NOT_FOUND|at .*\.js:\d+/);
  });

  it('runs the simulator with a fixed org id and API key', async () => {
    // The installed command itself (not through npx, which would not pass the signal on).
    const bin = join(app, 'node_modules', '.bin', 'dyte-recording-kit');
    const child = spawn(process.execPath, [bin, 'simulator', '--org-id', 'org-1', '--api-key', 'key-1'], {
      cwd: app,
      stdio: ['ignore', 'pipe', 'inherit'],
    });
    const exited = new Promise((resolve) => child.once('exit', resolve));
    try {
      const url = await firstMatch(child.stdout, /listening on (http:\/\/\S+)/);
      const auth = (key: string) => ({ authorization: `Basic ${btoa(`org-1:${key}`)}` });
      assert.equal((await fetch(`${url}/v2/recordings`, { headers: auth('key-1') })).status, 200);
      assert.equal((await fetch(`${url}/v2/recordings`, { headers: auth('other') })).status, 401);
    } finally {
      child.kill('SIGINT');
      await exited;
    }
  });

  it('describes its elements for tools: shipped module paths, no private members, detail types', () => {
    const installed = join(app, 'node_modules', 'dyte-recording-kit');
    const manifest = JSON.parse(readFileSync(join(installed, 'custom-elements.json'), 'utf8')) as {
      modules: {
        path: string;
        declarations: {
          tagName?: string;
          members?: { name: string }[];
          events?: { type: { text: string } }[];
        }[];
      }[];
    };
    const tags = manifest.modules.flatMap((m) => m.declarations.map((d) => d.tagName).filter(Boolean));
    assert.deepEqual(tags.sort(), [
      'dyte-record-button',
      'dyte-recording-list',
      'dyte-recording-notice',
      'dyte-recording-status',
    ]);
    for (const module of manifest.modules) {
      assert.ok(existsSync(join(installed, module.path)), `${module.path} is shipped`);
      for (const declaration of module.declarations) {
        assert.deepEqual(
          (declaration.members ?? []).filter((member) => member.name.startsWith('#')),
          [],
          module.path,
        );
        for (const event of declaration.events ?? []) assert.doesNotMatch(event.type.text, /CustomEvent/);
      }
    }
  });

  it('imports its side-effect-free entry on a server, without any DOM', async () => {
    const { stdout } = await run(
      process.execPath,
      [
        '--input-type=module',
        '-e',
        `import { STRINGS, setStrings, stringsFor } from 'dyte-recording-kit/core';
         import de from 'dyte-recording-kit/locales/de';
         setStrings(de, 'de');
         console.log(JSON.stringify({ record: stringsFor('de-DE').record, english: STRINGS.record, dom: typeof customElements }));`,
      ],
      { cwd: app },
    );
    assert.deepEqual(JSON.parse(stdout), { record: 'Aufnehmen', english: 'Record', dom: 'undefined' });
  });

  it('type-checks React 19 JSX with the tags, catching wrong values, tags and details', async () => {
    writeFileSync(join(app, 'app.tsx'), REACT_TSX);
    writeFileSync(
      join(app, 'tsconfig.react.json'),
      JSON.stringify({
        compilerOptions: { ...TSCONFIG_BUNDLER, jsx: 'react-jsx' },
        files: ['app.tsx'],
      }),
    );
    await run(process.execPath, [TSC, '-p', 'tsconfig.react.json'], { cwd: app }).catch(
      (error: { stdout: string }) => assert.fail(`tsc failed:\n${error.stdout}`),
    );
  });

  it('type-checks Vue templates with vue-tsc, catching wrong values, tags and details', async () => {
    writeFileSync(join(app, 'App.vue'), VUE_SFC);
    writeFileSync(
      join(app, 'tsconfig.vue.json'),
      JSON.stringify({
        compilerOptions: { ...TSCONFIG_BUNDLER, skipLibCheck: true },
        vueCompilerOptions: { strictTemplates: true },
        files: ['App.vue'],
      }),
    );
    const vueTsc = join(app, 'node_modules', 'vue-tsc', 'bin', 'vue-tsc.js');
    await run(process.execPath, [vueTsc, '-p', 'tsconfig.vue.json'], { cwd: app }).catch(
      (error: { stdout: string }) => assert.fail(`vue-tsc failed:\n${error.stdout}`),
    );
  });

  describe('in Chromium, served by an Express app', () => {
    let server: ReturnType<typeof spawn>;
    let url: string;
    let browser: Awaited<ReturnType<typeof chromium.launch>>;
    let simulator: Awaited<ReturnType<typeof startSimulator>>;
    let meetings = 0;

    before(async () => {
      simulator = await startSimulator({ speed: 10, startLagMs: 3000, uploadMs: 1000 });
      mkdirSync(join(app, 'public'), { recursive: true });
      writeFileSync(join(app, 'public', 'cdn.html'), CDN_PAGE);
      writeFileSync(join(app, 'public', 'lit-external.html'), LIT_EXTERNAL_PAGE);
      await build({
        stdin: { contents: SSR_CLIENT, resolveDir: app, loader: 'js', sourcefile: 'client.js' },
        absWorkingDir: app,
        bundle: true,
        format: 'esm',
        platform: 'browser',
        target: 'es2022',
        outfile: join(app, 'public', 'client.js'),
        logLevel: 'silent',
      });
      writeFileSync(join(app, 'server.mjs'), EXPRESS_APP);
      server = spawn(process.execPath, ['server.mjs'], {
        cwd: app,
        stdio: ['ignore', 'pipe', 'inherit'],
        env: {
          ...process.env,
          RECORDING_TOKEN_SECRET: 'a-secret-of-at-least-32-characters!!',
          SIM_URL: simulator.url,
          SIM_ORG: simulator.orgId,
          SIM_KEY: simulator.apiKey,
        },
      });
      url = (JSON.parse(await firstMatch(server.stdout!, /^(\{.*\})$/m)) as { url: string }).url;
      const executablePath = findChromium();
      assert.ok(executablePath, 'Chromium is installed');
      browser = await chromium.launch({ executablePath, args: CHROMIUM_ARGS });
    });

    after(async () => {
      await browser?.close();
      const exited = new Promise((resolve) => server?.once('exit', resolve));
      server?.kill('SIGTERM');
      await exited;
      await simulator?.close();
    });

    /** Opens `path` for a new meeting; collects the page's errors and warnings. */
    const open = async (path: string) => {
      const page = await browser.newPage();
      const problems: string[] = [];
      const warnings: string[] = [];
      page.on('pageerror', (error) => problems.push(error.message));
      page.on('console', (message) => {
        if (message.type() === 'error') problems.push(message.text());
        if (message.type() === 'warning') warnings.push(message.text());
      });
      meetings += 1;
      await page.goto(`${url}${path}?meeting=package-${meetings}-${Date.now()}`);
      return { page, problems, warnings };
    };
    const label = (page: Page) => page.locator('dyte-recording-status [part=label]');

    it('runs the self-contained module from a static page, recording included', async () => {
      const { page, problems } = await open('/cdn.html');
      try {
        await label(page).filter({ hasText: 'Not recording' }).waitFor({ timeout: 10_000 });
        await page.locator('dyte-record-button [part=button]').click();
        await label(page).filter({ hasText: 'REC' }).waitFor({ timeout: 15_000 });
        assert.deepEqual(problems, []);
      } finally {
        await page.close();
      }
    });

    it('runs the build without Lit through an import map, and a second copy only warns', async () => {
      const { page, problems, warnings } = await open('/lit-external.html');
      try {
        await label(page).filter({ hasText: 'Not recording' }).waitFor({ timeout: 10_000 });
        assert.deepEqual(problems, []);
        assert.equal(warnings.filter((w) => /was defined by another copy/.test(w)).length, 4);
      } finally {
        await page.close();
      }
    });

    it('renders the elements on the server and hydrates them in the page', async () => {
      const { page, problems } = await open('/ssr');
      try {
        const serverRendered = await page.evaluate(
          () => (window as { serverRendered?: string }).serverRendered,
        );
        assert.match(serverRendered ?? '', /Loading…/, 'the status came rendered, before any script');
        await label(page).filter({ hasText: 'Not recording' }).waitFor({ timeout: 10_000 });
        await page.locator('dyte-record-button [part=button]').click();
        await label(page).filter({ hasText: 'REC' }).waitFor({ timeout: 15_000 });
        assert.deepEqual(problems, []);
      } finally {
        await page.close();
      }
    });
  });
});

/** The tsconfig of an app that bundles. */
const TSCONFIG_BUNDLER = {
  module: 'preserve',
  moduleResolution: 'bundler',
  target: 'es2022',
  lib: ['es2023', 'dom', 'dom.iterable'],
  types: [],
  strict: true,
  noEmit: true,
  skipLibCheck: false,
};

/** The first capture of `pattern` in what `stream` prints (within 20 s). */
function firstMatch(stream: NodeJS.ReadableStream, pattern: RegExp): Promise<string> {
  return new Promise((resolve, reject) => {
    let text = '';
    const timer = setTimeout(() => reject(new Error(`no ${pattern} in: ${text}`)), 20_000);
    stream.on('data', (chunk: Buffer) => {
      text += chunk.toString();
      const found = pattern.exec(text);
      if (found) {
        clearTimeout(timer);
        resolve(found[1]!);
      }
    });
  });
}
