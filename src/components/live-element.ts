import { LitElement } from 'lit';
import { property } from 'lit/decorators.js';
import { LiveRecordingController } from '../client/controller.ts';
import { emit } from '../client/events.ts';
import { toLiveError } from '../client/store.ts';
import { stringsFor } from '../core/strings.ts';
import type { Strings } from '../core/strings.ts';
import type { LiveError } from '../core/view.ts';

/**
 * What the three elements share: the meeting they follow, how they reach the proxy, and their texts.
 * Not an element itself.
 */
export class LiveElement extends LitElement {
  protected readonly live = new LiveRecordingController(this);

  /** The meeting to follow. */
  @property({ attribute: 'meeting-id' }) accessor meetingId = '';
  /** The proxy's base URL (the demo serves it at `/api`). */
  @property() accessor endpoint = '';
  /** A recording token for this meeting, minted by the host app's backend. */
  @property() accessor token = '';
  /** An async function giving a token, called again when the last one was refused. Wins over `token`. */
  @property({ attribute: false }) accessor tokenProvider: (() => Promise<string>) | undefined;
  /** Colour scheme: the page's when unset, else `light`, `dark` or `auto` (the OS's preference). */
  @property({ reflect: true }) accessor theme: 'light' | 'dark' | 'auto' | undefined;
  /** Overrides of the texts, by key (see `STRINGS`), over the page's (`setStrings`). */
  @property({ attribute: false }) accessor strings: Partial<Strings> = {};

  protected get text(): Strings {
    return { ...stringsFor(this.locale), ...this.strings };
  }

  /** The page's locale where the element sits (nearest `lang`), else the browser's (none on a server). */
  protected get locale(): string | undefined {
    return this.closest?.('[lang]')?.getAttribute('lang') || undefined;
  }

  /** Reports a failed request as `dyte-recording-error` and returns it for display. */
  protected fail(error: unknown): LiveError {
    const detail = toLiveError(error);
    emit(this, 'dyte-recording-error', detail);
    return detail;
  }
}
