/** Reading and checking browser request bodies: size-capped, JSON only, exactly the contract's fields. */
import { ApiError } from '../core/errors.ts';
import type { RecordingAction } from '../core/contract.ts';
import { asObject } from '../core/parse.ts';
import { isCodec } from '../core/recording.ts';
import type { Codec } from '../core/recording.ts';

const MAX_BODY_BYTES = 16 * 1024;

/** The raw body, refusing anything past `limit` bytes (declared or actually sent) with `413`. */
export async function readRaw(request: Request, limit: number): Promise<Uint8Array<ArrayBuffer>> {
  const tooLarge = () =>
    new ApiError(
      413,
      'payload_too_large',
      `The request body must not exceed ${Math.round(limit / 1024)} KiB.`,
    );
  const declared = Number(request.headers.get('content-length'));
  if (Number.isFinite(declared) && declared > limit) throw tooLarge();
  if (!request.body) return new Uint8Array(0);
  const chunks: Uint8Array[] = [];
  let size = 0;
  const reader = request.body.getReader();
  for (;;) {
    const { done, value } = await reader.read();
    if (done) break;
    size += value.byteLength;
    if (size > limit) {
      await reader.cancel().catch(() => undefined);
      throw tooLarge();
    }
    chunks.push(value);
  }
  const bytes = new Uint8Array(size);
  let offset = 0;
  for (const chunk of chunks) {
    bytes.set(chunk, offset);
    offset += chunk.byteLength;
  }
  return bytes;
}

/** The JSON object body, or `{}` for an empty body. */
export async function readJsonObject(request: Request): Promise<Record<string, unknown>> {
  const raw = await readRaw(request, MAX_BODY_BYTES);
  if (raw.byteLength === 0) return {};
  const type = request.headers.get('content-type') ?? '';
  if (!/^application\/([\w.+-]+\+)?json\b/i.test(type.trim())) {
    throw new ApiError(415, 'unsupported_media_type', 'Send the body as application/json.');
  }
  let value: unknown;
  try {
    value = JSON.parse(new TextDecoder('utf-8', { fatal: true }).decode(raw));
  } catch {
    throw new ApiError(400, 'invalid_json', 'The request body is not valid JSON.');
  }
  const object = asObject(value);
  if (!object) throw new ApiError(400, 'bad_request', 'The request body must be a JSON object.');
  return object;
}

function onlyFields(body: Record<string, unknown>, allowed: string[]): void {
  const unknown = Object.keys(body).filter((key) => !allowed.includes(key));
  if (unknown.length > 0) {
    throw new ApiError(
      400,
      'bad_request',
      `Unexpected field${unknown.length > 1 ? 's' : ''} ${unknown.map((k) => JSON.stringify(k)).join(', ')}: ` +
        `recording options are set by the server.`,
    );
  }
}

/** `{codec?}`: a known codec the server allows, or none (the server's default). */
export function parseStartRequest(
  body: Record<string, unknown>,
  allowed: readonly Codec[],
): Codec | undefined {
  onlyFields(body, ['codec']);
  const { codec } = body;
  if (codec === undefined || codec === null) return undefined;
  if (typeof codec !== 'string') throw new ApiError(400, 'invalid_codec', '"codec" must be a string.');
  const upper = codec.toUpperCase();
  if (!isCodec(upper) || !allowed.includes(upper)) {
    throw new ApiError(400, 'invalid_codec', `"codec" must be one of ${allowed.join(', ')}.`);
  }
  return upper;
}

const ACTIONS: readonly RecordingAction[] = ['stop', 'pause', 'resume'];

/** `{action: "stop" | "pause" | "resume"}`. */
export function parseControlRequest(body: Record<string, unknown>): RecordingAction {
  onlyFields(body, ['action']);
  const { action } = body;
  if (typeof action !== 'string' || !(ACTIONS as readonly string[]).includes(action)) {
    throw new ApiError(400, 'bad_request', '"action" must be "stop", "pause" or "resume".');
  }
  return action as RecordingAction;
}
