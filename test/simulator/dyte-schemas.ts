/**
 * The response shapes of the Dyte operations the simulator serves, as the project's own JSON Schemas:
 * written by hand from Dyte's published API reference (field names, types, enums, which fields are
 * required and which may be null). A field Dyte does not mark nullable may be left out, never null;
 * fields Dyte does not list are allowed (Dyte's schemas do not close their objects either).
 *
 * v2 and RealtimeKit share one description (`v2`); v1 (camelCase, sizes in MB) has its own.
 */

/** A JSON Schema (draft 7, as ajv reads it). */
export type Schema = Record<string, unknown>;

/** One operation: its path (parameters in braces) and the body schema of each documented status (`200`, `2XX`). */
export interface Operation {
  method: 'GET' | 'POST' | 'PUT' | 'PATCH' | 'DELETE';
  path: string;
  responses: Record<string, Schema>;
}

export interface ApiDescription {
  operations: Operation[];
  /** The envelope of every error, including statuses an operation does not list (401, 429, 500…). */
  error: Schema;
}

const string = { type: 'string' };
const boolean = { type: 'boolean' };
const number = { type: 'number' };
const integer = { type: 'integer' };
const dateTime = { type: 'string', format: 'date-time' };
const uri = { type: 'string', format: 'uri' };
const uuid = { type: 'string', format: 'uuid' };
const object = (properties: Record<string, Schema>, required: string[] = []): Schema => ({
  type: 'object',
  properties,
  required,
});
const arrayOf = (items: Schema): Schema => ({ type: 'array', items });
const enumOf = (...values: string[]): Schema => ({ type: 'string', enum: values });
/** The schema, or null (what Dyte marks `nullable`). */
const orNull = (schema: Schema): Schema => ({ ...schema, type: [schema.type, 'null'] });
/** `{success, data}` with `data` as given: the success envelope of v2. */
const success = (data: Schema, required = ['success', 'data']): Schema =>
  object({ success: boolean, data }, required);

// ---- v2 and RealtimeKit ------------------------------------------------------------------------

/** Who asked for a start or stop (`user_Id`, as Dyte spells it in v2). */
const v2Caller = object({ type: enumOf('ORGANIZATION', 'USER'), user_Id: uuid, name: string });

const v2StorageConfig = object(
  {
    type: enumOf('aws', 'azure', 'digitalocean', 'gcs', 'sftp'),
    bucket: string,
    region: string,
    path: string,
    auth_method: enumOf('KEY', 'PASSWORD'),
    username: string,
    host: string,
    port: number,
  },
  ['type'],
);

const V2_RECORDING_STATUSES = ['INVOKED', 'RECORDING', 'UPLOADING', 'UPLOADED', 'ERRORED', 'PAUSED'];

/** `Recording`: the times, links, size and session may be null; the reasons and the rest may not. */
const v2Recording = object(
  {
    id: uuid,
    session_id: orNull(uuid),
    status: enumOf(...V2_RECORDING_STATUSES),
    output_file_name: string,
    invoked_time: dateTime,
    started_time: orNull(dateTime),
    stopped_time: orNull(dateTime),
    recording_duration: integer,
    file_size: orNull(number),
    download_url: orNull(uri),
    download_url_expiry: orNull(dateTime),
    audio_download_url: orNull(uri),
    storage_config: orNull(v2StorageConfig),
    start_reason: object({ reason: enumOf('API_CALL', 'RECORD_ON_START'), caller: v2Caller }),
    stop_reason: object({ reason: enumOf('API_CALL', 'INTERNAL_ERROR', 'ALL_PEERS_LEFT'), caller: v2Caller }),
  },
  [
    'id',
    'download_url',
    'download_url_expiry',
    'audio_download_url',
    'file_size',
    'session_id',
    'output_file_name',
    'status',
    'invoked_time',
    'started_time',
    'stopped_time',
  ],
);

/** The meeting a listed recording belongs to. */
const v2Meeting = object(
  {
    id: uuid,
    title: string,
    status: enumOf('ACTIVE', 'INACTIVE'),
    preferred_region: {
      enum: ['ap-south-1', 'ap-southeast-1', 'us-east-1', 'eu-central-1', null],
    },
    record_on_start: boolean,
    created_at: dateTime,
    updated_at: dateTime,
  },
  ['id', 'created_at', 'updated_at'],
);

const v2Paging = object(
  { total_count: { type: 'number', minimum: 0 }, start_offset: number, end_offset: number },
  ['total_count', 'start_offset', 'end_offset'],
);

