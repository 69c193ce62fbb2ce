/**
 * The apps a user of the published package writes, as files for the package test: React 19 and Vue
 * sources that must type-check (and whose deliberate mistakes must not), and an Express app that mounts
 * the proxy, mints tokens, renders the elements on the server and serves static pages that load the
 * single-file builds.
 */

/** React 19 with the tags in JSX, typed by `dyte-recording-kit/react-jsx`. */
export const REACT_TSX = `
import type {} from 'dyte-recording-kit/react-jsx';

export const ok = (
  <>
    <dyte-recording-status meeting-id="m" endpoint="/api" theme="dark" limit-warning={300} />
    <dyte-record-button
      meetingId="m"
      endpoint="/api"
      when-forbidden="disabled"
      tokenProvider={async () => 'token'}
      ondyte-recording-error={(event) => console.warn(event.detail.message)}
      ondyte-recording-start={(event) => console.log(event.detail.recording.id)}
    />
    <dyte-recording-list meeting-id="m" endpoint="/api" hidden ref={(list) => void list?.meetingId} />
  </>
);
// @ts-expect-error a value the attribute does not take
export const wrongValue = <dyte-record-button when-forbidden="sometimes" />;
// @ts-expect-error a misspelled tag
export const misspelled = <dyte-recrod-button meeting-id="m" />;
// @ts-expect-error the detail has no such field
export const wrongDetail = <dyte-record-button ondyte-recording-error={(event) => event.detail.nope} />;
`;

/** A Vue single-file component, typed by `dyte-recording-kit/vue`; vue-tsc reports unmet expectations. */
export const VUE_SFC = `<script setup lang="ts">
import type {} from 'dyte-recording-kit/vue';
import type { DyteRecordingEvents } from 'dyte-recording-kit';

const getToken = async () => 'token';
const onError = (event: DyteRecordingEvents['dyte-recording-error']) => console.warn(event.detail.message);
</script>

<template>
  <dyte-recording-status meeting-id="m" endpoint="/api" :tokenProvider="getToken" theme="dark" :limit-warning="300" />
  <dyte-record-button
    meeting-id="m"
    endpoint="/api"
    when-forbidden="disabled"
    @dyte-recording-error="onError"
    @dyte-recording-start="(event) => console.log(event.detail.recording.id)"
  />
  <dyte-recording-list meeting-id="m" endpoint="/api" @dyte-recording-download="(event) => event.preventDefault()" />
  <!-- @vue-expect-error a value the attribute does not take -->
  <dyte-record-button when-forbidden="sometimes" />
  <!-- @vue-expect-error a misspelled tag -->
  <dyte-recrod-button meeting-id="m" />
  <!-- @vue-expect-error the detail has no such field -->
  <dyte-record-button @dyte-recording-error="(event) => event.detail.nope" />
  <!-- @vue-expect-error theme is light, dark or auto -->
  <dyte-recording-list theme="sepia" />
</template>
`;

const ELEMENTS = `<dyte-recording-status endpoint="/api"></dyte-recording-status>
<dyte-record-button endpoint="/api"></dyte-record-button>
<dyte-recording-list endpoint="/api"></dyte-recording-list>`;

/** The README's plain-HTML recipe: a token provider and the meeting set on every element. */
const SETUP = `const meetingId = new URLSearchParams(location.search).get('meeting');
const tokenProvider = async () => (await (await fetch('/token?meeting=' + meetingId)).json()).token;
for (const element of document.querySelectorAll('dyte-record-button, dyte-recording-status, dyte-recording-list')) {
  element.tokenProvider = tokenProvider;
  element.meetingId = meetingId;
}`;

/** The self-contained module, by path, as a CDN serves it. */
export const CDN_PAGE = `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>CDN</title></head><body>
${ELEMENTS}
<script type="module">
import '/node_modules/dyte-recording-kit/dist/dyte-recording-kit.js';
${SETUP}
</script>
</body></html>`;

/** The build without Lit, Lit from an import map; then a second copy of the kit, which must only warn. */
export const LIT_EXTERNAL_PAGE = `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>Lit external</title>
<script type="importmap">
{ "imports": {
  "lit": "/node_modules/lit/index.js",
  "lit/": "/node_modules/lit/",
  "lit-html": "/node_modules/lit-html/lit-html.js",
  "lit-html/": "/node_modules/lit-html/",
  "lit-element/": "/node_modules/lit-element/",
  "@lit/reactive-element": "/node_modules/@lit/reactive-element/reactive-element.js",
  "@lit/reactive-element/": "/node_modules/@lit/reactive-element/",
  "@lit/task": "/node_modules/@lit/task/index.js"
} }
</script></head><body>
${ELEMENTS}
<script type="module">
import '/node_modules/dyte-recording-kit/dist/dyte-recording-kit.lit-external.js';
await import('/node_modules/dyte-recording-kit/dist/dyte-recording-kit.js');
${SETUP}
</script>
</body></html>`;

/** What the SSR page loads: Lit's hydration support first, then the kit, bundled as an app would. */
export const SSR_CLIENT = `import '@lit-labs/ssr-client/lit-element-hydrate-support.js';
import 'dyte-recording-kit';
`;

/**
 * A user's Express app: the proxy mounted in one line, a token route, the elements rendered on the
 * server, the static pages. Prints its URL as JSON.
 */
export const EXPRESS_APP = `
import express from 'express';
import { render } from '@lit-labs/ssr';
import { collectResult } from '@lit-labs/ssr/lib/render-result.js';
import { html } from 'lit';
import 'dyte-recording-kit';
import { createProxy, createRecordingToken, proxyListener } from 'dyte-recording-kit/server';

const secret = process.env.RECORDING_TOKEN_SECRET;
const proxy = createProxy({
  upstream: { kind: 'v2', apiBase: process.env.SIM_URL, orgId: process.env.SIM_ORG, apiKey: process.env.SIM_KEY },
  tokenSecret: secret,
  log: () => {},
});
await proxy.start();
const mint = (meetingId) => createRecordingToken({ meetingId, role: 'host', name: 'Ana' }, secret);

const app = express();
app.use('/api', proxyListener(proxy));
app.get('/token', async (request, response) => response.json({ token: await mint(String(request.query.meeting)) }));
app.get('/ssr', async (request, response) => {
  const meetingId = String(request.query.meeting);
  const token = await mint(meetingId);
  const elements = await collectResult(render(html\`
    <dyte-recording-status endpoint="/api" meeting-id=\${meetingId} token=\${token}></dyte-recording-status>
    <dyte-record-button endpoint="/api" meeting-id=\${meetingId} token=\${token}></dyte-record-button>
    <dyte-recording-list endpoint="/api" meeting-id=\${meetingId} token=\${token}></dyte-recording-list>\`));
  response.type('html').send(\`<!doctype html><html lang="en"><head><meta charset="utf-8"><title>SSR</title></head><body>
\${elements}
<script>window.serverRendered = document.querySelector('dyte-recording-status').shadowRoot?.textContent ?? null;</script>
<script type="module" src="/client.js"></script>
</body></html>\`);
});
app.get('/favicon.ico', (request, response) => response.status(204).end());
app.use('/node_modules', express.static('node_modules'));
app.use(express.static('public'));
const server = app.listen(0, '127.0.0.1', () =>
  console.log(JSON.stringify({ url: 'http://127.0.0.1:' + server.address().port })),
);
process.on('SIGTERM', () => process.exit(0));
`;
