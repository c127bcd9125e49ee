import type { RaftEvent } from '../api/raft-view';
import type { RaftFrame } from '../api/realtime';
import type { RaftViewSource } from '../manager/raft-view-source';
import type { Clock } from '../util/clock';

/** The whole Raft panel state: what a client gets with its snapshot, resume, and from /api/state. */
export function fullRaftFrame(source: RaftViewSource): RaftFrame {
  return { view: source.view(), events: source.events() };
}

// The ring is bounded, so its length alone cannot tell a new event: the newest one does.
const eventsKey = (events: readonly RaftEvent[]): string => `${events.length}:${JSON.stringify(events.at(-1) ?? null)}`;

/**
 * Pushes the raft view to every client when it changes, at most once per
 * `intervalMs` (bursts coalesce into the latest view), with the events only
 * when they changed.
 */
export class RaftBroadcaster {
  private cancel: (() => void) | undefined;
  private lastSent = -Infinity;
  private lastEvents: string;
  private readonly unsubscribe: () => void;

  constructor(
    private readonly source: RaftViewSource,
    private readonly clock: Clock,
    private readonly send: (frame: RaftFrame) => void,
    private readonly intervalMs = 50,
  ) {
    this.lastEvents = eventsKey(source.events());
    this.unsubscribe = source.onChange(() => this.changed());
  }

  private changed(): void {
    if (this.cancel) return;
    const wait = this.lastSent + this.intervalMs - this.clock.now();
    if (wait <= 0) this.flush();
    else this.cancel = this.clock.setTimeout(() => this.flush(), wait);
  }

  flush(): void {
    this.cancel?.();
    this.cancel = undefined;
    const events = this.source.events();
    const key = eventsKey(events);
    const frame: RaftFrame = { view: this.source.view() };
    if (key !== this.lastEvents) frame.events = events;
    this.lastEvents = key;
    this.lastSent = this.clock.now();
    this.send(frame);
  }

  close(): void {
    this.cancel?.();
    this.cancel = undefined;
    this.unsubscribe();
  }
}
