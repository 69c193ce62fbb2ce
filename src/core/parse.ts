/** Tolerant readers for the loose values upstream payloads carry. Each returns null when it cannot read. */

/**
 * Reads a timestamp as Dyte sends it: ISO 8601, or `2023-04-14 04:46:08.306221Z` (space, microseconds),
 * with or without a zone (none means UTC). Returns ISO 8601 with millisecond precision.
 */
export function parseTime(value: unknown): string | null {
  if (value instanceof Date) return Number.isNaN(value.getTime()) ? null : value.toISOString();
  if (typeof value === 'number') return isTimeInRange(value) ? new Date(value).toISOString() : null;
  if (typeof value !== 'string') return null;
  const match =
    /^(\d{4}-\d{2}-\d{2})[T ](\d{2}:\d{2}(?::\d{2})?)(?:[.,](\d+))?\s*(Z|[+-]\d{2}(?::?\d{2})?)?$/i.exec(
      value.trim(),
    );
  if (!match) return null;
  const [, date, clock, fraction = '', zone = 'Z'] = match;
  const millis = (fraction + '000').slice(0, 3);
  const offset =
    zone.toUpperCase() === 'Z'
      ? 'Z'
      : zone.length === 3
        ? `${zone}:00`
        : zone.replace(/^([+-]\d{2})(\d{2})$/, '$1:$2');
  const seconds = clock!.length === 5 ? `${clock}:00` : clock;
  const time = Date.parse(`${date}T${seconds}.${millis}${offset}`);
  return Number.isNaN(time) ? null : new Date(time).toISOString();
}

/** Whether epoch ms `value` is a time a `Date` can hold (±100,000,000 days around 1970). */
export function isTimeInRange(value: number): boolean {
  return Number.isFinite(value) && Math.abs(value) <= 8.64e15;
}

/** A finite number, from a number or a numeric string. */
export function parseNumber(value: unknown): number | null {
  if (typeof value === 'number') return Number.isFinite(value) ? value : null;
  if (typeof value === 'string' && value.trim() !== '') {
    const parsed = Number(value.trim());
    return Number.isFinite(parsed) ? parsed : null;
  }
  return null;
}

/** A non-empty string, or null. */
export function parseString(value: unknown): string | null {
  return typeof value === 'string' && value !== '' ? value : null;
}

/** A plain object, or null. */
export function asObject(value: unknown): Record<string, unknown> | null {
  return typeof value === 'object' && value !== null && !Array.isArray(value)
    ? (value as Record<string, unknown>)
    : null;
}

/**
 * Reads an object that may arrive as an object, as JSON text, or as the text of a Python dict
 * (`{'reason': 'API_CALL', 'caller': None}`), which Dyte's webhooks sometimes send.
 */
export function parseLooseObject(value: unknown): Record<string, unknown> | null {
  const object = asObject(value);
  if (object) return object;
  if (typeof value !== 'string') return null;
  const text = value.trim();
  if (!text.startsWith('{')) return null;
  try {
    return asObject(JSON.parse(text));
  } catch {
    return asObject(tryParse(pythonToJson(text)));
  }
}

function tryParse(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch {
    return null;
  }
}

/** Rewrites Python literal syntax (single-quoted strings, None/True/False) as JSON, outside strings. */
function pythonToJson(text: string): string {
  let out = '';
  let i = 0;
  while (i < text.length) {
    const char = text[i]!;
    if (char === "'" || char === '"') {
      let literal = '';
      i += 1;
      while (i < text.length && text[i] !== char) {
        if (text[i] === '\\' && i + 1 < text.length) {
          literal += text[i + 1] === "'" ? "'" : text.slice(i, i + 2);
          i += 2;
        } else {
          literal += text[i] === '"' ? '\\"' : text[i];
          i += 1;
        }
      }
      out += `"${literal}"`;
      i += 1;
      continue;
    }
    const word = /^(None|True|False)\b/.exec(text.slice(i));
    if (word) {
      out += word[1] === 'None' ? 'null' : word[1] === 'True' ? 'true' : 'false';
      i += word[1]!.length;
      continue;
    }
    out += char;
    i += 1;
  }
  return out;
}
