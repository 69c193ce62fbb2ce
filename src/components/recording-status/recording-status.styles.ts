import { css } from 'lit';

export const styles = css`
  :host {
    display: inline-block;
  }
  [part='status'] {
    display: flex;
    flex-wrap: wrap;
    align-items: center;
    gap: 0.25em 0.6em;
  }
  [part='indicator'] {
    width: 0.6em;
    height: 0.6em;
    border-radius: 50%;
    background: var(--_muted);
  }
  .recording [part='indicator'] {
    background: var(--_accent);
  }
  .recording [part='label'] {
    color: var(--_accent);
    font-weight: 700;
  }
  [part='timer'] {
    font-variant-numeric: tabular-nums;
  }
  @media (prefers-reduced-motion: no-preference) {
    .recording [part='indicator'] {
      animation: pulse 1.6s infinite;
    }
  }
  @keyframes pulse {
    50% {
      opacity: 0.25;
    }
  }
`;
