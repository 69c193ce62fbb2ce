import { html, nothing } from 'lit';
import type { PropertyValues } from 'lit';
import { property, state } from 'lit/decorators.js';
import { emit } from '../../client/events.ts';
import type { LiveRecording } from '../../client/store.ts';
import type { Recording } from '../../core/recording.ts';
import { buttonView, errorText } from '../../core/view.ts';
import type { LiveError } from '../../core/view.ts';
import { base } from '../base.styles.ts';
import { define } from '../define.ts';
import { LiveElement } from '../live-element.ts';
import { styles } from './record-button.styles.ts';

/**
 * A button that starts and stops the meeting's recording: Record → Starting… → Stop → Stopping… →
 * Record. Asks before stopping (a small dialog after the button), offers Pause / Resume where the proxy
 * allows it (a host, on an upstream that can pause), and hides itself, or explains why it is disabled,
 * when the token may not record.
 *
 * @summary Record / stop control for one meeting.
 * @fires {RecordingEventDetail} dyte-recording-start - A start was accepted. `detail: { recording }`
 * @fires {RecordingEventDetail} dyte-recording-stop - A stop was accepted. `detail: { recording }`
 * @fires {LiveError} dyte-recording-error - A request failed, or loading or the live connection did. `detail: { code, message }`
 * @fires {ChangeEventDetail} dyte-recording-change - The recording moved to another phase. `detail: { phase, recording }`
 * @csspart button - The main Record / Stop button.
 * @csspart toggle - The Pause / Resume button.
 * @csspart confirm - The stop confirmation.
 * @csspart confirm-stop - The confirmation's "Stop recording" button.
 * @csspart confirm-keep - The confirmation's "Keep recording" button.
 * @csspart explanation - Why the button is disabled (`when-forbidden="disabled"`).
 * @csspart error - The last failed request.
 * @cssprop [--dyte-recording-accent=#d92d20] - Colour of the live state (the Stop buttons) and of errors.
 * @cssprop [--dyte-recording-fg=#1d2939] - Text colour.
 * @cssprop [--dyte-recording-bg=#fff] - Button background (and text on the accent colour).
 * @cssprop [--dyte-recording-muted=#475467] - Secondary text and unavailable buttons.
 * @cssprop [--dyte-recording-border=var(--dyte-recording-muted)] - Colour of the borders.
 * @cssprop [--dyte-recording-radius=6px] - Corner radius.
 * @cssprop [--dyte-recording-font=14px/1.4 system-ui, sans-serif] - Font shorthand.
 */
export class DyteRecordButton extends LiveElement {
  static override styles = [base, styles];

  @state() private accessor confirming = false;
  @state() private accessor failure: LiveError | null = null;

  /** Stop without asking first. */
  @property({ attribute: 'no-confirm', type: Boolean }) accessor noConfirm = false;
  /** When the token may not record: `hidden` renders nothing, `disabled` shows the button disabled with the reason. */
  @property({ attribute: 'when-forbidden' }) accessor whenForbidden: 'hidden' | 'disabled' = 'hidden';
  /** Video codec of new recordings (`H264`, `VP8`, `VP9`); empty for the proxy's default. */
  @property() accessor codec = '';

  protected override updated(changed: PropertyValues) {
    if (changed.has('confirming') && this.confirming) this.#focusPart('confirm-keep');
  }

  /** Starts a recording, as a click on Record would. */
  start(): Promise<void> {
    return this.#request((store) => store.start(this.codec || undefined), 'dyte-recording-start');
  }

  /** Stops the recording now, without asking. */
  stop(): Promise<void> {
    this.confirming = false;
    return this.#request((store) => store.control('stop'), 'dyte-recording-stop');
  }

  async #request(
    send: (store: LiveRecording) => Promise<Recording>,
    event?: 'dyte-recording-start' | 'dyte-recording-stop',
  ) {
    const store = this.live.store;
    if (!store) return;
    this.failure = null;
    try {
      const recording = await send(store);
      if (event) emit(this, event, { recording });
    } catch (error) {
      this.failure = this.fail(error);
    }
  }

  #focusPart(part: string) {
    this.renderRoot.querySelector<HTMLElement>(`[part=${part}]`)?.focus();
  }

  #onMain = () => {
    const { action, allowed } = buttonView(this.live.state);
    if (!allowed) return;
    if (action === 'start') void this.start();
    else if (action === 'stop') {
      if (this.noConfirm) void this.stop();
      else this.confirming = !this.confirming;
    }
  };

  // While any action is in flight the toggle is busy and takes no click: the stream can show the pause
  // (and offer Resume) before the pause's own answer is back.
  #onToggle = () => {
    const { toggle } = buttonView(this.live.state);
    if (toggle && !this.live.state.pending) void this.#request((store) => store.control(toggle));
  };

  #onKeep = () => {
    this.confirming = false;
    this.#focusPart('button');
  };

  #onConfirmKey = (event: KeyboardEvent) => {
    if (event.key === 'Escape') this.#onKeep();
  };

  override render() {
    const { state } = this.live;
    const view = buttonView(state);
    const { why } = view;
    if (why === 'forbidden' && this.whenForbidden !== 'disabled') return nothing;
    const text = this.text;
    const confirming = this.confirming && view.action === 'stop';
    return html`<button
        part="button"
        class=${view.action === 'stop' ? 'live' : ''}
        aria-disabled=${!view.action || !!why}
        aria-busy=${view.busy}
        aria-haspopup=${view.action === 'stop' && !this.noConfirm ? 'dialog' : nothing}
        aria-describedby=${why ? 'why' : nothing}
        @click=${this.#onMain}
      >
        ${text[view.label]}</button
      >${confirming ? this.#renderConfirm() : nothing}${
        view.toggle
          ? html`<button part="toggle" aria-busy=${state.pending !== null} @click=${this.#onToggle}>
              ${text[view.toggle]}
            </button>`
          : nothing
      }${why ? html`<span id="why" part="explanation" class="muted">${text[why]}</span>` : nothing}${
        this.failure
          ? html`<span part="error" class="warning" role="alert">${errorText(this.failure, text)}</span>`
          : nothing
      }`;
  }

  #renderConfirm() {
    const text = this.text;
    return html`<div part="confirm" role="alertdialog" aria-labelledby="ask" @keydown=${this.#onConfirmKey}>
      <span id="ask">${text.confirm}</span>
      <button part="confirm-stop" class="live" @click=${() => void this.stop()}>${text.confirmStop}</button>
      <button part="confirm-keep" @click=${this.#onKeep}>${text.confirmKeep}</button>
    </div>`;
  }
}

define('dyte-record-button', DyteRecordButton);

declare global {
  interface HTMLElementTagNameMap {
    'dyte-record-button': DyteRecordButton;
  }
}
