/** Error codes of the proxy's browser-facing contract (DESIGN.md). */
export type ErrorCode =
  | 'bad_request'
  | 'invalid_json'
  | 'invalid_codec'
  | 'invalid_id'
  | 'unauthorized'
  | 'token_expired'
  | 'forbidden'
  | 'not_found'
  | 'method_not_allowed'
  | 'payload_too_large'
  | 'unsupported_media_type'
  | 'recording_active'
  | 'invalid_state'
  | 'not_ready'
  | 'download_expired'
  | 'not_supported'
  | 'invalid_signature'
  | 'rate_limited'
  | 'upstream_unavailable'
  | 'upstream_error'
  | 'store_unavailable'
  | 'internal_error';

export interface ErrorBody {
  error: { code: ErrorCode; message: string; [extra: string]: unknown };
}

/** The one error type the proxy throws; its error handler renders it as `{"error":{code,message}}`. */
export class ApiError extends Error {
  constructor(
    readonly status: number,
    readonly code: ErrorCode,
    message: string,
    /** Extra fields for the error body (e.g. the active recording on `recording_active`). */
    readonly extra: Record<string, unknown> = {},
    /** Extra response headers (e.g. `Retry-After`). */
    readonly headers: Record<string, string> = {},
  ) {
    super(message);
    this.name = 'ApiError';
  }

  toBody(): ErrorBody {
    return { error: { ...this.extra, code: this.code, message: this.message } };
  }
}

export function isErrorBody(value: unknown): value is ErrorBody {
  if (typeof value !== 'object' || value === null) return false;
  const error = (value as { error?: unknown }).error;
  return (
    typeof error === 'object' &&
    error !== null &&
    typeof (error as { code?: unknown }).code === 'string' &&
    typeof (error as { message?: unknown }).message === 'string'
  );
}
