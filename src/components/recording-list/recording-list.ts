import { html, nothing } from 'lit';
import { customElement, state } from 'lit/decorators.js';
import { Task } from '@lit/task';
import { emit } from '../../client/events.ts';
import type { DownloadKind } from '../../client/store.ts';
import { formatBytes, formatDate, formatDuration } from '../../core/format.ts';
import type { Recording } from '../../core/recording.ts';
import { isActive } from '../../core/status.ts';
import { fill } from '../../core/strings.ts';
import type { LiveError } from '../../core/view.ts';
import { base } from '../base.styles.ts';
import { LiveElement } from '../live-element.ts';
import { styles } from './recording-list.styles.ts';

/**
 * The meeting's recordings, newest first and updated live: time, duration, size, codec, status and who
 * started it, with video and audio downloads through the proxy (a fresh link per click) and when the
 * links expire; where the upstream made them, the session's transcript and summary too, with the
 * summary's first lines shown inline (expandable). Loads more on request; shows loading, empty and
 * error states, with a retry.
 *
 * @summary Live list of one meeting's recordings.
 * @fires {CustomEvent<DownloadEventDetail>} dyte-recording-download - A fresh download link arrived and opens in a new tab; cancel the event to handle the link yourself. `detail: { recording, kind, url }`
 * @fires {CustomEvent<LiveError>} dyte-recording-error - A request failed. `detail: { code, message }`
 * @fires {CustomEvent<ChangeEventDetail>} dyte-recording-change - The recording moved to another phase. `detail: { phase, recording }`
 * @csspart list - The list of recordings.
 * @csspart item - One recording.
 * @csspart time - When it was started.
 * @csspart meta - Duration, size, codec and who started it.
 * @csspart status - Its status.
 * @csspart downloads - The download buttons and expiry notice.
 * @csspart download - A download button (video, audio, transcript or summary).
 * @csspart expiry - When the links expire, or that they did.
 * @csspart summary - The summary: its first lines, a disclosure that opens on the rest.
 * @csspart more - The "Load more" button.
 * @csspart empty - The text shown when there is no recording.
 * @csspart loading - The text shown while loading.
 * @csspart error - What failed.
 * @csspart retry - The "Retry" button.
 * @cssprop [--dyte-recording-accent=#d92d20] - Colour of errors.
 * @cssprop [--dyte-recording-fg=#1d2939] - Text colour.
 * @cssprop [--dyte-recording-bg=#fff] - Button background (and text on the accent colour).
 * @cssprop [--dyte-recording-muted=#475467] - Secondary text and separators.
 * @cssprop [--dyte-recording-radius=6px] - Corner radius.
 * @cssprop [--dyte-recording-font=14px/1.4 system-ui, sans-serif] - Font shorthand.
 */
@customElement('dyte-recording-list')
export class DyteRecordingList extends LiveElement {
  static override styles = [base, styles];

