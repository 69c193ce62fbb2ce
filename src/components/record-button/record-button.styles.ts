import { css } from 'lit';

export const styles = css`
  :host,
  [part='confirm'] {
    display: inline-flex;
    flex-wrap: wrap;
    align-items: center;
    gap: 0.5em;
  }
  [part='confirm'] {
    padding: 0.35em 0.6em;
    border: 1px solid var(--_border);
    border-radius: var(--dyte-recording-radius, 6px);
  }
`;
