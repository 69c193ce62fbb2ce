/** Binds a Lit element to the live store of its (endpoint, meeting): the only way elements reach the proxy. */
import type { ReactiveController, ReactiveControllerHost } from 'lit';
import { currentRecording, INITIAL_STATE, phaseOf } from '../core/view.ts';
import type { LiveState, Phase } from '../core/view.ts';
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

export class LiveRecordingController implements ReactiveController, Subscriber {
  store?: LiveRecording;
  #release: (() => void) | undefined;
  #key = '';
  #phase: Phase | undefined;

  constructor(readonly host: LiveHost) {
    host.addController(this);
  }

  get state(): LiveState {
    return this.store?.state ?? INITIAL_STATE;
  }

  hostConnected() {
    this.#bind();
  }

  hostUpdate() {
    this.#bind();
  }

  hostDisconnected() {
    this.#bind();
  }

  /** Fires `dyte-recording-change` when the phase moves, and re-renders. */
  changed() {
    const phase = phaseOf(this.state);
    if (this.#phase && this.#phase !== 'loading' && phase !== this.#phase)
      emit(this.host, 'dyte-recording-change', { phase, recording: currentRecording(this.state) });
    this.#phase = phase;
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
    this.store = key ? liveRecording(endpoint, meetingId) : undefined;
    this.#release = this.store?.subscribe(this);
    this.host.requestUpdate();
  }
}