  /**
   * The first snapshot: complete once loaded, failed while the connection's error stands, pending
   * otherwise (a promise that never settles: the task re-runs when its argument changes).
   */
  readonly #loading = new Task(this, {
    task: ([outcome]) =>
      outcome === true ? undefined : outcome ? Promise.reject(outcome) : new Promise<never>(() => {}),
    args: () => [this.live.state.loaded || this.live.state.error] as const,
  });
  @state() private accessor failure: LiveError | null = null;
  @state() private accessor loadingMore = false;
  #onRetry = () => this.live.store?.retry();

  #onMore = async () => {
    this.loadingMore = true;
    this.failure = null;
    try {
      await this.live.store?.loadMore();
    } catch (error) {
      this.failure = this.fail(error);
    }
    this.loadingMore = false;
  };

  async #onDownload(recording: Recording, kind: DownloadKind) {
    this.failure = null;
    try {
      const { url } = await this.live.store!.download(recording.id, kind);
      // A new tab, so the meeting page stays whatever the storage answers with.
      if (emit(this, 'dyte-recording-download', { recording, kind, url }))
        window.open(url, '_blank', 'noopener');
    } catch (error) {
      this.failure = this.fail(error);
    }
  }

  override render() {
    const text = this.text;
    return this.#loading.render({
      pending: () => html`<p part="loading" class="muted" role="status">${text.loading}</p>`,
      error: (error) =>
        this.#renderError(fill(text.listError, { message: (error as LiveError).message }), true),
      complete: () => this.#renderList(),
    });
  }

  #renderList() {
    const text = this.text;
    const { recordings, nextCursor, permissions } = this.live.state;
    if (!recordings.length) return html`<p part="empty" class="muted">${text.empty}</p>`;
    const failure = this.failure;
    return html`<ul part="list" aria-label=${text.listLabel}>
        ${recordings.map((recording) => this.#renderItem(recording, permissions.download))}
      </ul>
      ${failure ? this.#renderError(failure.message) : nothing}
      ${
        nextCursor
          ? html`<button part="more" aria-busy=${this.loadingMore} @click=${this.#onMore}>
              ${text.loadMore}
            </button>`
          : nothing
      }`;
  }

  #renderItem(recording: Recording, mayDownload: boolean) {
    const text = this.text;
    const locale = this.locale;
    const when = recording.invokedAt ?? recording.startedAt;
    const by = recording.startedBy?.name;
    const meta = [
      // An active recording's stored duration is a stale snapshot (often 0): none is shown until it ends.
      recording.durationSeconds === null || isActive(recording.status)
        ? ''
        : formatDuration(recording.durationSeconds, locale),
      recording.fileSizeBytes === null ? '' : formatBytes(recording.fileSizeBytes, locale),
      recording.codec ?? '',
      by ? fill(text.by, { name: by }) : '',
    ].filter(Boolean);
    return html`<li part="item">
      ${when ? html`<time part="time" datetime=${when}>${formatDate(when, locale)}</time>` : nothing}
      <span part="status">${text[recording.status]}</span>
      ${meta.length ? html`<span part="meta" class="muted">${meta.join(' · ')}</span>` : nothing}
      ${mayDownload && recording.status === 'UPLOADED' ? this.#renderDownloads(recording) : nothing}
      ${mayDownload ? this.#renderSessionFiles(recording) : nothing}
    </li>`;
  }

  #renderDownloads(recording: Recording) {
    const text = this.text;
    const expiresAt = recording.downloadExpiresAt;
    const now = Date.now() + this.live.state.skewMs;
    if (expiresAt && Date.parse(expiresAt) <= now)
      return html`<span part="expiry" class="muted">${text.expired}</span>`;
    const button = (kind: DownloadKind) =>
      html`<button part="download" @click=${() => void this.#onDownload(recording, kind)}>
        ${text[kind]}
      </button>`;
    return html`<span part="downloads">
      ${recording.downloadable ? button('video') : nothing}
      ${recording.audioDownloadable ? button('audio') : nothing}
      ${
        expiresAt
          ? html`<span part="expiry" class="muted"
              >${fill(text.expires, { date: formatDate(expiresAt, this.locale) })}</span
            >`
          : nothing
      }
    </span>`;
  }

  /** The session's transcript and summary (v2 / RealtimeKit, once made); the summary's first two lines, then the rest on demand. */
  #renderSessionFiles(recording: Recording) {
    const lines = ((recording.summary && this.live.store?.summary(recording.id)) || '').match(/.+/g);
    return html`${(['transcript', 'summary'] as const).map((kind) =>
      recording[kind]
        ? html`<button part="download" @click=${() => void this.#onDownload(recording, kind)}>
            ${this.text[kind]}
          </button>`
        : nothing,
    )}
    ${
      lines
        ? html`<details part="summary">
            <summary>${lines.slice(0, 2).join(' ')}</summary>
            <p>${lines.slice(2).join(' ')}</p>
          </details>`
        : nothing
    }`;
  }

  #renderError(message: string, retry = false) {
    return html`<p part="error" class="warning" role="alert">${message}</p>
      ${retry ? html`<button part="retry" @click=${this.#onRetry}>${this.text.retry}</button>` : nothing}`;
  }
}

declare global {
  interface HTMLElementTagNameMap {
    'dyte-recording-list': DyteRecordingList;
  }
}
