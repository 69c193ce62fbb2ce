/**
 * Agreement between instances through Redis: webhook deliveries claimed with SET NX (kept a week),
 * each meeting's room (changed by compare-and-set),
 * a per-meeting start lock (SET NX PX with an owner token, released only by its owner), per-meeting
 * claims of the first page and the room read at watch start (the same, renewed while the read goes
 * on), and a per-meeting poll lease that its holder renews and any other watching instance takes once
 * it lapses.
 */
import { setTimeout as sleep } from 'node:timers/promises';
import { emptyRoom } from '../coordination.ts';
import type {
  Deliveries,
  PageShare,
  Peer,
  PollLease,
  Revocations,
  Room,
  RoomReadShare,
  Rooms,
  StartLock,
} from '../coordination.ts';
import type { Counters } from '../limits.ts';
import type { RedisConnection } from './connection.ts';

/** A redelivery later than this (or the retention, if shorter) is applied again (Dyte retries for hours, not weeks). */
const DELIVERY_TTL_SECONDS = 7 * 86_400;
/** Longer than any start takes (the upstream call times out well before). */
const START_LOCK_MS = 20_000;
const START_LOCK_WAIT_STEP_MS = 50;
/** A shared first page is taken for this long (the bus replay since it keeps it current). */
const PAGE_MS = 30_000;
/** A room read at watch start stands in for the watch starts of other instances this long after it. */
const ROOM_READ_MS = 2000;

/**
 * The claim of a shared read (the first page, the room) lapses this long after its holder last
 * renewed it: the holder renews it while it reads, however slow the upstream, so the others wait for
 * a live holder and take over from one that died.
 */
const CLAIM_MS = 3000;
/** Past this a waiting instance reads itself whatever the claim says: longer than any upstream read. */
const CLAIM_WAIT_MAX_MS = 30_000;
const CLAIM_WAIT_STEP_MS = 25;

/** How stale this instance's word on the latest signed delivery (anywhere) may be. */
const VERIFIED_SHARE_MS = 1000;

/** KEYS: the lock or lease. ARGV: owner. Deletes it when the owner still holds it. */
const RELEASE = `
if redis.call('GET', KEYS[1]) == ARGV[1] then return redis.call('DEL', KEYS[1]) end
return 0
`;

/** KEYS: the lock, its set of appeared recordings. ARGV: owner. Releases both when the owner holds the lock. */
const UNLOCK = `
if redis.call('GET', KEYS[1]) == ARGV[1] then
  redis.call('DEL', KEYS[2])
  return redis.call('DEL', KEYS[1])
end
return 0
`;

/** KEYS: the lock, its set. ARGV: recording id, ms. Notes the recording while a start holds the lock. */
const APPEARED = `
if redis.call('EXISTS', KEYS[1]) == 0 then return 0 end
redis.call('SADD', KEYS[2], ARGV[1])
redis.call('PEXPIRE', KEYS[2], ARGV[2])
return 1
`;

/** KEYS: the claim. ARGV: owner, ms. Extends the claim while the owner holds it. */
const RENEW = `
if redis.call('GET', KEYS[1]) == ARGV[1] then return redis.call('PEXPIRE', KEYS[1], ARGV[2]) end
return 0
`;

/** KEYS: the claim. ARGV: owner, ms. Marks the owner's claim done, kept for ms. */
const DONE = `
if redis.call('GET', KEYS[1]) == ARGV[1] then return redis.call('SET', KEYS[1], 'done', 'PX', ARGV[2]) end
return 0
`;

/** KEYS: the lease. ARGV: owner, ms. Renews it for its holder or takes it when free; 1 when held. */
const HOLD = `
if redis.call('GET', KEYS[1]) == ARGV[1] then
  redis.call('PEXPIRE', KEYS[1], ARGV[2])
  return 1
end
if redis.call('SET', KEYS[1], ARGV[1], 'NX', 'PX', ARGV[2]) then return 1 end
return 0
`;

/** KEYS: the counter. ARGV: window ms. Counts a hit; answers the count and the window's ms left. */
const HIT = `
local count = redis.call('INCR', KEYS[1])
local left = redis.call('PTTL', KEYS[1])
if left < 0 then
  redis.call('PEXPIRE', KEYS[1], ARGV[1])
  left = tonumber(ARGV[1])
end
return {count, left}
`;

/** Rate-limit windows every instance counts in. */
export class RedisCounters implements Counters {
  constructor(private readonly redis: RedisConnection) {}

  async hit(key: string, windowMs: number): Promise<{ count: number; resetInMs: number }> {
    const [count, left] = (await this.redis.run((client) =>
      client.eval(HIT, 1, this.redis.key(`rate:${key}`), windowMs),
    )) as [number, number];
    return { count, resetInMs: left };
  }
}

