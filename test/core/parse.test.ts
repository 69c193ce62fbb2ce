import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { parseLooseObject, parseNumber, parseTime } from '../../src/core/parse.ts';
import { pythonLiteral } from './python-literal.ts';

const instant = fc.date({
  min: new Date('2000-01-01T00:00:00Z'),
  max: new Date('2099-12-31T23:59:59Z'),
  noInvalidDate: true,
});

describe('parseTime', () => {
  it('reads a number no Date can hold as unknown instead of throwing', () => {
    assert.equal(parseTime(1e20), null);
    assert.equal(parseTime(-1e20), null);
    assert.equal(parseTime(8.64e15), '+275760-09-13T00:00:00.000Z');
  });

  it('reads ISO 8601 and returns it unchanged at millisecond precision', () => {
    fc.assert(fc.property(instant, (date) => parseTime(date.toISOString()) === date.toISOString()));
  });

  it('reads the webhook form with a space and microseconds', () => {
    assert.equal(parseTime('2023-04-14 04:46:08.306221Z'), '2023-04-14T04:46:08.306Z');
    fc.assert(
      fc.property(instant, fc.integer({ min: 0, max: 999 }), (date, micros) => {
        const iso = date.toISOString();
        const spaced = `${iso.slice(0, 10)} ${iso.slice(11, 23)}${String(micros).padStart(3, '0')}Z`;
        return parseTime(spaced) === iso;
      }),
    );
  });

  it('treats a time without a zone as UTC and honours explicit offsets', () => {
    assert.equal(parseTime('2024-01-02T03:04:05'), '2024-01-02T03:04:05.000Z');
    assert.equal(parseTime('2024-01-02T03:04:05+02:00'), '2024-01-02T01:04:05.000Z');
    assert.equal(parseTime('2024-01-02T03:04:05.5-0130'), '2024-01-02T04:34:05.500Z');
  });

  it('returns null for anything that is not a time', () => {
    for (const value of [
      null,
      undefined,
      '',
      'yesterday',
      '2024-13-45T99:00:00Z',
      {},
      [],
      true,
      Number.NaN,
    ]) {
      assert.equal(parseTime(value), null, JSON.stringify(value));
    }
    fc.assert(
      fc.property(
        fc.string(),
        (text) => parseTime(text) === null || !Number.isNaN(Date.parse(parseTime(text)!)),
      ),
    );
  });
});

describe('parseNumber', () => {
  it('reads numbers and numeric strings alike', () => {
    fc.assert(
      fc.property(fc.double({ noNaN: true, noDefaultInfinity: true }), (value) => {
        return Object.is(parseNumber(value), value) && parseNumber(String(value)) === Number(String(value));
      }),
    );
  });

  it('rejects non-numeric values', () => {
    for (const value of ['', '  ', 'abc', '12kb', null, undefined, {}, Infinity, Number.NaN]) {
      assert.equal(parseNumber(value), null, String(value));
    }
  });
});

describe('parseLooseObject', () => {
  it('reads objects, JSON text and Python dict text', () => {
    const expected = { reason: 'API_CALL', caller: { name: "O'Neil", type: 'USER', active: true, id: null } };
    assert.deepEqual(parseLooseObject(expected), expected);
    assert.deepEqual(parseLooseObject(JSON.stringify(expected)), expected);
    assert.deepEqual(
      parseLooseObject(
        `{'reason': 'API_CALL', 'caller': {'name': "O'Neil", 'type': 'USER', 'active': True, 'id': None}}`,
      ),
      expected,
    );
  });

  it('turns any JSON-able dict written the Python way back into the same object', () => {
    const scalar = fc.oneof(fc.string(), fc.boolean(), fc.constant(null), fc.integer());
    fc.assert(
      fc.property(fc.dictionary(fc.string({ minLength: 1 }), scalar, { noNullPrototype: true }), (dict) => {
        assert.deepEqual(parseLooseObject(pythonLiteral(dict)), dict);
      }),
    );
  });

  it('returns null for text that is no object', () => {
    for (const value of ['API_CALL', '{broken', '[1,2]', 42, null])
      assert.equal(parseLooseObject(value), null);
  });
});
