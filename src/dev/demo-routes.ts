/**
 * The demo's own routes under `/_demo`, which exist only in `dyte-recording-kit dev`: recording tokens
 * minted here on the server (the token secret never reaches the page), and the simulator's control plane
 * (participants, upstream faults) so the page can show every state of a recording.
 */
import { fileURLToPath } from 'node:url';
import { Hono } from 'hono';
import type { ContentfulStatusCode } from 'hono/utils/http-status';
import { ApiError } from '../core/errors.ts';
import type { Role } from '../core/contract.ts';
import { requireValidId } from '../proxy/ids.ts';
import { createRecordingToken, isRole } from '../proxy/token.ts';

/** The simulator's shortened limits, shown by the page. */
export interface DemoLimits {
  startLagMs: number;
  uploadMs: number;
  emptyRoomTimeoutMs: number;
}

/** Short enough that every state is reached within a minute; the page says they are shortened. */
/** The demo pages of a clone of the repository (not in the published package). */
export const DEMO_ROOT = fileURLToPath(new URL('../../demo/', import.meta.url));

export const DEMO_LIMITS: DemoLimits = { startLagMs: 2000, uploadMs: 2000, emptyRoomTimeoutMs: 20_000 };
export const DEMO_MEETING_ID = 'design-review';

/** `GET /_demo/config`. */
export interface DemoConfig {
  limits: DemoLimits;
  defaultMeetingId: string;
}

/** `GET /_demo/token`. */
export interface DemoToken {
  token: string;
  role: Role;
  name: string;
}

export interface Participant {
  id: string;
  name: string;
}

export interface DemoRouteOptions {
  /** The simulator's origin (its control plane is at `/_sim`). */
  simulatorUrl: string;
  tokenSecret: string;
  limits: DemoLimits;
  defaultMeetingId: string;
}

const TOKEN_TTL_SECONDS = 10 * 60;
/** Who the demo's tokens speak for: they become "started by" / "stopped by" in the list. */
const TOKEN_NAMES: Record<Role, string> = { host: 'Ana Ortiz', viewer: 'Sam Lee' };
/** The people in a meeting when the demo first sees it, so a recording does not stop for an empty room. */
const FIRST_PARTICIPANTS = ['Ana Ortiz', 'Ben Okafor'];
const MORE_PARTICIPANTS = ['Chen Wei', 'Dara Fox', 'Eli Novak', 'Fatima Zahra', 'Gus Moreno', 'Hana Sato'];
const MAX_PARTICIPANTS = 12;
/** An outage long enough to watch: every upstream call fails until it is cleared. */
const OUTAGE_FAULT = { kind: 'http_500', count: 1_000_000 };

export function demoRoutes(options: DemoRouteOptions): Hono {
  const rooms = new Map<string, Participant[]>();
  let joined = 0;
  let outage = false;

  const sim = async (path: string, init: { method: string; body?: unknown }) => {
    const response = await fetch(`${options.simulatorUrl}/_sim${path}`, {
      method: init.method,
      headers: init.body === undefined ? {} : { 'content-type': 'application/json' },
      body: init.body === undefined ? undefined : JSON.stringify(init.body),
    });
    if (!response.ok) {
      throw new ApiError(502, 'upstream_error', `The simulator answered ${response.status} to ${path}.`);
    }
    return response.status === 204 ? null : ((await response.json()) as unknown);
  };

  const join = async (meetingId: string, name: string): Promise<Participant> => {
    const body = (await sim(`/meetings/${meetingId}/participants`, { method: 'POST', body: { name } })) as {
      participantId: string;
    };
    const participant = { id: body.participantId, name };
    rooms.get(meetingId)?.push(participant);
    return participant;
  };

  /** The meeting's participants, filling the room on first sight. */
  const room = async (meetingId: string): Promise<Participant[]> => {
    let participants = rooms.get(meetingId);
    if (!participants) {
      rooms.set(meetingId, (participants = []));
      for (const name of FIRST_PARTICIPANTS) await join(meetingId, name);
    }
    return participants;
  };

  const app = new Hono().basePath('/_demo');

  app.onError((error, c) => {
    const failure =
      error instanceof ApiError ? error : new ApiError(500, 'internal_error', 'The demo server failed.');
    if (!(error instanceof ApiError)) console.error(error);
    return c.json(failure.toBody(), failure.status as ContentfulStatusCode);
  });
  app.notFound((c) => c.json(new ApiError(404, 'not_found', 'No such demo route.').toBody(), 404));

  app.get('/config', (c) =>
    c.json({ limits: options.limits, defaultMeetingId: options.defaultMeetingId } satisfies DemoConfig),
  );

  app.get('/token', async (c) => {
    const meetingId = requireValidId(c.req.query('meeting'), 'meeting id');
    const role = c.req.query('role') ?? 'host';
    if (!isRole(role)) throw new ApiError(400, 'bad_request', 'The role must be "host" or "viewer".');
    await room(meetingId);
    const name = TOKEN_NAMES[role];
    const token = await createRecordingToken(
      { meetingId, role, sub: `demo-${role}`, name, ttlSeconds: TOKEN_TTL_SECONDS },
      options.tokenSecret,
    );
    c.header('Cache-Control', 'no-store');
    return c.json({ token, role, name } satisfies DemoToken);
  });

  app.get('/meetings/:meetingId/participants', async (c) => {
    const participants = await room(requireValidId(c.req.param('meetingId'), 'meeting id'));
    return c.json({ participants });
  });

  app.post('/meetings/:meetingId/participants', async (c) => {
    const meetingId = requireValidId(c.req.param('meetingId'), 'meeting id');
    const participants = await room(meetingId);
    if (participants.length >= MAX_PARTICIPANTS) {
      throw new ApiError(409, 'invalid_state', `The demo room holds at most ${MAX_PARTICIPANTS} people.`);
    }
    const name = MORE_PARTICIPANTS[joined++ % MORE_PARTICIPANTS.length]!;
    return c.json(await join(meetingId, name), 201);
  });

  app.delete('/meetings/:meetingId/participants/:participantId', async (c) => {
    const meetingId = requireValidId(c.req.param('meetingId'), 'meeting id');
    const participants = await room(meetingId);
    const index = participants.findIndex((p) => p.id === c.req.param('participantId'));
    if (index < 0) throw new ApiError(404, 'not_found', 'Nobody with that id is in the meeting.');
    await sim(`/meetings/${meetingId}/participants/${encodeURIComponent(participants[index]!.id)}`, {
      method: 'DELETE',
    });
    participants.splice(index, 1);
    return c.body(null, 204);
  });

  app.get('/outage', (c) => c.json({ active: outage }));

  app.post('/outage', async (c) => {
    await sim('/faults', { method: 'POST', body: OUTAGE_FAULT });
    outage = true;
    return c.json({ active: outage });
  });

  app.delete('/outage', async (c) => {
    await sim('/faults', { method: 'DELETE' });
    outage = false;
    return c.json({ active: outage });
  });

  return app;
}
