import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { backoffDelay } from '../../src/core/backoff.ts';
import { formatBytes, formatClock, formatDate, formatDuration } from '../../src/core/format.ts';
import { fill } from '../../src/core/strings.ts';

describe('formatClock', () => {
  it('reads m:ss under an hour and h:mm:ss from an hour', () => {
    assert.equal(formatClock(0), '0:00');
    assert.equal(formatClock(65), '1:05');
    assert.equal(formatClock(3599), '59:59');
    assert.equal(formatClock(3600), '1:00:00');
    assert.equal(formatClock(-5), '0:00');
  });

  it('reads back as the seconds it was given', () => {
    fc.assert(
      fc.property(fc.integer({ min: 0, max: 100 * 3600 }), (seconds) => {
        const parts = formatClock(seconds).split(':').map(Number);
        assert.equal(
          parts.reduce((total, part) => total * 60 + part, 0),
          seconds,
        );
      }),
    );
  });
});

describe('formatDuration', () => {
  it('gives the two largest units in the locale', () => {
    assert.equal(formatDuration(3725, 'en-US'), '1 hr 2 min');
    assert.equal(formatDuration(45, 'en-US'), '45 sec');
    assert.equal(formatDuration(0, 'en-US'), '0 sec');
    assert.equal(formatDuration(7200, 'en-US'), '2 hr 0 min');
    assert.equal(formatDuration(185, 'en-US'), '3 min 5 sec');
    assert.equal(formatDuration(3725, 'de-DE'), '1 Std. 2 Min.');
  });
});

describe('formatBytes', () => {
  it('uses decimal units with one decimal in the locale', () => {
    assert.equal(formatBytes(512, 'en-US'), '512 byte');
    assert.equal(formatBytes(12_500_000, 'en-US'), '12.5 MB');
    assert.equal(formatBytes(12_500_000, 'de-DE'), '12,5 MB');
    assert.equal(formatBytes(3_000_000_000, 'en-US'), '3 GB');
  });
});

describe('formatDate', () => {
  it('formats in the locale', () => {
    const when = '2026-03-05T14:30:00.000Z';
    assert.match(formatDate(when, 'en-US'), /Mar 5, 2026/);
    assert.match(formatDate(when, 'de-DE'), /05\.03\.2026/);
  });
});

describe('fill', () => {
  it('fills known placeholders and leaves unknown ones', () => {
    assert.equal(fill('Stopped by {name} at {time}', { name: 'Ana' }), 'Stopped by Ana at {time}');
  });
});

describe('backoffDelay', () => {
  it('stays between half the step and the step, the step doubling up to the cap', () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 0, max: 60 }),
        fc.integer({ min: 1, max: 10_000 }),
        fc.integer({ min: 1, max: 600_000 }),
        fc.double({ min: 0, max: 1, maxExcluded: true, noNaN: true }),
        (attempt, base, max, random) => {
          const step = Math.min(max, base * 2 ** attempt);
          const delay = backoffDelay(attempt, base, max, random);
          assert.ok(delay >= Math.floor(step / 2) && delay <= Math.ceil(step), `${delay} for step ${step}`);
        },
      ),
    );
  });

  it('spreads a crowd that dropped together', () => {
    const delays = new Set(Array.from({ length: 50 }, (_, i) => backoffDelay(3, 1000, 30_000, i / 50)));
    assert.ok(delays.size > 40);
  });
});
