/**
 * Values that are ready at once with the in-memory state and arrive later with Redis. Keeping the
 * ready case synchronous keeps a request's answer synchronous, which lets `@hono/node-server` write it
 * without a promise, a close listener or a response object read back: on the hot read routes that is
 * most of what the proxy costs beyond the HTTP parser.
 */
export type MaybePromise<T> = T | Promise<T>;

/** `next(value)` now when `value` is ready, after it settles otherwise (a rejection passes through). */
export function andThen<T, U>(value: MaybePromise<T>, next: (ready: T) => MaybePromise<U>): MaybePromise<U> {
  return value instanceof Promise ? value.then(next) : next(value);
}
