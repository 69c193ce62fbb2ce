/** Meeting and recording ids as the browser may send them: short, URL-safe, nothing else. */
import { ApiError } from '../core/errors.ts';

const ID_PATTERN = /^[A-Za-z0-9][A-Za-z0-9_-]{0,63}$/;

export function isValidId(value: unknown): value is string {
  return typeof value === 'string' && ID_PATTERN.test(value);
}

/** Returns `value` when it is a valid id, else throws `400 invalid_id` naming `what`. */
export function requireValidId(value: unknown, what: string): string {
  if (isValidId(value)) return value;
  throw new ApiError(
    400,
    'invalid_id',
    `The ${what} must be 1 to 64 letters, digits, "-" or "_", starting with a letter or digit.`,
  );
}
