import { html, nothing } from 'lit';
import { state } from 'lit/decorators.js';
import { emit } from '../../client/events.ts';
import type { DownloadKind } from '../../client/store.ts';
import { onTick } from '../../client/ticker.ts';
import { formatBytes, formatClock, formatDate, formatDuration } from '../../core/format.ts';
import type { Recording } from '../../core/recording.ts';
import { isActive } from '../../core/status.ts';
import { fill } from '../../core/strings.ts';
import { errorText, itemElapsed, itemTicks } from '../../core/view.ts';
import type { LiveError } from '../../core/view.ts';
import { base } from '../base.styles.ts';
import { define } from '../define.ts';
import { LiveElement } from '../live-element.ts';
import { styles } from './recording-list.styles.ts';

/**
 * The meeting's recordings, newest first and updated live: time, duration, size, codec, status and who
 * started it, with video and audio downloads through the proxy (a fresh link per click) and when the
 * links expire; where the upstream made them, the session's transcript and summary too, with the
 * summary's first lines shown inline (expandable). Plays a saved recording inline (one at a time, a
 * fresh link, renewed before it expires). Running recordings tick their recorded time (on the server's
 * clock, pauses left out; a paused one stands), ones being saved the time since the stop. Loads more on request; shows loading, empty and error states, with a retry.
 *
 * @summary Live list of one meeting's recordings.
 * @fires {DownloadEventDetail} dyte-recording-download - A fresh download link arrived and opens in a new tab; cancel the event to handle the link yourself. `detail: { recording, kind, url }`
 * @fires {LiveError} dyte-recording-error - A request failed, or loading or the live connection did. `detail: { code, message }`
 * @fires {ChangeEventDetail} dyte-recording-change - The recording moved to another phase. `detail: { phase, recording }`
 * @csspart list - The list of recordings.
 * @csspart item - One recording.
 * @csspart time - When it was started.
 * @csspart meta - Duration, size, codec and who started it.
 * @csspart status - Its status.
 * @csspart acknowledged - How many acknowledged the recording notice (and who, for hosts).
 * @csspart downloads - The download buttons and expiry notice.
 * @csspart download - A download button (video, audio, transcript or summary).
 * @csspart elapsed - The recorded time (pauses left out), or the time since it stopped, while saving.
 * @csspart play - The "Play" button.
 * @csspart player - The inline player: the video (or audio) and its Close button.
 * @csspart close - The player's Close button.
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
 * @cssprop [--dyte-recording-muted=#475467] - Secondary text.
 * @cssprop [--dyte-recording-border=var(--dyte-recording-muted)] - Colour of the separators and button borders.
 * @cssprop [--dyte-recording-radius=6px] - Corner radius.
 * @cssprop [--dyte-recording-font=14px/1.4 system-ui, sans-serif] - Font shorthand.
 */
export class DyteRecordingList extends LiveElement {
  static override styles = [base, styles];

  @state() private accessor failure: LiveError | null = null;
  @state() private accessor loadingMore = false;
  /** The one recording playing inline: its fresh link, and where to resume after a renewal. */
  @state() private accessor player: {
    recording: Recording;
    kind: DownloadKind;
    url: string;
    at: number;
    play: boolean;
  } | null = null;
  #stopTicking: (() => void) | undefined;
  /** Renews the player's link before it expires. */
  #renewal: ReturnType<typeof setTimeout> | undefined;
  /** The Play button that opened the player, focused again when it closes. */
  #opener: HTMLElement | undefined;

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

  override disconnectedCallback() {
    super.disconnectedCallback();
    this.#onClose();
    this.#stopTicking?.();
    this.#stopTicking = undefined;
  }

  protected override updated() {
    // The page's one ticker, while some item's clock runs.
    const ticking = this.live.state.recordings.some(itemTicks);
    if (ticking) this.#stopTicking ??= onTick(() => this.requestUpdate());
    else {
      this.#stopTicking?.();
      this.#stopTicking = undefined;
    }
  }

