import { css } from 'lit';

/** Theme shared by the three elements: `--dyte-recording-*` custom properties with light and dark defaults. */
export const base = css`
  :host {
    --_fg: var(--dyte-recording-fg, #1d2939);
    --_bg: var(--dyte-recording-bg, #fff);
    --_muted: var(--dyte-recording-muted, #475467);
    --_border: var(--dyte-recording-border, #98a2b3);
    --_accent: var(--dyte-recording-accent, #d92d20);
    --_on-accent: var(--dyte-recording-on-accent, #fff);
    --_warning: var(--dyte-recording-warning, #93370d);
    --_radius: var(--dyte-recording-radius, 6px);
    font: var(--dyte-recording-font, 14px/1.4 system-ui, sans-serif);
    color: var(--_fg);
  }
  @media (prefers-color-scheme: dark) {
    :host {
      --_fg: var(--dyte-recording-fg, #f2f4f7);
      --_bg: var(--dyte-recording-bg, #1d2939);
      --_muted: var(--dyte-recording-muted, #d0d5dd);
      --_border: var(--dyte-recording-border, #667085);
      --_accent: var(--dyte-recording-accent, #f97066);
      --_on-accent: var(--dyte-recording-on-accent, #101828);
      --_warning: var(--dyte-recording-warning, #fec84b);
    }
  }
  [hidden] {
    display: none !important;
  }
  button {
    font: inherit;
    color: var(--_fg);
    background: var(--_bg);
    border: 1px solid var(--_border);
    border-radius: var(--_radius);
    padding: 0.35em 0.9em;
    cursor: pointer;
  }
  button:focus-visible {
    outline: 2px solid var(--_accent);
    outline-offset: 2px;
  }
  button[aria-disabled='true'] {
    color: var(--_muted);
    border-style: dashed;
    cursor: default;
  }
  .live {
    background: var(--_accent);
    border-color: var(--_accent);
    color: var(--_on-accent);
  }
  .muted {
    color: var(--_muted);
  }
  .warning {
    color: var(--_warning);
  }
  .sr-only {
    position: absolute;
    width: 1px;
    height: 1px;
    overflow: hidden;
    clip-path: inset(50%);
    white-space: nowrap;
  }
  @media (prefers-reduced-motion: reduce) {
    * {
      animation: none !important;
      transition: none !important;
    }
  }
`;
