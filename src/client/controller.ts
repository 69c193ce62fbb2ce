/** Binds a Lit element to the live store of its (endpoint, meeting): the only way elements reach the proxy. */
import type { ReactiveController, ReactiveControllerHost } from 'lit';
import { currentRecording, INITIAL_STATE, phaseOf } from '../core/view.ts';
import type { LiveError, LiveState, Phase } from '../core/view.ts';
import { emit } from './events.ts';
import { liveRecording } from './store.ts';
import type { LiveRecording, Subscriber } from './store.ts';

/** What an element offers the controller: the three attributes every element takes. */
export interface LiveHost extends ReactiveControllerHost, HTMLElement {
  meetingId: string;
  endpoint: string;
  token: string;
  tokenProvider?: (() => Promise<string>) | undefined;
}

const NOT_CONFIGURED: LiveState = {
  ...INITIAL_STATE,
  error: { code: 'not_configured', message: 'The element lacks its endpoint or meeting-id.' },
};

export class LiveRecordingController implements ReactiveController, Subscriber {
  store?: LiveRecording;
  #release: (() => void) | undefined;
  #key = '';
  #phase: Phase | undefined;
  #error: LiveError | null = null;
  #warned = false;

  constructor(readonly host: LiveHost) {
    host.addController(this);
  }

  /** The store's state; without a store, as good as failed once the element was found lacking. */
  get state(): LiveState {
    return this.store?.state ?? (this.#warned ? NOT_CONFIGURED : INITIAL_STATE);
  }

  hostConnected() {
    this.#bind();
    // A moment later: frameworks and scripts set the attributes just after connecting.
    setTimeout(() => this.#check());
  }

  hostUpdate() {
    this.#bind();
  }

  hostDisconnected() {
    this.#bind();
  }

  /**
   * Fires `dyte-recording-change` when the phase moves and `dyte-recording-error` when loading or
   * streaming fails anew, on every element of the store; only the store's first element lets them
   * bubble, so a page-level listener hears each once. Then re-renders.
   */
  changed() {
    const { state, host } = this;
    const phase = phaseOf(state);
    const bubbles = this.store!.leads(this);
    if (this.#phase && this.#phase !== 'loading' && phase !== this.#phase)
      emit(host, 'dyte-recording-change', { phase, recording: currentRecording(state) }, bubbles);
    if (state.error && state.error.code !== this.#error?.code)
      emit(host, 'dyte-recording-error', state.error, bubbles);
    this.#phase = phase;
    this.#error = state.error;
    host.requestUpdate();
  }

  /** Once connected for a moment, says what the element lacks (one console warning). */
  #check() {
    const { endpoint, meetingId, token, tokenProvider, isConnected, localName } = this.host;
    const missing = !endpoint
      ? 'endpoint'
      : !meetingId
        ? 'meeting-id'
        : token || tokenProvider
          ? ''
          : 'token or tokenProvider';
    if (!missing || !isConnected || this.#warned) return;
    this.#warned = true;
    console.warn(`<${localName}> lacks its ${missing}: set it to show the recording.`);
    this.host.requestUpdate();
  }

  /** Follows changes of `endpoint` / `meeting-id`; lets go of the store while disconnected. */
  #bind() {
    const { endpoint, meetingId, isConnected } = this.host;
    const key = isConnected && endpoint && meetingId ? `${endpoint}\n${meetingId}` : '';
    if (key === this.#key) return;
    this.#release?.();
    this.#key = key;
    this.#phase = undefined;
    this.#error = null;
    this.store = key ? liveRecording(endpoint, meetingId) : undefined;
    this.#release = this.store?.subscribe(this);
    this.host.requestUpdate();
  }
}