/** `ActiveSession`: a live session of a meeting; every field but `ended_at`, `meta` and the breakout rooms is required. */
const v2ActiveSession: Schema = {
  ...object(
    {
      id: string,
      associated_id: string,
      meeting_display_name: string,
      type: enumOf('meeting', 'livestream', 'participant'),
      status: enumOf('LIVE', 'ENDED'),
      live_participants: number,
      max_concurrent_participants: number,
      minutes_consumed: number,
      organization_id: string,
      started_at: string,
      created_at: string,
      updated_at: string,
      ended_at: string,
      meta: { type: 'object' },
      breakout_rooms: arrayOf({ $ref: '#' }),
    },
    [
      'id',
      'associated_id',
      'meeting_display_name',
      'type',
      'status',
      'live_participants',
      'max_concurrent_participants',
      'minutes_consumed',
      'organization_id',
      'started_at',
      'created_at',
      'updated_at',
    ],
  ),
  $id: 'dyte-v2-active-session',
};

const V2_WEBHOOK_EVENTS = [
  'meeting.started',
  'meeting.ended',
  'meeting.participantJoined',
  'meeting.participantLeft',
  'meeting.chatSynced',
  'recording.statusUpdate',
  'livestreaming.statusUpdate',
  'meeting.transcript',
  'meeting.summary',
];

const v2Webhook = object(
  {
    id: uuid,
    name: string,
    url: uri,
    events: arrayOf(enumOf(...V2_WEBHOOK_EVENTS)),
    enabled: boolean,
    created_at: dateTime,
    updated_at: dateTime,
  },
  ['id', 'name', 'url', 'events', 'created_at', 'updated_at', 'enabled'],
);

/** `{success: false, error: {code, message}}`, with the HTTP status as the code. */
const v2Error = object(
  { success: boolean, error: object({ code: number, message: string }, ['code', 'message']) },
  ['success', 'error'],
);

const v2Recorded = success(v2Recording, ['success']);
const v2WebhookAnswer = success(v2Webhook);

export const V2: ApiDescription = {
  error: v2Error,
  operations: [
    { method: 'POST', path: '/recordings', responses: { 200: v2Recorded } },
    {
      method: 'GET',
      path: '/recordings',
      responses: {
        200: object(
          {
            success: boolean,
            data: arrayOf({ allOf: [v2Recording, object({ meeting: v2Meeting })] }),
            paging: v2Paging,
          },
          ['success', 'data', 'paging'],
        ),
      },
    },
    {
      method: 'GET',
      path: '/recordings/active-recording/{meeting_id}',
      responses: { 200: success(v2Recording), 404: v2Error },
    },
    { method: 'GET', path: '/recordings/{recording_id}', responses: { 200: v2Recorded } },
    { method: 'PUT', path: '/recordings/{recording_id}', responses: { 200: v2Recorded } },
    {
      method: 'GET',
      path: '/meetings/{meeting_id}/active-session',
      responses: { 200: object({ success: boolean, data: v2ActiveSession }), 404: v2Error },
    },
    {
      method: 'GET',
      path: '/sessions/{session_id}/transcript',
      responses: {
        200: object({
          success: boolean,
          data: object(
            { sessionId: string, transcript_download_url: string, transcript_download_url_expiry: string },
            ['sessionId', 'transcript_download_url', 'transcript_download_url_expiry'],
          ),
        }),
      },
    },
    {
      method: 'GET',
      path: '/sessions/{session_id}/summary',
      responses: {
        200: object({
          success: boolean,
          data: object({ sessionId: string, summaryDownloadUrl: string, summaryDownloadUrlExpiry: string }, [
            'sessionId',
            'summaryDownloadUrl',
            'summaryDownloadUrlExpiry',
          ]),
        }),
      },
    },
    {
      method: 'POST',
      path: '/sessions/{session_id}/summary',
      responses: { '2XX': object({ success: boolean, data: object({ success: boolean, message: string }) }) },
    },
    { method: 'GET', path: '/webhooks', responses: { 200: success(arrayOf(v2Webhook)) } },
    { method: 'POST', path: '/webhooks', responses: { 201: v2WebhookAnswer, 400: v2Error } },
    { method: 'GET', path: '/webhooks/{webhook_id}', responses: { 200: v2WebhookAnswer, 400: v2Error } },
    { method: 'PUT', path: '/webhooks/{webhook_id}', responses: { 200: v2WebhookAnswer, 400: v2Error } },
    { method: 'PATCH', path: '/webhooks/{webhook_id}', responses: { 200: v2WebhookAnswer, 400: v2Error } },
    { method: 'DELETE', path: '/webhooks/{webhook_id}', responses: { 200: v2WebhookAnswer, 400: v2Error } },
  ],
};

