/** The Redis parts of a proxy that runs as several instances: bus, store and their agreements. */
import type { EventBus } from '../bus.ts';
import type {
  Deliveries,
  PageShare,
  PollLease,
  Revocations,
  RoomReadShare,
  Rooms,
  StartLock,
} from '../coordination.ts';
import type { Counters } from '../limits.ts';
import type { RecordingStore } from '../store.ts';
import { RedisEventBus } from './bus.ts';
import { RedisConnection } from './connection.ts';
import type { RedisOptions } from './connection.ts';
import {
  RedisCounters,
  RedisDeliveries,
  RedisPageShare,
  RedisPollLease,
  RedisRevocations,
  RedisRoomReadShare,
  RedisRooms,
  RedisStartLock,
} from './coordination.ts';
import { RedisRecordingStore } from './store.ts';

export type { RedisOptions } from './connection.ts';

export interface SharedState {
  connection: RedisConnection;
  bus: EventBus;
  store: RecordingStore;
  deliveries: Deliveries;
  rooms: Rooms;
  roomReads: RoomReadShare;
  startLock: StartLock;
  lease: PollLease;
  pages: PageShare;
  counters: Counters;
  revocations: Revocations;
}

export function redisState(options: RedisOptions, log: (line: string) => void): SharedState {
  const connection = new RedisConnection(options, log);
  return {
    connection,
    bus: new RedisEventBus(connection),
    store: new RedisRecordingStore(connection),
    deliveries: new RedisDeliveries(connection),
    rooms: new RedisRooms(connection),
    roomReads: new RedisRoomReadShare(connection),
    startLock: new RedisStartLock(connection),
    lease: new RedisPollLease(connection),
    pages: new RedisPageShare(connection),
    counters: new RedisCounters(connection),
    revocations: new RedisRevocations(connection),
  };
}
