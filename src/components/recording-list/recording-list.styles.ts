import { css } from 'lit';

export const styles = css`
  :host {
    display: block;
  }
  ul {
    list-style: none;
    margin: 0;
    padding: 0;
  }
  li {
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
  [part='player'] {
    flex-basis: 100%;
  }
  video {
    width: 100%;
  }
  [part='summary'] {
    flex-basis: 100%;
  }
  [part='downloads'] {
    display: flex;
    align-items: center;
    gap: 0.5em;
    margin-inline-start: auto;
  }
`;
