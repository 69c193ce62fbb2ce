// What a host page expects of the elements whatever it is: its colour scheme followed, failures shown
// where they happen and reported once, `hidden` honoured, a second copy of the kit tolerated, and every
// documented custom property in effect.
import { expect, fixture, html } from '@open-wc/testing';
import { emulateMedia } from '@web/test-runner-commands';
import '../../src/index.ts';
import { DyteRecordButton, setStrings, STRINGS } from '../../src/index.ts';
import de from '../../src/locales/de.ts';
import fr from '../../src/locales/fr.ts';
import ja from '../../src/locales/ja.ts';
import type { DyteRecordingList, DyteRecordingStatus, LiveElement } from '../../src/index.ts';
import { define } from '../../src/components/define.ts';
import { liveRecording } from '../../src/client/store.ts';
import { STREAM_OPTIONS } from '../../src/client/stream.ts';
import {
  clearFaults,
  ENDPOINT,
  fault,
  mintToken,
  newMeetingId,
  recording,
  until,
} from '../client/backend.ts';
import { expectNoLitWarnings, part, scriptCurrent, snapshotShown, textOf } from './support.ts';

const TAGS = ['dyte-record-button', 'dyte-recording-status', 'dyte-recording-list'] as const;
/** A proxy nobody answers at (the discard port, closed). */
const UNREACHABLE = 'http://127.0.0.1:9/api';
const LIGHT_TEXT = 'rgb(29, 41, 57)';
const DARK_TEXT = 'rgb(242, 244, 247)';

/** The three elements on one meeting, in a wrapper; `attributes` go on each. */
async function threeElements(meetingId: string, attributes: { endpoint?: string; token?: string } = {}) {
  const { endpoint = ENDPOINT, token = await mintToken(meetingId) } = attributes;
  const wrapper = await fixture<HTMLDivElement>(
    html`<div>
      <dyte-recording-status
        endpoint=${endpoint}
        meeting-id=${meetingId}
        token=${token}
      ></dyte-recording-status>
      <dyte-record-button endpoint=${endpoint} meeting-id=${meetingId} token=${token}></dyte-record-button>
      <dyte-recording-list endpoint=${endpoint} meeting-id=${meetingId} token=${token}></dyte-recording-list>
    </div>`,
  );
  return {
    status: wrapper.querySelector<DyteRecordingStatus>('dyte-recording-status')!,
    button: wrapper.querySelector<DyteRecordButton>('dyte-record-button')!,
    list: wrapper.querySelector<DyteRecordingList>('dyte-recording-list')!,
  };
}

/** Counts the `type` events that reach the document while it is installed. */
function countAtDocument(type: 'dyte-recording-error' | 'dyte-recording-change') {
  const heard: CustomEvent[] = [];
  const listener = (event: Event) => heard.push(event as CustomEvent);
  document.addEventListener(type, listener);
  return { heard, stop: () => document.removeEventListener(type, listener) };
}

/** Records console warnings while installed. */
function captureWarnings() {
  const warnings: string[] = [];
  const real = console.warn;
  console.warn = (...args: unknown[]) => void warnings.push(args.join(' '));
  return { warnings, restore: () => (console.warn = real) };
}