  /** Opens the player on a fresh link, or (given `at`) renews the open player's link where it stands. */
  async #play(recording: Recording, kind: DownloadKind, at?: number, play = true) {
    this.failure = null;
    clearTimeout(this.#renewal);
    try {
      const { url, expiresAt } = await this.live.store!.download(recording.id, kind);
      // A renewal arriving after the player closed, or moved to another recording, is dropped.
      if (at !== undefined && this.player?.recording !== recording) return;
      this.player = { recording, kind, url, at: at ?? 0, play };
      const left = expiresAt ? Date.parse(expiresAt) - Date.now() - this.live.state.skewMs : NaN;
      // Renewed at nine tenths of the link's life, before the storage refuses it.
      if (left > 0 && left < 2 ** 31) this.#renewal = setTimeout(() => this.#renew(), left * 0.9);
    } catch (error) {
      this.failure = this.fail(error);
    }
  }

  /** The player's video or audio element. */
  get #media() {
    return this.renderRoot.querySelector<HTMLMediaElement>('[part=player] > :first-child');
  }

  #renew() {
    const media = this.#media;
    const { player } = this;
    if (media && player) void this.#play(player.recording, player.kind, media.currentTime, !media.paused);
  }

  async #onPlay(event: Event, recording: Recording) {
    this.#opener = event.currentTarget as HTMLElement;
    await this.#play(recording, recording.downloadable ? 'video' : 'audio');
    await this.updateComplete;
    this.#media?.focus();
  }

  #onClose = () => {
    clearTimeout(this.#renewal);
    if (!this.player) return;
    this.player = null;
    this.#opener?.focus();
  };

  #onPlayerKey = (event: KeyboardEvent) => {
    if (event.key === 'Escape') this.#onClose();
  };

  override render() {
    const text = this.text;
    const { loaded, error } = this.live.state;
    if (loaded) return this.#renderList();
    return error
      ? this.#renderError(fill(text.listError, { message: errorText(error, text) }), true)
      : html`<p part="loading" class="muted" role="status">${text.loading}</p>`;
  }

  #renderList() {
    const text = this.text;
    const { recordings, nextCursor, permissions } = this.live.state;
    if (!recordings.length) return html`<p part="empty" class="muted">${text.empty}</p>`;
    const failure = this.failure;
    return html`<ul part="list" aria-label=${text.listLabel}>
        ${recordings.map((recording) => this.#renderItem(recording, permissions.download))}
      </ul>
      ${failure ? this.#renderError(errorText(failure, text)) : nothing}
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
      ${this.#renderElapsed(recording)}
      ${meta.length ? html`<span part="meta" class="muted">${meta.join(' · ')}</span>` : nothing}
      ${this.#renderAcknowledged(recording)}
      ${mayDownload && recording.status === 'UPLOADED' ? this.#renderDownloads(recording) : nothing}
      ${mayDownload ? this.#renderSessionFiles(recording) : nothing}
      ${this.player?.recording.id === recording.id ? this.#renderPlayer() : nothing}
    </li>`;
  }

  /** How many acknowledged the recording notice (running, or anyone did), with the names for hosts. */
  #renderAcknowledged(recording: Recording) {
    const by = recording.acknowledgedBy;
    if (!by || (!by.count && !isActive(recording.status))) return nothing;
    const names = by.names?.join(', ');
    return html`<span part="acknowledged" class="muted"
      >${fill(this.text.acknowledged, { count: String(by.count) })}${names ? `: ${names}` : ''}</span
    >`;
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
      ${
        recording.downloadable || recording.audioDownloadable
          ? html`<button
              part="play"
              aria-expanded=${this.player?.recording.id === recording.id}
              @click=${(event: Event) => void this.#onPlay(event, recording)}
            >
              ${text.play}
            </button>`
          : nothing
      }
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

  #renderElapsed(recording: Recording) {
    const seconds = itemElapsed(recording, Date.now(), this.live.state.skewMs);
    return seconds === null
      ? nothing
      : html`<time part="elapsed" datetime="PT${seconds}S">${formatClock(seconds)}</time>`;
  }

  #renderPlayer() {
    const { url, kind, at, play } = this.player!;
    // A media fragment starts it where it stood (after a renewal); autoplay, as Play or playback asked.
    const src = at ? `${url}#t=${at}` : url;
    return html`<div part="player" @keydown=${this.#onPlayerKey}>
      ${
        kind === 'video'
          ? html`<video controls ?autoplay=${play} src=${src}></video>`
          : html`<audio controls ?autoplay=${play} src=${src}></audio>`
      }
      <button part="close" @click=${this.#onClose}>${this.text.closePlayer}</button>
    </div>`;
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

define('dyte-recording-list', DyteRecordingList);

declare global {
  interface HTMLElementTagNameMap {
    'dyte-recording-list': DyteRecordingList;
  }
}
