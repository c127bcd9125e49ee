// The cluster's event log: the newest events of every applied entry, kept in
// the store's state (so it is rebuilt from the raft log like the tables) and
// in its snapshots (so it survives compaction and reaches a new member).

import { eventMillis, type ClusterEvent, type LoggedEvent } from '../api/events';
import { isPlainObject } from './shape';

/**
 * How many events the log keeps, cluster-wide: the newest this many object
 * events (service, node, network, secret, config, cluster) and, apart, task
 * events, so a busy rollout's task churn never pushes a service's own history
 * out. dockerd keeps 256 in memory.
 */
export const EVENT_LOG_LIMIT = 1000;
export const TASK_EVENT_LOG_LIMIT = 1000;

/** What a snapshot holds of the log: both parts, oldest first. */
export interface EventLogImage {
  objects: LoggedEvent[];
  tasks: LoggedEvent[];
}

const TYPES: ReadonlySet<string> = new Set(['service', 'node', 'network', 'secret', 'config', 'task', 'cluster']);
const ACTIONS: ReadonlySet<string> = new Set(['create', 'update', 'remove']);
const isCount = (v: unknown): v is number => typeof v === 'number' && Number.isSafeInteger(v) && v >= 0;

/** A logged event as a snapshot must hold it; anything else is left out on restore. */
function soundLoggedEvent(v: unknown): v is LoggedEvent {
  if (!isPlainObject(v) || !isCount(v.index) || !isCount(v.seq) || !isPlainObject(v.event)) return false;
  const e = v.event;
  if (typeof e.Type !== 'string' || !TYPES.has(e.Type) || typeof e.Action !== 'string' || !ACTIONS.has(e.Action))
    return false;
  if (!isPlainObject(e.Actor) || typeof e.Actor.ID !== 'string' || !isPlainObject(e.Actor.Attributes)) return false;
  if (!Object.values(e.Actor.Attributes).every((a) => typeof a === 'string')) return false;
  // timeNano is past 2^53: a whole number of milliseconds in nanoseconds, exact enough to compare
  return (
    e.scope === 'swarm' &&
    isCount(e.time) &&
    typeof e.timeNano === 'number' &&
    Number.isInteger(e.timeNano) &&
    e.timeNano >= 0
  );
}

/** A bounded list, oldest first, dropping from the front. */
class Ring {
  items: LoggedEvent[] = [];
  constructor(private readonly limit: number) {}
  push(e: LoggedEvent): void {
    this.items.push(e);
    // drop in chunks: a shift per event would copy the whole list every time
    if (this.items.length > this.limit + 64) this.items.splice(0, this.items.length - this.limit);
  }
  /** The newest `limit` entries. */
  kept(): LoggedEvent[] {
    return this.items.length > this.limit ? this.items.slice(-this.limit) : this.items;
  }
}

const byPlace = (a: LoggedEvent, b: LoggedEvent) => a.index - b.index || a.seq - b.seq;

export class EventLog {
  private objects: Ring;
  private tasks: Ring;

  constructor(private readonly limits = { objects: EVENT_LOG_LIMIT, tasks: TASK_EVENT_LOG_LIMIT }) {
    this.objects = new Ring(limits.objects);
    this.tasks = new Ring(limits.tasks);
  }

  /** Record one entry's events (already in order). */
  append(index: number, events: readonly ClusterEvent[]): LoggedEvent[] {
    const logged = events.map((event, seq) => ({ index, seq, event }));
    for (const l of logged) (l.event.Type === 'task' ? this.tasks : this.objects).push(l);
    return logged;
  }

  /** The kept events, oldest first, that pass `include`. */
  list(include: (e: ClusterEvent) => boolean = () => true): LoggedEvent[] {
    const out = [...this.objects.kept(), ...this.tasks.kept()].filter((l) => include(l.event));
    return out.sort(byPlace);
  }

  /** The time of the newest event (ms), for an entry that carries no time of its own. */
  lastTimeMs(): number {
    const a = this.objects.items.at(-1);
    const b = this.tasks.items.at(-1);
    const last = !a ? b : !b ? a : byPlace(a, b) > 0 ? a : b;
    return last ? eventMillis(last.event) : 0;
  }

  image(): EventLogImage {
    return { objects: [...this.objects.kept()], tasks: [...this.tasks.kept()] };
  }

  /** Replace the log with a snapshot's (absent or unsound parts: empty); returns how many events were left out. */
  restore(img: unknown): number {
    this.objects = new Ring(this.limits.objects);
    this.tasks = new Ring(this.limits.tasks);
    if (!isPlainObject(img)) return 0;
    let skipped = 0;
    for (const [part, ring] of [
      [img.objects, this.objects],
      [img.tasks, this.tasks],
    ] as const) {
      if (!Array.isArray(part)) continue;
      for (const l of part as unknown[]) {
        if (soundLoggedEvent(l)) ring.push(l);
        else skipped++;
      }
    }
    return skipped;
  }
}
