/**
 * What the instances of a proxy must agree on besides events and recordings: which webhook
 * deliveries were applied, who is starting a meeting's recording, who polls a meeting. One process
 * agrees with itself, so the in-memory parts are simple; the Redis ones (redis/coordination.ts) share
 * the answers between instances.
 */

/** Webhook delivery ids already applied (or being applied), so a delivery counts once. */
export interface Deliveries {
  /** True when the delivery is new (and now claimed), false when it was seen before. */
  claim(deliveryId: string): Promise<boolean>;
  /** Forgets a claim whose delivery could not be applied, so a redelivery is applied. */
  release(deliveryId: string): Promise<void>;
  /** A signed delivery arrived (at this instance). */
  noteVerified(): void;
  /** Epoch ms of the latest signed delivery at any instance (as last heard), 0 when none. */
  lastVerifiedAt(): number;
  /** The same, asked afresh of the other instances (a poll is decided on it). */
  readLastVerifiedAt(): Promise<number>;
}

/** Runs a meeting's recording start while no other instance runs one for that meeting. */
export interface StartLock {
  run<T>(meetingId: string, work: () => Promise<T>): Promise<T>;
  /** A recording of the meeting was first heard of; remembered while a start of the meeting runs. */
  noteAppeared(meetingId: string, recordingId: string): Promise<void>;
  /** The recordings first heard of since the meeting's running start began (e.g. by webhook). */
  appeared(meetingId: string): Promise<ReadonlySet<string>>;
}

/** Decides which instance polls a watched meeting: one at a time. */
export interface PollLease {
  /** This instance watches the meeting (and competes for its poll); returns the release. */
  watch(meetingId: string): () => void;
  /** Whether this instance is the one to poll the meeting now. */
  holds(meetingId: string): boolean;
}

/** The last word about a participant: present or not, as of `at` (epoch ms, the event's own time). */
export interface Peer {
  present: boolean;
  at: number;
  /** Heard of first after the room's baseline, yet in the room before it (so counted in it). */
  inBaseline: boolean;
}

/**
 * A room as the participant webhooks describe it. Deliveries arrive out of order, so every change
 * is weighed by the events' own times: a participant's `joinedAt` / `leftAt`, the session's `startedAt`.
 */
export interface Room {
  /** Start of the newest session heard of; participants last heard of before it are gone. */
  sessionStartedAt: number | null;
  peers: Map<string, Peer>;
  /** The upstream's own count (see room.ts) as of `at`: peers last heard of before it are in it. */
  baseline: { count: number; at: number } | null;
}

export function emptyRoom(): Room {
  return { sessionStartedAt: null, peers: new Map<string, Peer>(), baseline: null };
}

/** Every meeting's room; one change at a time per meeting, whichever instance makes it. */
export interface Rooms {
  /** Applies `change` to the meeting's room (an empty one when none is known) and returns its result. */
  update<T>(meetingId: string, change: (room: Room) => T): Promise<T>;
}

/**
 * A meeting's first page of recordings, loaded once for every instance that starts watching it
 * about the same time: one instance reads the upstream, the others take its page.
 */
export interface PageShare {
  /**
   * `load`s the page, or takes one another instance loaded. A taken page comes with the event id
   * (`mark()`, read before its load) after which the caller must replay the bus; null for its own.
   */
  first<P>(
    meetingId: string,
    load: () => Promise<P>,
    mark: () => Promise<number>,
  ): Promise<{ page: P; since: number | null }>;
}

/** Tokens revoked by their `jti`, each until it would have expired anyway. */
export interface Revocations {
  revoke(jti: string, untilMs: number): Promise<void>;
  /** Answered at once where the set is in this process. */
  isRevoked(jti: string): boolean | Promise<boolean>;
}

/**
 * A meeting's room read from the upstream once for every instance that starts watching it about the
 * same time: one instance reads it (and reconciles the shared room), the others take the room it left.
 */
