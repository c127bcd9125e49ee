import type { Change } from '../store/batch';
import { isAuthKind, type Kind, type ObjectByKind, type ServiceVersion } from '../api/types';
import type { ChangesFrame, WireChange } from '../api/realtime';
import type { Clock } from '../util/clock';

/** Turn an applied entry's changes into wire changes (deletes carry only the ID). */
export function toWireChanges(
  changes: readonly Change[],
  prepare: <K extends Kind>(kind: K, obj: ObjectByKind[K]) => ObjectByKind[K] = (_k, o) => o,
): WireChange[] {
  // accounts, sessions and share links never leave the store this way
  return changes.flatMap((c): WireChange | [] => {
    if (isAuthKind(c.kind)) return [];
    // spec history is fetched over HTTP: the socket only says which service's history changed
    if (c.kind === 'serviceVersion') {
      const v = c.object as ServiceVersion;
      const object = { ID: v.ID, ServiceID: v.ServiceID, SpecIndex: v.SpecIndex, Index: v.Version.Index };
      return { kind: 'serviceVersion', action: c.action, id: v.ID, object };
    }
    return c.action === 'delete'
      ? ({ kind: c.kind, action: 'delete', id: c.object.ID } as WireChange)
      : ({ kind: c.kind, action: c.action, id: c.object.ID, object: prepare(c.kind as Kind, c.object) } as WireChange);
  });
}

/**
 * What a client with this task scope is sent of `changes`: tasks of other services are left
 * out (a task's delete carries only its ID, so it always goes: a client drops an ID it lacks).
 * The same array when nothing is left out.
 */
export function scopeChanges(changes: WireChange[], inScope: (serviceID: string) => boolean): WireChange[] {
  const keep = (c: WireChange) => c.kind !== 'task' || c.action === 'delete' || inScope(c.object.ServiceID);
  return changes.every(keep) ? changes : changes.filter(keep);
}

interface Pending {
  /** Did the client have this object when the frame window opened? */
  existedBefore: boolean;
  last: WireChange;
}

/**
 * Collects changes for one client between flushes and collapses repeated
 * changes of one object to its net effect: a task that went
 * assigned→accepted→preparing→running in one window is sent once, as running.
 */
export class FrameBuffer {
  private pending = new Map<string, Pending>();
  private to: number;

  constructor(private from: number) {
    this.to = from;
  }

  get isEmpty(): boolean {
    return this.to === this.from;
  }

  /** Whether an object changed since the last take (entries that changed nothing in scope do not count). */
  get hasChanges(): boolean {
    return this.pending.size > 0;
  }

  /** How many objects changed since the last take (what the next frame will carry). */
  get size(): number {
    return this.pending.size;
  }

  add(index: number, changes: readonly WireChange[]): void {
    if (index <= this.to) return; // already covered (a resume overlapping the live feed)
    this.to = index;
    for (const c of changes) {
      const key = `${c.kind}/${c.id}`;
      const prev = this.pending.get(key);
      this.pending.set(key, { existedBefore: prev ? prev.existedBefore : c.action !== 'create', last: c });
    }
  }

  /** The net frame since the last take, or null if no entry was applied. */
  take(): ChangesFrame | null {
    if (this.isEmpty) return null;
    const changes: WireChange[] = [];
    for (const { existedBefore, last } of this.pending.values()) {
      if (last.action === 'delete') {
        if (existedBefore) changes.push(last);
      } else {
        changes.push({ ...last, action: existedBefore ? 'update' : 'create' } as WireChange);
      }
    }
    const frame: ChangesFrame = { from: this.from, to: this.to, changes };
    this.pending.clear();
    this.from = this.to;
    return frame;
  }
}

/**
 * The most changes a paced frame gathers before it goes out, early. A page parses a frame in one task: after
 * the manager paused (a collection, a long request), the entries it then applied in a burst went as one frame
 * of thousands of changes, and the wall parsed it in one long task. Split at entry boundaries, so frames
 * still chain; one entry that is larger on its own (a scale to 5,000) still goes whole.
 */
export const MAX_FRAME_CHANGES = 400;

/**
 * Paces one client's frames: at most one per `intervalMs` (50 ms → 20/s), or sooner once
 * `maxChanges` objects have changed (MAX_FRAME_CHANGES).
 * The first change after a quiet period goes out at once; changes arriving
 * within the interval wait for the next slot and are coalesced. While
 * `ready` says the client is behind, frames wait (coalescing) slot by slot.
 * Entries with nothing for this client send nothing: the next frame that has
 * something starts where the last one ended, so frames still chain (catchUp
 * sends them as an empty frame, once a beat).
 */
