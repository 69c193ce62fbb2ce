import { css } from 'lit';

/**
 * Theme shared by the elements: `--dyte-recording-*` custom properties over light and dark defaults.
 * `light-dark()` follows the `color-scheme` the page gives the element (light unless the page declares
 * otherwise, whatever the OS prefers); the `theme` attribute overrides it (`auto`: the OS's preference).
 */
export const base = css`
  :host([hidden]) {
    display: none;
  }
  :host([theme='light']) {
    color-scheme: light;
  }
  :host([theme='dark']) {
    color-scheme: dark;
  }
  :host([theme='auto']) {
    color-scheme: light dark;
  }
  :host {
    --_fg: var(--dyte-recording-fg, light-dark(#1d2939, #f2f4f7));
    --_bg: var(--dyte-recording-bg, light-dark(#fff, #1d2939));
    --_muted: var(--dyte-recording-muted, light-dark(#475467, #d0d5dd));
    --_accent: var(--dyte-recording-accent, light-dark(#d92d20, #f97066));
    --_border: var(--dyte-recording-border, var(--_muted));
    font: var(--dyte-recording-font, 14px/1.4 system-ui, sans-serif);
    color: var(--_fg);
  }
  button {
    font: inherit;
    color: inherit;
    background: var(--_bg);
    border: 1px solid var(--_border);
    border-radius: var(--dyte-recording-radius, 6px);
    padding: 0.35em 0.9em;
    cursor: pointer;
  }
  button:focus-visible {
    outline: 2px solid var(--_accent);
    outline-offset: 2px;
  }
  [aria-disabled='true'] {
    color: var(--_muted);
    border-style: dashed;
    cursor: default;
  }
  .live {
    background: var(--_accent);
    border-color: var(--_accent);
    color: var(--_bg);
  }
  .muted {
    color: var(--_muted);
  }
  .warning {
    color: var(--_accent);
  }
  .sr-only {
    position: absolute;
    width: 1px;
    height: 1px;
    overflow: hidden;
    clip-path: inset(50%);
    white-space: nowrap;
  }
`;
