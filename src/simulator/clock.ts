/**
 * The simulator's clock. Under `speed` N the simulated world runs N× faster than real time from the
 * moment the clock starts: `now()` (epoch milliseconds of the simulated world) and every scheduled task
 * move together, so timestamps stay consistent with durations.
 *
 * Tasks are stamped with the simulated time they were due, not the (slightly later) moment a real timer
 * fired: at high speeds a millisecond of timer jitter is seconds of simulated time. `runDue()` runs every
 * overdue task in time order; the server calls it before handling a request, so a request never sees a
 * world in which an overdue event (an auto-stop, say) has not happened yet.
 */

export type Task = (dueAt: number) => void;

interface Scheduled {
  id: number;
  dueAt: number;
  task: Task;
}

export class SimClock {
  private readonly realStart: number;
  private readonly tasks: Scheduled[] = [];
  private nextId = 1;
  private timer: ReturnType<typeof setTimeout> | undefined;
  private closed = false;

  constructor(
    readonly speed = 1,
    private readonly realNow: () => number = Date.now,
  ) {
    if (!(speed > 0) || !Number.isFinite(speed)) throw new RangeError(`speed must be > 0, got ${speed}`);
    this.realStart = realNow();
  }

  /** Simulated epoch milliseconds. */
  now(): number {
    return Math.floor(this.realStart + (this.realNow() - this.realStart) * this.speed);
  }

  /** Real milliseconds that `simMs` of simulated time take. */
  toRealMs(simMs: number): number {
    return simMs / this.speed;
  }

  /** Runs `task` once simulated time reaches `dueAt`. Returns an id for `cancel`. */
  at(dueAt: number, task: Task): number {
    const id = this.nextId++;
    if (this.closed) return id;
    const index = this.tasks.findIndex((entry) => entry.dueAt > dueAt);
    this.tasks.splice(index === -1 ? this.tasks.length : index, 0, { id, dueAt, task });
    this.arm();
    return id;
  }

  after(simMs: number, task: Task): number {
    return this.at(this.now() + Math.max(0, simMs), task);
  }

  cancel(id: number | undefined): void {
    if (id === undefined) return;
    const index = this.tasks.findIndex((entry) => entry.id === id);
    if (index !== -1) this.tasks.splice(index, 1);
  }

  /** Runs every task due by now, earliest first (including tasks those tasks schedule, if due). */
  runDue(): void {
    const now = this.now();
    while (!this.closed && this.tasks.length > 0 && this.tasks[0]!.dueAt <= now) {
      const { dueAt, task } = this.tasks.shift()!;
      task(dueAt);
    }
    this.arm();
  }

  /** Drops every pending task and timer; nothing runs afterwards. */
  close(): void {
    this.closed = true;
    this.tasks.length = 0;
    clearTimeout(this.timer);
    this.timer = undefined;
  }

  private arm(): void {
    clearTimeout(this.timer);
    this.timer = undefined;
    const next = this.tasks[0];
    if (this.closed || !next) return;
    // setTimeout's ceiling is about 24.8 days; a later task just re-arms when this one fires.
    const delay = Math.min(Math.max(0, this.toRealMs(next.dueAt - this.now())), 2 ** 31 - 1);
    this.timer = setTimeout(() => this.runDue(), Math.ceil(delay));
  }
}
