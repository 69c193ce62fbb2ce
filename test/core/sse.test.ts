import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { createParser } from 'eventsource-parser';
import { sseParser } from '../../src/core/sse.ts';
import type { ServerSentEvent } from '../../src/core/sse.ts';

/** What `parse` makes of `text` fed in pieces cut at `cuts`: the events and the number of comments. */
function parse(text: string, cuts: number[]) {
  const events: ServerSentEvent[] = [];
  let comments = 0;
  const feed = sseParser(
    (event) => events.push(event),
    () => (comments += 1),
  );
  let at = 0;
  for (const cut of [...cuts].sort((a, b) => a - b)) {
    feed(text.slice(at, cut));
    at = cut;
  }
  feed(text.slice(at));
  return { events, comments };
}

/** The same text read by eventsource-parser, the reference. */
function reference(text: string) {
  const events: ServerSentEvent[] = [];
  let comments = 0;
  const parser = createParser({
    onEvent: ({ event, data, id }) => events.push({ event: event ?? 'message', data, id }),
    onComment: () => (comments += 1),
  });
  parser.feed(text);
  return { events, comments };
}

const newline = fc.constantFrom('\n', '\r', '\r\n');
const value = fc.string({ unit: fc.constantFrom('a', 'é', ' ', ':', '{', '"', '\0', '1') });
const line = fc.oneof(
  fc
    .tuple(fc.constantFrom('data', 'event', 'id', 'retry', 'other', ''), fc.constantFrom(':', ': '), value)
    .map(([field, colon, text]) => field + colon + text),
  fc.constantFrom('data', 'event', 'id', ':heartbeat', ': ping', ''),
);
const stream = fc.array(fc.tuple(line, newline), { maxLength: 30 }).map((lines) => lines.flat().join(''));

describe('the event-stream parser', () => {
  it('reads what eventsource-parser reads, however the text is cut into chunks', () => {
    fc.assert(
      fc.property(
        stream.chain((text) =>
          fc.tuple(fc.constant(text), fc.array(fc.integer({ min: 0, max: text.length }), { maxLength: 8 })),
        ),
        ([text, cuts]) => assert.deepEqual(parse(text, cuts), reference(text)),
      ),
      { numRuns: 500 },
    );
  });

  it('dispatches an event at its blank line, with its type, data lines and id', () => {
    const { events, comments } = parse(
      ': hi\nevent: recording\nid: 7\ndata: {"a":\ndata:1}\n\ndata: plain\r\n\r\n',
      [3, 20, 21],
    );
    assert.equal(comments, 1);
    assert.deepEqual(events, [
      { event: 'recording', data: '{"a":\n1}', id: '7' },
      { event: 'message', data: 'plain', id: undefined },
    ]);
  });
});