describe('on any host page', () => {
  afterEach(async () => {
    await emulateMedia({ colorScheme: 'light' });
    document.documentElement.style.colorScheme = '';
    await clearFaults();
  });
  after(expectNoLitWarnings);

  describe('colour scheme', () => {
    it('stays light on a light page when the OS prefers dark', async () => {
      await emulateMedia({ colorScheme: 'dark' });
      const { status, button } = await threeElements(newMeetingId());
      expect(getComputedStyle(status).color).to.equal(LIGHT_TEXT);
      expect(getComputedStyle(part(button, 'button')!).backgroundColor).to.equal('rgb(255, 255, 255)');
      document.documentElement.style.colorScheme = 'light';
      expect(getComputedStyle(status).color).to.equal(LIGHT_TEXT);
    });

    it("follows the page's declared dark scheme", async () => {
      document.documentElement.style.colorScheme = 'dark';
      const { status } = await threeElements(newMeetingId());
      expect(getComputedStyle(status).color).to.equal(DARK_TEXT);
    });

    it('takes an explicit theme: light, dark, or auto for the OS preference', async () => {
      const { status } = await threeElements(newMeetingId());
      status.setAttribute('theme', 'dark');
      expect(getComputedStyle(status).color).to.equal(DARK_TEXT);
      document.documentElement.style.colorScheme = 'dark';
      status.setAttribute('theme', 'light');
      expect(getComputedStyle(status).color).to.equal(LIGHT_TEXT);
      status.setAttribute('theme', 'auto');
      expect(getComputedStyle(status).color).to.equal(LIGHT_TEXT);
      await emulateMedia({ colorScheme: 'dark' });
      expect(getComputedStyle(status).color).to.equal(DARK_TEXT);
    });
  });

  describe('failures', () => {
    it('shows a refused token in every element, and reports it once', async () => {
      const errors = countAtDocument('dyte-recording-error');
      // Each element's own events, counted from before the elements exist (the refusal can come back
      // before they are returned) in the capture phase, which every event dispatched on one passes.
      const own: Record<string, number> = {};
      const countOwn = (event: Event) => {
        const name = (event.target as Element).localName;
        own[name] = (own[name] ?? 0) + 1;
      };
      document.addEventListener('dyte-recording-error', countOwn, { capture: true });
      try {
        const meetingId = newMeetingId();
        const { status, button, list } = await threeElements(meetingId, { token: 'not-a-token' });
        await until(() => textOf(part(status, 'label')) === 'Not authorized', 'Not authorized');
        await until(() => part(list, 'error'), 'the list error');
        await button.updateComplete;
        expect(part(status, 'retry'), 'no retry: a new try would be refused too').to.equal(null);
        expect(part(button, 'button')!.getAttribute('aria-disabled')).to.equal('true');
        expect(textOf(part(button, 'explanation'))).to.equal('Not authorized');
        await expect(status).to.be.accessible();
        await expect(button).to.be.accessible();
        // The stream keeps retrying (and failing the same way): still one event.
        await new Promise((resolve) => setTimeout(resolve, 400));
        expect(errors.heard.map((event) => event.detail.code)).to.deep.equal(['unauthorized']);
        expect(own, 'each element hears it on itself').to.deep.equal({
          'dyte-recording-status': 1,
          'dyte-record-button': 1,
          'dyte-recording-list': 1,
        });
      } finally {
        errors.stop();
        document.removeEventListener('dyte-recording-error', countOwn, { capture: true });
      }
    });

    it('says an unreachable proxy cannot be reached, and retries on request', async () => {
      const meetingId = newMeetingId();
      const { status, button } = await threeElements(meetingId, {
        endpoint: UNREACHABLE,
        token: await mintToken(meetingId),
      });
      await until(
        () => textOf(part(status, 'label')) === "Can't reach recording service",
        'the unreachable message',
      );
      await button.updateComplete;
      expect(textOf(part(button, 'explanation'))).to.equal("Can't reach recording service");
      expect(part(button, 'button')!.getAttribute('aria-disabled')).to.equal('true');
      await expect(status).to.be.accessible();
      status.endpoint = ENDPOINT;
      button.endpoint = ENDPOINT;
      await until(() => textOf(part(status, 'label')) === 'Not recording', 'the status over the real proxy');
    });

    it('recovers through the status Retry button', async () => {
      const meetingId = newMeetingId();
      const patient = { ...STREAM_OPTIONS };
      Object.assign(STREAM_OPTIONS, { baseDelayMs: 60_000, maxDelayMs: 60_000 });
      try {
        await fault({
          match: `/meetings/${meetingId}/events`,
          status: 503,
          body: { error: { code: 'upstream_unavailable', message: 'Dyte is not answering.' } },
        });
        const { status } = await threeElements(meetingId);
        await until(() => part(status, 'retry'), 'the retry button');
        expect(textOf(part(status, 'label'))).to.equal("Can't reach recording service");
        part(status, 'retry')!.click();
        await until(() => textOf(part(status, 'label')) === 'Not recording', 'loaded after Retry');
      } finally {
        Object.assign(STREAM_OPTIONS, patient);
      }
    });

    for (const [missing, attributes] of [
      ['endpoint', { 'meeting-id': 'm', token: 't' }],
      ['meeting-id', { endpoint: ENDPOINT, token: 't' }],
    ] as const) {
      it(`warns once and says so when the ${missing} is missing`, async () => {
        const capture = captureWarnings();
        try {
          const element = document.createElement('dyte-recording-status');
          for (const [name, value] of Object.entries(attributes)) element.setAttribute(name, value);
          const other = document.createElement('dyte-record-button');
          for (const [name, value] of Object.entries(attributes)) other.setAttribute(name, value);
          other.setAttribute('when-forbidden', 'disabled');
          document.body.append(element, other);
          try {
            await until(() => textOf(part(element, 'label')) === 'Recording is not set up', 'not set up');
            await until(
              () => textOf(part(other, 'explanation')) === 'Recording is not set up',
              'on the button',
            );
            const mine = capture.warnings.filter((w) => w.includes('<dyte-recording-status>'));
            expect(mine).to.have.length(1);
            expect(mine[0]).to.contain(`lacks its ${missing}`);
          } finally {
            element.remove();
            other.remove();
          }
        } finally {
          capture.restore();
        }
      });
    }

    it('warns about a missing token, and shows it as not authorized', async () => {
      const capture = captureWarnings();
      try {
        const meetingId = newMeetingId();
        const element = await fixture<DyteRecordingStatus>(
          html`<dyte-recording-status endpoint=${ENDPOINT} meeting-id=${meetingId}></dyte-recording-status>`,
        );
        await until(() => textOf(part(element, 'label')) === 'Not authorized', 'Not authorized');
        await until(() => capture.warnings.length, 'the warning');
        expect(capture.warnings).to.deep.equal([
          '<dyte-recording-status> lacks its token or tokenProvider: set it to show the recording.',
        ]);
      } finally {
        capture.restore();
      }
    });

    it('warns about nothing when an element is set up right after it is connected', async () => {
      const capture = captureWarnings();
      try {
        const meetingId = newMeetingId();
        const token = await mintToken(meetingId);
        const element = document.createElement('dyte-recording-status');
        document.body.append(element);
        Object.assign(element, { endpoint: ENDPOINT, meetingId, token });
        try {
          await snapshotShown(element, meetingId);
          await new Promise((resolve) => setTimeout(resolve, 50));
          expect(capture.warnings).to.deep.equal([]);
        } finally {
          element.remove();
        }
      } finally {
        capture.restore();
      }
    });
  });

  describe('events', () => {
    it('tells a page-level listener of each change once, and each element of it on itself', async () => {
      const changes = countAtDocument('dyte-recording-change');
      try {
        const meetingId = newMeetingId();
        const { status, button, list } = await threeElements(meetingId);
        const own: string[] = [];
        for (const element of [status, button, list])
          element.addEventListener('dyte-recording-change', (event) =>
            own.push(`${element.localName}:${event.detail.phase}`),
          );
        await until(() => part(button, 'button')?.getAttribute('aria-disabled') === 'false', 'ready');
        await button.start();
        await until(() => changes.heard.some((event) => event.detail.phase === 'recording'), 'recording');
        const phases = changes.heard.map((event) => event.detail.phase);
        expect(phases).to.deep.equal([...new Set(phases)], 'each phase reached the page once');
        expect(phases).to.include('starting');
        for (const tag of TAGS) expect(own).to.include(`${tag}:recording`);
        await button.stop();
      } finally {
        changes.stop();
      }
    });
  });

  describe('texts', () => {
    after(() => setStrings({ idle: STRINGS.idle }));

    it('speaks the language of the nearest lang attribute, with the page-wide texts on top', async () => {
      setStrings(de, 'de');
      setStrings(ja, 'ja');
      const meetingId = newMeetingId();
      const token = await mintToken(meetingId);
      const wrapper = await fixture<HTMLElement>(
        html`<div lang="de">
          <dyte-recording-status
            endpoint=${ENDPOINT}
            meeting-id=${meetingId}
            token=${token}
          ></dyte-recording-status>
          <p lang="ja-JP">
            <dyte-record-button
              endpoint=${ENDPOINT}
              meeting-id=${meetingId}
              token=${token}
            ></dyte-record-button>
          </p>
          <dyte-recording-list
            lang="en"
            endpoint=${ENDPOINT}
            meeting-id=${meetingId}
            token=${token}
          ></dyte-recording-list>
        </div>`,
      );
      const status = wrapper.querySelector<DyteRecordingStatus>('dyte-recording-status')!;
      const button = wrapper.querySelector<DyteRecordButton>('dyte-record-button')!;
      const list = wrapper.querySelector<DyteRecordingList>('dyte-recording-list')!;
      await snapshotShown(status, meetingId);
      await button.updateComplete;
      await list.updateComplete;
      expect(textOf(part(status, 'label'))).to.equal(de.idle);
      expect(textOf(part(button, 'button'))).to.equal(ja.record);
      expect(textOf(part(list, 'empty'))).to.equal(STRINGS.empty);
      setStrings({ idle: 'Quiet' });
      status.requestUpdate();
      await status.updateComplete;
      expect(textOf(part(status, 'label'))).to.equal('Quiet');
      await expect(button).to.be.accessible();
    });

    it("shows the proxy's refusal in the page's language", async () => {
      setStrings(fr, 'fr');
      const meetingId = newMeetingId();
      await fault({
        match: `/meetings/${meetingId}/recordings`,
        status: 409,
        body: { error: { code: 'recording_active', message: 'A recording is already running.' } },
      });
      const wrapper = await fixture<HTMLElement>(
        html`<section lang="fr">
          <dyte-record-button
            endpoint=${ENDPOINT}
            meeting-id=${meetingId}
            token=${await mintToken(meetingId)}
          ></dyte-record-button>
        </section>`,
      );
      const button = wrapper.querySelector<DyteRecordButton>('dyte-record-button')!;
      await until(() => part(button, 'button')?.getAttribute('aria-disabled') === 'false', 'ready');
      await button.start();
      await button.updateComplete;
      expect(textOf(part(button, 'error'))).to.equal(fr.recording_active);
    });
  });

  it('hides every element with the hidden attribute', async () => {
    const { status, button, list } = await threeElements(newMeetingId());
    for (const element of [status, button, list]) {
      expect(getComputedStyle(element).display).not.to.equal('none');
      element.hidden = true;
      expect(getComputedStyle(element).display, element.localName).to.equal('none');
    }
  });

  it('tolerates a second copy of the kit defining the same tags', async () => {
    const capture = captureWarnings();
    try {
      define('dyte-record-button', DyteRecordButton);
      expect(capture.warnings, 'the same class again: nothing to say').to.deep.equal([]);
      // Another module graph (as a server and a client bundle of one app make): another class, same tag.
      const copy = (await import(
        // @ts-expect-error a query makes the browser load a second instance of the module
        '../../src/components/record-button/record-button.ts?second-copy'
      )) as { DyteRecordButton: typeof DyteRecordButton };
      expect(copy.DyteRecordButton).not.to.equal(DyteRecordButton);
      expect(customElements.get('dyte-record-button')).to.equal(DyteRecordButton);
      expect(capture.warnings).to.have.length(1);
      expect(capture.warnings[0]).to.contain('<dyte-record-button> was defined by another copy');
    } finally {
      capture.restore();
    }
  });

  it('applies every custom property that the manifest, the README and the demo theme use', async () => {
    const manifest = (await (await fetch('/custom-elements.json')).json()) as {
      modules: { declarations: { tagName?: string; cssProperties?: { name: string }[] }[] }[];
    };
    // The README, and the demo's theme that it points to as the example.
    const readme =
      (await (await fetch('/README.md')).text()) + (await (await fetch('/demo/shared/demo.css')).text());
    const byTag = new Map<string, string[]>();
    for (const declaration of manifest.modules.flatMap((module) => module.declarations))
      if (declaration.tagName)
        byTag.set(declaration.tagName, declaration.cssProperties?.map((p) => p.name) ?? []);
    const documented = new Set([...readme.matchAll(/--dyte-recording-[a-z-]+/g)].map((match) => match[0]));
    for (const property of documented)
      expect([...byTag.values()].flat(), `${property} (README) is in the manifest`).to.include(property);

    for (const [tag, properties] of byTag) {
      expect(properties.length, tag).to.be.greaterThan(0);
      const effective = new Set<string>();
      // One state at a time (each holds an event stream, and the browser allows six per host).
      await eachState(tag, (element) => {
        for (const property of properties) {
          const before = computedStyles(element);
          element.style.setProperty(property, sampleValue(property));
          if (computedStyles(element).some((style, i) => style !== before[i])) effective.add(property);
          element.style.removeProperty(property);
        }
      });
      expect([...effective].sort(), `what changes a style of <${tag}>`).to.deep.equal([...properties].sort());
    }
  });
});

