/** `dyte-recording-kit/server`: the recording proxy and its tokens, for the host app's backend. */
export * from './proxy/index.ts';
export { createRecordingToken, verifyRecordingToken } from './proxy/token.ts';
export type { RecordingClaims, RecordingTokenInput } from './proxy/token.ts';
export { proxyListener } from './proxy/node.ts';
