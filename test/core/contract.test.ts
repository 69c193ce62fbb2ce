import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { shapeForRole } from '../../src/core/contract.ts';
import { recordingFixture } from './fixtures.ts';

describe('shapeForRole', () => {
  const acknowledged = fc
    .record({
      count: fc.nat(50),
      names: fc.option(fc.array(fc.string(), { maxLength: 5 }), { nil: null }),
    })
    .map(({ count, names }) => ({ count, names }));

  it('shows hosts everything, and viewers the count without a name', () => {
    fc.assert(
      fc.property(acknowledged, (acknowledgedBy) => {
        const recording = recordingFixture({ status: 'RECORDING', acknowledgedBy });
        assert.equal(shapeForRole(recording, 'host'), recording);
        const seen = shapeForRole(recording, 'viewer');
        assert.deepEqual(seen.acknowledgedBy, { count: acknowledgedBy.count, names: null });
        assert.deepEqual({ ...seen, acknowledgedBy }, recording);
      }),
    );
  });

  it('leaves a recording without acknowledgements, and null, alone', () => {
    const recording = recordingFixture({ status: 'UPLOADED' });
    assert.equal(shapeForRole(recording, 'viewer'), recording);
    assert.equal(shapeForRole(null, 'viewer'), null);
  });
});