/** A value of `property`'s kind that no default has. */
function sampleValue(property: string): string {
  if (property.endsWith('radius')) return '13px';
  if (property.endsWith('font')) return 'italic 17px/2 serif';
  return 'rgb(1, 2, 3)';
}

/** The computed styles of the element and everything in its shadow root that a theme may touch. */
function computedStyles(element: Element): string[] {
  const nodes = [element, ...element.shadowRoot!.querySelectorAll('*')];
  return nodes.map((node) => {
    const style = getComputedStyle(node);
    return [
      style.color,
      style.backgroundColor,
      style.borderTopColor,
      style.borderBottomColor,
      style.borderInlineStartColor,
      style.borderTopLeftRadius,
      style.font,
    ].join('|');
  });
}

/**
 * Shows `tag` in the states that show all of its pieces — recording (with Pause), saved, idle, failing
 * to load (Retry, the explanation) — and calls `inspect` on each before removing it.
 */
async function eachState(tag: string, inspect: (element: HTMLElement) => void): Promise<void> {
  const started = new Date(Date.now() - 5000).toISOString();
  for (const current of [
    recording({ id: 'r1', status: 'RECORDING', startedAt: started }),
    recording({ id: 'r2', status: 'UPLOADED', downloadable: true, stoppedAt: started }),
    null,
    undefined,
  ]) {
    const meetingId = newMeetingId();
    const endpoint = current === undefined ? UNREACHABLE : ENDPOINT;
    if (current !== undefined) await scriptCurrent(meetingId, current && { ...current, meetingId });
    const element = await fixture<LiveElement>(
      `<${tag} endpoint="${endpoint}" meeting-id="${meetingId}" token="${await mintToken(meetingId)}" when-forbidden="disabled"></${tag}>`,
    );
    if (current === undefined) {
      await until(() => liveRecording(endpoint, meetingId).state.error, 'the failure');
      await element.updateComplete;
    } else await snapshotShown(element, meetingId);
    inspect(element);
    element.remove();
  }
}
