import { css } from 'lit';

export const styles = css`
  :host {
    display: block;
  }
  [part='list'] {
    list-style: none;
    margin: 0;
    padding: 0;
  }
  [part='item'] {
    display: flex;
    flex-wrap: wrap;
    align-items: center;
    gap: 0.25em 0.75em;
    padding: 0.5em 0;
    border-bottom: 1px solid var(--_border);
  }
  [part='time'] {
    font-weight: 600;
  }
  [part='downloads'] {
    display: inline-flex;
    flex-wrap: wrap;
    align-items: center;
    gap: 0.5em;
    margin-inline-start: auto;
  }
  [part='meta'],
  [part='expiry'],
  [part='empty'],
  [part='loading'] {
    color: var(--_muted);
  }
  [part='more'] {
    margin-top: 0.75em;
  }
`;