/** Revoked token ids every instance refuses, each kept until the token would have expired. */
export class RedisRevocations implements Revocations {
  constructor(private readonly redis: RedisConnection) {}

  async revoke(jti: string, untilMs: number): Promise<void> {
    const ms = Math.max(1, Math.min(Math.round(untilMs - Date.now()), this.redis.retentionSeconds * 1000));
    await this.redis.run((client) => client.set(this.key(jti), '1', 'PX', ms));
  }

  async isRevoked(jti: string): Promise<boolean> {
    return (await this.redis.run((client) => client.exists(this.key(jti)))) === 1;
  }

  private key(jti: string): string {
    return this.redis.key(`revoked:${jti}`);
  }
}

/**
 * Also shares when a signed delivery last arrived, so that an instance the webhooks do not reach
 * still knows they flow (and leaves the meeting's poll paused); shared at most once a second.
 */
export class RedisDeliveries implements Deliveries {
  private localAt = 0;
  private sharedAt = 0;
  private readAt = 0;

  constructor(private readonly redis: RedisConnection) {}

  noteVerified(): void {
    const now = Date.now();
    this.localAt = now;
    if (now - this.sharedAt < VERIFIED_SHARE_MS) return;
    this.sharedAt = now;
    this.redis
      .run((client) => client.set(this.redis.key('webhook-verified-at'), String(now), 'EX', 86_400))
      .catch(() => undefined);
  }

  /** Answers at once; the word from the others is asked again, for later, once it is a second old. */
  lastVerifiedAt(): number {
    if (Date.now() - this.readAt >= VERIFIED_SHARE_MS) this.readLastVerifiedAt().catch(() => undefined);
    return this.localAt;
  }

  async readLastVerifiedAt(): Promise<number> {
    this.readAt = Date.now();
    const at = await this.redis.run((client) => client.get(this.redis.key('webhook-verified-at')));
    this.localAt = Math.max(this.localAt, Number(at ?? 0));
    return this.localAt;
  }

  async claim(deliveryId: string): Promise<boolean> {
    const set = await this.redis.run((client) =>
      client.set(
        this.key(deliveryId),
        '1',
        'EX',
        Math.min(DELIVERY_TTL_SECONDS, this.redis.retentionSeconds),
        'NX',
      ),
    );
    return set === 'OK';
  }

  async release(deliveryId: string): Promise<void> {
    await this.redis.run((client) => client.del(this.key(deliveryId)));
  }

  private key(deliveryId: string): string {
    return this.redis.key(`webhook:${deliveryId}`);
  }
}

export class RedisRooms implements Rooms {
  constructor(private readonly redis: RedisConnection) {}

  update<T>(meetingId: string, change: (room: Room) => T): Promise<T> {
    return this.redis.update(this.redis.meetingKey(meetingId, 'room'), {
      decode: (data): Room => {
        if (data === null) return emptyRoom();
        const kept = JSON.parse(data) as Omit<Room, 'peers'> & { peers: [string, Peer][] };
        return { ...emptyRoom(), ...kept, peers: new Map(kept.peers) };
      },
      change,
      encode: (room) => JSON.stringify({ ...room, peers: [...room.peers] }),
    });
  }
}

export class RedisStartLock implements StartLock {
  constructor(private readonly redis: RedisConnection) {}

  async run<T>(meetingId: string, work: () => Promise<T>): Promise<T> {
    const key = this.lockKey(meetingId);
    const owner = crypto.randomUUID();
    const deadline = Date.now() + START_LOCK_MS;
    // Another instance starting this meeting's recording holds it: wait, then meet its recording.
    while (
      (await this.redis.run((client) => client.set(key, owner, 'PX', START_LOCK_MS, 'NX'))) !== 'OK' &&
      Date.now() < deadline
    ) {
      await sleep(START_LOCK_WAIT_STEP_MS);
    }
    try {
      await this.redis.run((client) => client.del(this.appearedKey(meetingId)));
      return await work();
    } finally {
      await this.redis
        .run((client) => client.eval(UNLOCK, 2, key, this.appearedKey(meetingId), owner))
        .catch(() => undefined);
    }
  }

  async noteAppeared(meetingId: string, recordingId: string): Promise<void> {
    await this.redis.run((client) =>
      client.eval(
        APPEARED,
        2,
        this.lockKey(meetingId),
        this.appearedKey(meetingId),
        recordingId,
        START_LOCK_MS,
      ),
    );
  }

  async appeared(meetingId: string): Promise<ReadonlySet<string>> {
    return new Set(await this.redis.run((client) => client.smembers(this.appearedKey(meetingId))));
  }

  private lockKey(meetingId: string): string {
    return this.redis.meetingKey(meetingId, 'start-lock');
  }

  private appearedKey(meetingId: string): string {
    return this.redis.meetingKey(meetingId, 'start-appeared');
  }
}

export class RedisPageShare implements PageShare {
  constructor(private readonly redis: RedisConnection) {}

