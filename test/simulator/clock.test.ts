import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { SimClock } from '../../src/simulator/clock.ts';

/** A clock over a hand-driven real time, so nothing here depends on timers firing. */
function manual(speed: number) {
  let real = 1_000_000;
  const clock = new SimClock(speed, () => real);
  return { clock, advance: (ms: number) => (real += ms) };
}

describe('SimClock', () => {
  it('starts at real time and runs `speed` times faster from then on', () => {
    const { clock, advance } = manual(60);
    assert.equal(clock.now(), 1_000_000);
    advance(1000);
    assert.equal(clock.now(), 1_000_000 + 60_000);
    assert.equal(clock.toRealMs(60_000), 1000);
    clock.close();
  });

  it('runs due tasks in time order, each stamped with the time it was due', () => {
    const { clock, advance } = manual(10);
    const ran: [string, number][] = [];
    const start = clock.now();
    clock.at(start + 300, (at) => ran.push(['c', at]));
    clock.at(start + 100, (at) => ran.push(['a', at]));
    clock.after(200, (at) => {
      ran.push(['b', at]);
      clock.at(at + 50, (later) => ran.push(['b2', later])); // due at +250: runs in the same pass
    });
    advance(29); // 290 simulated ms
    clock.runDue();
    assert.deepEqual(ran, [
      ['a', start + 100],
      ['b', start + 200],
      ['b2', start + 250],
    ]);
    advance(1);
    clock.runDue();
    assert.deepEqual(ran.at(-1), ['c', start + 300]);
    clock.close();
  });

  it('cancels a task, and runs nothing after close', () => {
    const { clock, advance } = manual(1);
    let ran = 0;
    const id = clock.after(10, () => (ran += 1));
    clock.cancel(id);
    clock.after(10, () => (ran += 10));
    clock.close();
    advance(100);
    clock.runDue();
    assert.equal(ran, 0);
  });

  it('fires its own timer in real time divided by the speed', async () => {
    const clock = new SimClock(1000);
    const fired = await new Promise<number>((resolve) => {
      const started = Date.now();
      clock.after(50_000, () => resolve(Date.now() - started)); // 50 real ms
    });
    assert.ok(fired >= 45 && fired < 1000, `fired after ${fired} ms`);
    clock.close();
  });

  it('refuses a speed that is not positive', () => {
    assert.throws(() => new SimClock(0), RangeError);
    assert.throws(() => new SimClock(Number.NaN), RangeError);
  });
});
