/** An incremental parser of `text/event-stream` (the WHATWG server-sent events format), without the DOM. */

/** One dispatched event: its type (`message` when unnamed), its data lines joined, and its `id` if it had one. */
export interface ServerSentEvent {
  event: string;
  data: string;
  id?: string;
}

/**
 * Returns a function to feed decoded text in chunks of any size; `onEvent` gets each event when its
 * blank line arrives, `onComment` each comment line (`: …`, e.g. a heartbeat). A CR at the end of a
 * chunk waits for the next one, which may begin with its LF.
 */
export function sseParser(onEvent: (event: ServerSentEvent) => void, onComment: () => void) {
  let rest = '';
  let data: string[] = [];
  let event = '';
  let id: string | undefined;
  return (chunk: string): void => {
    const lines = (rest + chunk).split(/\r\n|\r(?=[^\n])|\n/);
    rest = lines.pop()!;
    for (const line of lines) {
      if (!line) {
        if (data.length) onEvent({ event: event || 'message', data: data.join('\n'), id });
        data = [];
        event = '';
        id = undefined;
        continue;
      }
      const colon = line.indexOf(':');
      if (!colon) {
        onComment();
        continue;
      }
      const field = colon < 0 ? line : line.slice(0, colon);
      const value = colon < 0 ? '' : line.slice(line[colon + 1] === ' ' ? colon + 2 : colon + 1);
      if (field === 'data') data.push(value);
      else if (field === 'event') event = value;
      else if (field === 'id' && !value.includes('\0')) id = value;
    }
  };
}
