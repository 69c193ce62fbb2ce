/**
 * How long to wait before reconnection attempt `attempt` (0-based): exponential from `baseMs`, capped at
 * `maxMs`, with jitter so a crowd of browsers dropped together does not come back together. `random`
 * is in [0, 1); the result is in [half the step, the step).
 */
export function backoffDelay(attempt: number, baseMs: number, maxMs: number, random: number): number {
  const step = Math.min(maxMs, baseMs * 2 ** Math.min(attempt, 30));
  return Math.round(step * (0.5 + random / 2));
}
