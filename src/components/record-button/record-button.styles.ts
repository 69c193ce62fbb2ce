import { css } from 'lit';

export const styles = css`
  :host {
    display: inline-flex;
    flex-wrap: wrap;
    align-items: center;
    gap: 0.5em;
  }
  [part='confirm'] {
    display: inline-flex;
    flex-wrap: wrap;
    align-items: center;
    gap: 0.5em;
    padding: 0.35em 0.6em;
    border: 1px solid var(--_border);
    border-radius: var(--_radius);
    background: var(--_bg);
  }
  [part='explanation'],
  [part='error'] {
    font-size: 0.9em;
  }
`;
