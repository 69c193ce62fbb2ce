import { css } from 'lit';

export const styles = css`
  :host {
    display: block;
  }
  [part='notice'] {
    box-sizing: border-box;
    color: var(--_fg);
    background: var(--_bg);
    border: 1px solid var(--_muted);
    border-inline-start: 4px solid var(--_accent);
    border-radius: var(--dyte-recording-radius, 6px);
    padding: 1em 1.25em;
  }
  dialog {
    max-width: 28em;
  }
  dialog::backdrop {
    background: rgb(0 0 0 / 0.45);
  }
  section {
    display: flex;
    flex-wrap: wrap;
    align-items: center;
    gap: 0.5em 1em;
  }
  p {
    margin: 0.5em 0;
  }
  .actions {
    display: flex;
    gap: 0.5em;
    margin-inline-start: auto;
  }
`;