  async first<P>(
    meetingId: string,
    load: () => Promise<P>,
    mark: () => Promise<number>,
  ): Promise<{ page: P; since: number | null }> {
    const key = this.redis.meetingKey(meetingId, 'page');
    const lock = this.redis.meetingKey(meetingId, 'page-lock');
    const owner = crypto.randomUUID();
    const deadline = Date.now() + CLAIM_WAIT_MAX_MS;
    for (;;) {
      const kept = await this.redis.run((client) => client.get(key));
      if (kept !== null) {
        const { page, since } = JSON.parse(kept) as { page: P; since: number };
        return { page, since };
      }
      const leads = await this.redis.run((client) => client.set(lock, owner, 'PX', CLAIM_MS, 'NX'));
      if (leads === 'OK' || Date.now() > deadline) break;
      await sleep(CLAIM_WAIT_STEP_MS);
    }
    try {
      return await whileClaimed(this.redis, lock, owner, async () => {
        const since = await mark();
        const page = await load();
        await this.redis.run((client) => client.set(key, JSON.stringify({ page, since }), 'PX', PAGE_MS));
        return { page, since: null };
      });
    } finally {
      await this.redis.run((client) => client.eval(RELEASE, 1, lock, owner)).catch(() => undefined);
    }
  }
}

/**
 * The first instance to claim a meeting's room read makes it; the others wait while it lives until
 * the reading is applied to the shared room (then take that room), or read themselves when the
 * reader failed or died.
 */
export class RedisRoomReadShare implements RoomReadShare {
  constructor(private readonly redis: RedisConnection) {}

  async once(meetingId: string, read: () => Promise<boolean>): Promise<void> {
    const key = this.redis.meetingKey(meetingId, 'room-read');
    const owner = crypto.randomUUID();
    const deadline = Date.now() + CLAIM_WAIT_MAX_MS;
    for (;;) {
      const claimed = await this.redis.run((client) => client.set(key, owner, 'PX', CLAIM_MS, 'NX'));
      if (claimed === 'OK') break;
      if ((await this.redis.run((client) => client.get(key))) === 'done') return;
      if (Date.now() > deadline) {
        await read();
        return;
      }
      await sleep(CLAIM_WAIT_STEP_MS);
    }
    const applied = await whileClaimed(this.redis, key, owner, () => read().catch(() => false));
    await this.redis.run((client) =>
      applied ? client.eval(DONE, 1, key, owner, ROOM_READ_MS) : client.eval(RELEASE, 1, key, owner),
    );
  }
}

/** `work`, with the owner's claim renewed every third of its life until the work is done. */
async function whileClaimed<T>(
  redis: RedisConnection,
  key: string,
  owner: string,
  work: () => Promise<T>,
): Promise<T> {
  const renewal = setInterval(() => {
    redis.run((client) => client.eval(RENEW, 1, key, owner, CLAIM_MS)).catch(() => undefined);
  }, CLAIM_MS / 3);
  try {
    return await work();
  } finally {
    clearInterval(renewal);
  }
}

interface Lease {
  watchers: number;
  held: boolean;
  timer: ReturnType<typeof setInterval>;
}

export class RedisPollLease implements PollLease {
  private readonly owner = crypto.randomUUID();
  private readonly leases = new Map<string, Lease>();

  constructor(private readonly redis: RedisConnection) {}

  watch(meetingId: string): () => void {
    let lease = this.leases.get(meetingId);
    if (!lease) {
      const created: Lease = {
        watchers: 0,
        held: false,
        timer: setInterval(() => this.hold(meetingId, created), this.redis.pollLeaseMs / 3),
      };
      this.leases.set(meetingId, created);
      this.hold(meetingId, created);
      lease = created;
    }
    lease.watchers += 1;
    const watched = lease;
    let released = false;
    return () => {
      if (released) return;
      released = true;
      watched.watchers -= 1;
      if (watched.watchers > 0) return;
      clearInterval(watched.timer);
      this.leases.delete(meetingId);
      // Handed over at once rather than when it lapses.
      if (watched.held) {
        this.redis
          .run((client) => client.eval(RELEASE, 1, this.key(meetingId), this.owner))
          .catch(() => undefined);
      }
    };
  }

  holds(meetingId: string): boolean {
    return this.leases.get(meetingId)?.held ?? false;
  }

  private hold(meetingId: string, lease: Lease): void {
    this.redis
      .run((client) => client.eval(HOLD, 1, this.key(meetingId), this.owner, this.redis.pollLeaseMs))
      .then(
        (held) => {
          if (this.leases.get(meetingId) === lease) lease.held = held === 1;
        },
        () => {
          lease.held = false;
        },
      );
  }

  private key(meetingId: string): string {
    return this.redis.meetingKey(meetingId, 'poll-lease');
  }
}
