/** The proxy's browser-facing API over fetch (DESIGN.md), with a Bearer token asked for again on 401. */
import { ApiError } from '../core/errors.ts';
import type { ErrorBody } from '../core/errors.ts';

/** Gives a token; `refresh` asks for a new one because the last was refused. */
export type TokenSource = (refresh: boolean) => Promise<string>;

export interface RequestOptions {
  /** GET when absent (fetch's default). */
  method?: string;
  body?: object;
  headers?: Record<string, string>;
  signal?: AbortSignal;
}

export class Api {
  readonly #token: TokenSource;

  constructor(
    readonly endpoint: string,
    token: TokenSource,
  ) {
    this.#token = token;
  }

  /** The raw response of a request: any 401 is retried once with a fresh token; other statuses are the caller's. */
  async fetch(path: string, { method, body, headers, signal }: RequestOptions = {}): Promise<Response> {
    for (let refresh = false; ; refresh = true) {
      const response = await fetch(this.endpoint.replace(/\/$/, '') + path, {
        method,
        signal,
        headers: {
          accept: 'application/json',
          'content-type': 'application/json',
          ...headers,
          authorization: `Bearer ${await this.#token(refresh)}`,
        },
        body: body && JSON.stringify(body),
      });
      if (response.status !== 401 || refresh) return response;
      await response.body?.cancel();
    }
  }

  /** The JSON body of a successful request; an ApiError with the proxy's code and message otherwise. */
  async json<T>(path: string, options?: RequestOptions): Promise<T> {
    const response = await this.fetch(path, options);
    if (!response.ok) throw await responseError(response);
    return (await response.json()) as T;
  }
}

/** The proxy's `{error: {code, message, …}}` as an ApiError (the extra fields too, e.g. `recording`). */
export async function responseError(response: Response): Promise<ApiError> {
  const { status } = response;
  const error = ((await response.json().catch(() => null)) as Partial<ErrorBody> | null)?.error;
  return error?.code
    ? new ApiError(status, error.code, error.message, error)
    : new ApiError(status, 'internal_error', `The server answered ${status}.`);
}
