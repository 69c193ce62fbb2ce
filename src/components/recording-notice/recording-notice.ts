import { html, nothing } from 'lit';
import { property } from 'lit/decorators.js';
import { emit } from '../../client/events.ts';
import { formatDate } from '../../core/format.ts';
import type { Recording } from '../../core/recording.ts';
import { fill } from '../../core/strings.ts';
import { noticeRecording } from '../../core/view.ts';
import { base } from '../base.styles.ts';
import { define } from '../define.ts';
import { LiveElement } from '../live-element.ts';
import { styles } from './recording-notice.styles.ts';

/** `sessionStorage` key prefix of the recordings this tab acknowledged. */
const KEY = 'dyte-recording-notice:';

/**
 * Tells each participant that the meeting is being recorded, who started it and since when: when a
 * recording starts, or on joining while one runs. Once per recording: "Got it" (or Escape) records the
 * acknowledgement with the proxy, where hosts see who was told, and is remembered for the browser tab
 * (`sessionStorage`), so a reload does not ask again. A modal dialog that holds the focus until
 * answered, or a banner in the page's flow. With `leave-action` it offers "Leave meeting" too, which
 * the page carries out.
 *
 * @summary Recording notice every participant acknowledges.
 * @fires {RecordingEventDetail} dyte-recording-notice - The notice was shown. `detail: { recording }`
 * @fires {RecordingEventDetail} dyte-recording-acknowledge - The participant said "Got it". `detail: { recording }`
 * @fires {RecordingEventDetail} dyte-recording-leave - The participant chose "Leave meeting": the page should leave; cancel the event to keep the notice open. `detail: { recording }`
 * @fires {LiveError} dyte-recording-error - The acknowledgement failed. `detail: { code, message }`
 * @fires {ChangeEventDetail} dyte-recording-change - The recording moved to another phase. `detail: { phase, recording }`
 * @csspart notice - The dialog or banner.
 * @csspart title - "This meeting is being recorded".
 * @csspart detail - Who started it and since when.
 * @csspart got-it - The "Got it" button.
 * @csspart leave - The "Leave meeting" button.
 * @cssprop [--dyte-recording-accent=#d92d20] - Colour of the notice's edge and of the focus ring.
 * @cssprop [--dyte-recording-fg=#1d2939] - Text colour.
 * @cssprop [--dyte-recording-bg=#fff] - Background of the notice and its buttons.
 * @cssprop [--dyte-recording-muted=#475467] - Secondary text and borders.
 * @cssprop [--dyte-recording-radius=6px] - Corner radius.
 * @cssprop [--dyte-recording-font=14px/1.4 system-ui, sans-serif] - Font shorthand.
 */
export class DyteRecordingNotice extends LiveElement {
  static override styles = [base, styles];

  /** Recordings answered in this page (acknowledged, or left). */
  readonly #answered = new Set<string>();
  /** The recording the notice was last shown for: `dyte-recording-notice` fires once per recording. */
  #shownFor: string | null = null;

  /** `dialog`: a modal dialog holding the focus until answered; `banner`: a bar in the page's flow. */
  @property() accessor mode: 'dialog' | 'banner' = 'dialog';
  /** Offer "Leave meeting" (the page acts on `dyte-recording-leave`). */
  @property({ attribute: 'leave-action', type: Boolean }) accessor leaveAction = false;

  protected override updated() {
    const recording = this.#current();
    const dialog = this.renderRoot.querySelector('dialog');
    if (dialog && !dialog.open) dialog.showModal();
    if (recording && this.#shownFor !== recording.id) {
      this.#shownFor = recording.id;
      emit(this, 'dyte-recording-notice', { recording });
    }
  }

  /** The recording to tell of now: running, and not answered in this tab. */
  #current(): Recording | null {
    const recording = noticeRecording(this.live.state);
    return recording && !this.#answered.has(recording.id) && !remembered(recording.id) ? recording : null;
  }

  /** Closes the notice for `recording` (the dialog gives the focus back to where it was). */
  #answer(recording: Recording) {
    this.#answered.add(recording.id);
    this.renderRoot.querySelector('dialog')?.close();
    this.requestUpdate();
  }

  #onGotIt = async () => {
    const recording = this.#current();
    if (!recording) return;
    try {
      sessionStorage.setItem(KEY + recording.id, '1');
    } catch {
      // Storage off (a sandboxed frame): the answer lasts for this page only.
    }
    this.#answer(recording);
    emit(this, 'dyte-recording-acknowledge', { recording });
    try {
      await this.live.store?.acknowledge(recording.id);
    } catch (error) {
      this.fail(error);
    }
  };

  #onLeave = () => {
    const recording = this.#current();
    if (recording && emit(this, 'dyte-recording-leave', { recording })) this.#answer(recording);
  };

  /** Escape is "Got it" (a dialog's Escape arrives as `cancel`); Tab cycles inside the dialog. */
  #onKey = (event: KeyboardEvent) => {
    if (event.key === 'Escape' && this.mode === 'banner') void this.#onGotIt();
    if (event.key !== 'Tab' || this.mode === 'banner') return;
    const buttons = [...this.renderRoot.querySelectorAll('button')];
    const edge = buttons.at(event.shiftKey ? 0 : -1);
    if (this.shadowRoot!.activeElement !== edge) return;
    event.preventDefault();
    buttons.at(event.shiftKey ? -1 : 0)!.focus();
  };

  #onCancel = (event: Event) => {
    event.preventDefault();
    void this.#onGotIt();
  };

  override render() {
    const recording = this.#current();
    if (!recording) return nothing;
    const text = this.text;
    const name = recording.startedBy?.name;
    const since = recording.startedAt ?? recording.invokedAt;
    const date = since ? formatDate(since, this.locale) : '';
    const body = html`<strong part="title" id="title">${text.noticeTitle}</strong>
      ${since ? html`<p part="detail">${fill(name ? text.noticeBy : text.noticeSince, { name: name ?? '', date })}</p>` : nothing}
      <div class="actions">
        <button part="got-it" autofocus @click=${this.#onGotIt}>${text.gotIt}</button>
        ${this.leaveAction ? html`<button part="leave" @click=${this.#onLeave}>${text.leaveMeeting}</button>` : nothing}
      </div>`;
    return this.mode === 'banner'
      ? html`<section part="notice" aria-labelledby="title" @keydown=${this.#onKey}>${body}</section>`
      : html`<dialog part="notice" aria-labelledby="title" @keydown=${this.#onKey} @cancel=${this.#onCancel}>
          ${body}
        </dialog>`;
  }
}

/** Whether this tab acknowledged the recording already (before a reload, say). */
function remembered(recordingId: string): boolean {
  try {
    return sessionStorage.getItem(KEY + recordingId) !== null;
  } catch {
    return false;
  }
}

define('dyte-recording-notice', DyteRecordingNotice);

declare global {
  interface HTMLElementTagNameMap {
    'dyte-recording-notice': DyteRecordingNotice;
  }
}
