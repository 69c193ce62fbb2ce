import { html, nothing } from 'lit';
import { property, state } from 'lit/decorators.js';
import { onTick } from '../../client/ticker.ts';
import { formatClock } from '../../core/format.ts';
import { statusView } from '../../core/view.ts';
import type { StatusView } from '../../core/view.ts';
import { base } from '../base.styles.ts';
import { define } from '../define.ts';
import { LiveElement } from '../live-element.ts';
import { styles } from './recording-status.styles.ts';

/**
 * The life of the meeting's recording: Starting (the recorder can take up to 30 s), REC with the
 * elapsed time on the server's clock (pauses left out), Paused, Saving, Saved, Failed with the reason, and why or by whom
 * it stopped. Warns before the 24-hour limit and, when the room is empty, counts down to the moment
 * the upstream will stop the recording (the proxy knows its timeout). Tells screen readers about
 * status changes (never about ticks), and shows when its live connection is lost.
 *
 * @summary Live recording status of one meeting.
 * @fires {LiveError} dyte-recording-error - Loading or the live connection failed. `detail: { code, message }`
 * @fires {ChangeEventDetail} dyte-recording-change - The recording moved to another phase. `detail: { phase, recording }`
 * @csspart status - The whole status line; its class is the phase.
 * @csspart indicator - The dot, pulsing while recording.
 * @csspart label - The status text.
 * @csspart timer - The elapsed time while recording, pauses left out.
 * @csspart detail - The hint while starting, or the stop reason.
 * @csspart warning - The 24-hour limit or empty-room countdown.
 * @csspart connection - Connection lost / restored.
 * @csspart retry - The "Retry" button, when the recording service cannot be reached.
 * @cssprop [--dyte-recording-accent=#d92d20] - Colour of REC, its dot and warnings.
 * @cssprop [--dyte-recording-fg=#1d2939] - Text colour.
 * @cssprop [--dyte-recording-muted=#475467] - Secondary text and the idle dot.
 * @cssprop [--dyte-recording-bg=#fff] - Background of the Retry button.
 * @cssprop [--dyte-recording-border=var(--dyte-recording-muted)] - Border of the Retry button.
 * @cssprop [--dyte-recording-radius=6px] - Corner radius of the Retry button.
 * @cssprop [--dyte-recording-font=14px/1.4 system-ui, sans-serif] - Font shorthand.
 */
export class DyteRecordingStatus extends LiveElement {
  static override styles = [base, styles];

  #stopTicking: (() => void) | undefined;
  /** What this update shows, computed once per update. */
  #shown: StatusView | undefined;
  #wasLive = false;
  @state() private accessor announcement = '';
  /** Shown after the connection was lost: `offline` until it is back, then `online` until the next change. */
  @state() private accessor connectionNote: 'offline' | 'online' | null = null;

  /** Warn this many seconds before the 24-hour limit. */
  @property({ attribute: 'limit-warning', type: Number }) accessor limitWarning = 600;

  override disconnectedCallback() {
    super.disconnectedCallback();
    this.#stopTicker();
  }

  protected override willUpdate() {
    const before = this.#shown?.phase;
    const { phase, label } = (this.#shown = statusView(this.live.state, {
      strings: this.text,
      nowMs: Date.now(),
      limitWarning: this.limitWarning,
    }));
    if (before && before !== 'loading' && phase !== before) {
      this.announcement = phase === 'recording' ? this.text.RECORDING : label;
      if (this.connectionNote === 'online') this.connectionNote = null;
    }
    const { connection } = this.live.state;
    const live = connection === 'live' || connection === 'polling';
    if (live && this.connectionNote === 'offline') this.connectionNote = 'online';
    if (connection === 'reconnecting' && this.#wasLive) this.connectionNote = 'offline';
    this.#wasLive ||= live;
  }

  protected override updated() {
    // The page's one ticker, subscribed only while something on screen counts.
    const { elapsed, warning } = this.#shown!;
    if (elapsed === null && warning === null) this.#stopTicker();
    else this.#stopTicking ??= onTick(() => this.requestUpdate());
  }

  #stopTicker() {
    this.#stopTicking?.();
    this.#stopTicking = undefined;
  }

  #onRetry = () => this.live.store?.retry();

  override render() {
    const view = this.#shown!;
    const note = this.connectionNote;
    return html`<div part="status" class=${view.phase}>
        <span part="indicator" aria-hidden="true"></span>
        <span part="label">${view.label}</span>
        ${
          view.elapsed === null
            ? nothing
            : html`<time part="timer" datetime="PT${view.elapsed}S">${formatClock(view.elapsed)}</time>`
        }
        ${view.detail ? html`<span part="detail" class="muted">${view.detail}</span>` : nothing}
        ${view.warning ? html`<span part="warning" class="warning">${view.warning}</span>` : nothing}
        ${note ? html`<span part="connection" class="muted">${this.text[note]}</span>` : nothing}
        ${view.retry ? html`<button part="retry" @click=${this.#onRetry}>${this.text.retry}</button>` : nothing}
      </div>
      <span class="sr-only" role="status">${this.announcement}</span>`;
  }
}

define('dyte-recording-status', DyteRecordingStatus);

declare global {
  interface HTMLElementTagNameMap {
    'dyte-recording-status': DyteRecordingStatus;
  }
}