export class FramePacer {
  private buffer: FrameBuffer;
  private lastSent = -Infinity;
  private cancel: (() => void) | undefined;

  constructor(
    from: number,
    private readonly clock: Clock,
    private readonly send: (frame: ChangesFrame) => void,
    private readonly intervalMs = 50,
    private readonly ready: () => boolean = () => true,
    private readonly maxChanges = MAX_FRAME_CHANGES,
  ) {
    this.buffer = new FrameBuffer(from);
  }

  add(index: number, changes: readonly WireChange[]): void {
    this.buffer.add(index, changes);
    if (this.buffer.size >= this.maxChanges && this.ready()) {
      this.flush();
      return;
    }
    // entries with nothing in this client's scope wait for the next that has something: a /services
    // page sent a frame per entry of a 10,000-task convergence (twenty a second), each re-rendering it
    if (this.cancel || !this.buffer.hasChanges) return;
    const wait = this.lastSent + this.intervalMs - this.clock.now();
    if (wait <= 0) this.flush();
    else this.cancel = this.clock.setTimeout(() => this.flush(), wait);
  }

  flush(): void {
    this.cancel?.();
    this.cancel = undefined;
    if (!this.buffer.hasChanges) return;
    if (!this.ready()) {
      this.cancel = this.clock.setTimeout(() => this.flush(), this.intervalMs);
      return;
    }
    const frame = this.buffer.take();
    if (!frame) return;
    this.lastSent = this.clock.now();
    this.send(frame);
  }

  /**
   * Entries that changed nothing for this client still move its index, at the caller's pace (the gateway's
   * beat): a page that holds no tasks shows the log index it has seen, and resumes from it after a drop.
   */
  catchUp(): void {
    if (this.cancel || this.buffer.hasChanges || this.buffer.isEmpty || !this.ready()) return;
    const frame = this.buffer.take();
    if (frame) this.send(frame);
  }

  /** Forget what waits: the client is sent a snapshot as of `index` instead (a new task scope). */
  reset(index: number): void {
    this.cancel?.();
    this.cancel = undefined;
    this.buffer = new FrameBuffer(index);
  }

  close(): void {
    this.cancel?.();
    this.cancel = undefined;
  }
}

/**
 * The recent applied entries, bounded by entry count, by total changes and
 * by their size as JSON (large objects churning must not pin the memory),
 * so a reconnecting client can be sent only what it missed.
 */
export class EventRing {
  private events: { index: number; changes: WireChange[]; bytes: number }[] = [];
  private head = 0;
  private totalChanges = 0;
  private totalBytes = 0;
  /** Every entry after this index is in the ring (or changed nothing). */
  private coveredFrom: number;

  constructor(
    startIndex: number,
    private readonly maxEvents = 4096,
    private readonly maxChanges = 100_000,
    private readonly maxBytes = 32 * 1024 * 1024,
  ) {
    this.coveredFrom = startIndex;
  }

  push(index: number, changes: WireChange[]): void {
    const bytes = changes.length ? JSON.stringify(changes).length : 0;
    this.events.push({ index, changes, bytes });
    this.totalChanges += changes.length;
    this.totalBytes += bytes;
    while (
      this.size > this.maxEvents ||
      ((this.totalChanges > this.maxChanges || this.totalBytes > this.maxBytes) && this.size > 1)
    ) {
      const old = this.events[this.head++]!;
      this.totalChanges -= old.changes.length;
      this.totalBytes -= old.bytes;
      this.coveredFrom = old.index;
    }
    if (this.head > 1024 && this.head * 2 > this.events.length) {
      this.events = this.events.slice(this.head);
      this.head = 0;
    }
  }

  get size(): number {
    return this.events.length - this.head;
  }

  /**
   * The entries after `since`, or undefined when the ring cannot prove it
   * holds all of them (too old, or an index this store never reached, as
   * after a restart on a fresh data dir): then the client needs a snapshot.
   */
  since(since: number, currentIndex: number): { index: number; changes: WireChange[] }[] | undefined {
    if (!Number.isInteger(since) || since < this.coveredFrom || since > currentIndex) return undefined;
    const out: { index: number; changes: WireChange[] }[] = [];
    for (let i = this.events.length - 1; i >= this.head; i--) {
      const e = this.events[i]!;
      if (e.index <= since) break;
      out.push({ index: e.index, changes: e.changes });
    }
    return out.reverse();
  }
}