export interface RoomReadShare {
  /** Runs `read` (true when its reading was applied), or waits out the one another instance runs or just ran. */
  once(meetingId: string, read: () => Promise<boolean>): Promise<void>;
}

/** Where the proxy keeps its state, for `/health` and the CLI. */
export interface StateBackend {
  kind: 'memory' | 'redis';
  /** False while the shared state cannot be reached. */
  reachable(): boolean;
  /** Shown at start-up, e.g. `redis redis://db:6379 (prefix drk:)`; never holds a password. */
  description: string;
}

export class MemoryDeliveries implements Deliveries {
  private readonly seen = new Set<string>();
  private verifiedAt = 0;

  constructor(private readonly max = 10_000) {}

  async claim(deliveryId: string): Promise<boolean> {
    if (this.seen.has(deliveryId)) return false;
    this.seen.add(deliveryId);
    if (this.seen.size > this.max) this.seen.delete(this.seen.values().next().value!);
    return true;
  }

  async release(deliveryId: string): Promise<void> {
    this.seen.delete(deliveryId);
  }

  noteVerified(): void {
    this.verifiedAt = Date.now();
  }

  lastVerifiedAt(): number {
    return this.verifiedAt;
  }

  async readLastVerifiedAt(): Promise<number> {
    return this.verifiedAt;
  }
}

/** Revoked ids in memory; a lapsed one is forgotten when met or when the set grows past `max`. */
export class MemoryRevocations implements Revocations {
  private readonly revoked = new Map<string, number>();

  constructor(private readonly max = 100_000) {}

  async revoke(jti: string, untilMs: number): Promise<void> {
    this.revoked.set(jti, untilMs);
    if (this.revoked.size <= this.max) return;
    const now = Date.now();
    for (const [id, until] of this.revoked) if (until <= now) this.revoked.delete(id);
  }

  isRevoked(jti: string): boolean {
    const until = this.revoked.get(jti);
    if (until === undefined) return false;
    if (until > Date.now()) return true;
    this.revoked.delete(jti);
    return false;
  }
}

/** Forgets the least recently changed rooms past `max`. */
export class MemoryRooms implements Rooms {
  private readonly rooms = new Map<string, Room>();

  constructor(private readonly max = 10_000) {}

  async update<T>(meetingId: string, change: (room: Room) => T): Promise<T> {
    const room = this.rooms.get(meetingId) ?? emptyRoom();
    const result = change(room);
    this.rooms.delete(meetingId);
    this.rooms.set(meetingId, room);
    if (this.rooms.size > this.max) this.rooms.delete(this.rooms.keys().next().value!);
    return result;
  }
}

/** One process: the service's own per-meeting queue already serializes starts. */
export class ProcessStartLock implements StartLock {
  private readonly starting = new Map<string, Set<string>>();

  async run<T>(meetingId: string, work: () => Promise<T>): Promise<T> {
    const appeared = new Set<string>();
    this.starting.set(meetingId, appeared);
    try {
      return await work();
    } finally {
      if (this.starting.get(meetingId) === appeared) this.starting.delete(meetingId);
    }
  }

  async noteAppeared(meetingId: string, recordingId: string): Promise<void> {
    this.starting.get(meetingId)?.add(recordingId);
  }

  async appeared(meetingId: string): Promise<ReadonlySet<string>> {
    return this.starting.get(meetingId) ?? new Set();
  }
}

/** One process: a meeting's watch already loads its page once. */
export const processPageShare: PageShare = {
  first: async (_meetingId, load) => ({ page: await load(), since: null }),
};

/** One process: a meeting's reads are already one at a time (room.ts). */
export const processRoomReadShare: RoomReadShare = {
  once: async (_meetingId, read) => {
    await read();
  },
};

/** One process: it always polls what it watches. */
export const processPollLease: PollLease = { watch: () => () => undefined, holds: () => true };

export const memoryBackend: StateBackend = { kind: 'memory', reachable: () => true, description: 'memory' };