// ---- v1 --------------------------------------------------------------------------------------------

/** Who asked for a start or stop (`userId` in v1). */
const v1Caller = object({
  type: enumOf('ORGANIZATION', 'USER'),
  userId: uuid,
  participantId: uuid,
  name: string,
});

/**
 * v1 `Recording`: only the links, their expiry and `errMessage` may be null; `startedTime` and
 * `stoppedTime` are required and not nullable; `fileSize`, `stopReason` and `storageConfig` (the
 * storage type's name) may be absent, never null. v1 knows no PAUSED.
 */
const v1Recording = object(
  {
    id: uuid,
    status: enumOf('INVOKED', 'RECORDING', 'UPLOADING', 'UPLOADED', 'ERRORED'),
    roomUUID: uuid,
    outputFileName: string,
    invokedTime: dateTime,
    startedTime: dateTime,
    stoppedTime: dateTime,
    recordingDuration: integer,
    fileSize: number,
    downloadUrl: orNull(uri),
    downloadUrlExpiry: orNull(dateTime),
    audioDownloadUrl: orNull(uri),
    errMessage: orNull(string),
    startReason: object({ reason: enumOf('API_CALL', 'RECORD_ON_START'), caller: v1Caller }),
    stopReason: object({ reason: enumOf('API_CALL', 'INTERNAL_ERROR', 'ALL_PEERS_LEFT'), caller: v1Caller }),
    storageConfig: string,
  },
  [
    'status',
    'outputFileName',
    'downloadUrlExpiry',
    'roomUUID',
    'downloadUrl',
    'audioDownloadUrl',
    'errMessage',
    'startedTime',
    'stoppedTime',
    'id',
  ],
);

const v1Webhook = object(
  {
    id: uuid,
    name: string,
    url: uri,
    events: {
      ...arrayOf(
        enumOf(
          'meeting.started',
          'meeting.ended',
          'meeting.participantJoined',
          'meeting.participantLeft',
          'recording.statusUpdate',
        ),
      ),
      uniqueItems: true,
    },
    enabled: boolean,
    organizationId: uuid,
    createdAt: dateTime,
    updatedAt: dateTime,
  },
  ['name', 'url', 'events', 'organizationId', 'enabled', 'id', 'createdAt', 'updatedAt'],
);

/** v1's envelope: `{success, message?, data?}`, with `data` holding one named item. */
const v1Answer = (name: string, item: Schema): Schema =>
  object({ success: boolean, message: string, data: object({ [name]: item }, [name]) }, ['success', 'data']);

/** `{success: false, message}`: v1 errors carry no code. */
const v1Error = object({ success: boolean, message: string, data: { type: 'object' } }, [
  'success',
  'message',
]);

const v1Recorded = { 200: v1Answer('recording', v1Recording), 400: v1Error };
const v1Recordings = { 200: v1Answer('recordings', arrayOf(v1Recording)), 400: v1Error };
const v1WebhookAnswer = { 200: v1Answer('webhook', v1Webhook), 400: v1Error };

export const V1: ApiDescription = {
  error: v1Error,
  operations: [
    { method: 'POST', path: '/meetings/{meetingId}/recording', responses: v1Recorded },
    { method: 'POST', path: '/rooms/{roomName}/recording', responses: v1Recorded },
    { method: 'GET', path: '/rooms/{roomName}/active-recording', responses: v1Recordings },
    { method: 'GET', path: '/meetings/{meetingId}/recordings', responses: v1Recordings },
    { method: 'GET', path: '/meetings/{meetingId}/recordings/{recordingId}', responses: v1Recorded },
    { method: 'PUT', path: '/meetings/{meetingId}/recordings/{recordingId}', responses: v1Recorded },
    { method: 'POST', path: '/webhook', responses: v1WebhookAnswer },
    {
      method: 'GET',
      path: '/webhooks',
      responses: { 200: v1Answer('webhooks', arrayOf(v1Webhook)), 400: v1Error },
    },
    { method: 'GET', path: '/webhooks/{webhookId}', responses: v1WebhookAnswer },
    { method: 'PUT', path: '/webhooks/{webhookId}', responses: v1WebhookAnswer },
    // Dyte documents the deletion's answer as a bare `{success, message?, data?}`.
    {
      method: 'DELETE',
      path: '/webhooks/{webhookId}',
      responses: {
        200: object({ success: boolean, message: string, data: { type: 'object' } }, ['success']),
        400: v1Error,
      },
    },
  ],
};
