// Cluster events as the Engine API's `GET /events` carries them (moby
// api/types/events.Message, field order included), and the filter dockerd
// applies to them (daemon/events/filter.go). Plain data and pure functions:
// the store derives and keeps them, the Engine API and the console read them.

/** The object kinds dockerd reports in swarm mode (daemon/cluster/noderunner.go watches these). */
export const DOCKER_EVENT_TYPES = ['service', 'node', 'network', 'secret', 'config'] as const;
/** Kept in the log as well, shown only to a `type=task` / `type=cluster` filter: dockerd has no such events. */
export const EXTRA_EVENT_TYPES = ['task', 'cluster'] as const;

export type ClusterEventType = (typeof DOCKER_EVENT_TYPES)[number] | (typeof EXTRA_EVENT_TYPES)[number];
export type ClusterEventAction = 'create' | 'update' | 'remove';

export interface ClusterEvent {
  Type: ClusterEventType;
  Action: ClusterEventAction;
  Actor: { ID: string; Attributes: Record<string, string> };
  scope: 'swarm';
  /** Unix seconds. */
  time: number;
  /** Unix nanoseconds (a whole number of milliseconds: the proposal's clock). */
  timeNano: number;
}

/**
 * The event's time in whole milliseconds. timeNano is past 2^53, so `timeNano / 1e6` can land just
 * below the whole millisecond (…345.9999) and `new Date()` would truncate it to the one before.
 */
export const eventMillis = (e: Pick<ClusterEvent, 'timeNano'>): number => Math.round(e.timeNano / 1e6);

/** An event with its place in the log: the raft index of the entry that made it and its position there. */
export interface LoggedEvent {
  index: number;
  seq: number;
  event: ClusterEvent;
}

/** Engine API filters: key → accepted values (dockerd's filters.Args). */
export type EventFilters = Record<string, readonly string[]>;

const exact = (f: EventFilters, key: string, v: string): boolean => {
  const vals = f[key];
  return !vals || vals.length === 0 || vals.includes(v);
};
const fuzzy = (f: EventFilters, key: string, v: string): boolean =>
  exact(f, key, v) || (f[key] ?? []).some((p) => v.startsWith(p));

/**
 * dockerd's Filter.Include for the events it makes in swarm mode: `type`,
 * `event` and `scope` match exactly; `service`, `node`, `network`, `secret`
 * and `config` match the actor's ID or name by prefix (for any event type, as
 * dockerd does); `label=k` / `label=k=v` match the actor's attributes. Keys
 * dockerd does not know are ignored, as it ignores them. Our `task` and
 * `cluster` events stay out unless a `type` filter names them.
 */
export function eventMatches(f: EventFilters, ev: ClusterEvent): boolean {
  if ((ev.Type === 'task' || ev.Type === 'cluster') && !(f.type ?? []).includes(ev.Type)) return false;
  if (!exact(f, 'type', ev.Type) || !exact(f, 'event', ev.Action)) return false;
  if (f.scope && f.scope.length > 0 && !f.scope.includes(ev.scope)) return false;
  const name = ev.Actor.Attributes.name ?? '';
  for (const key of ['service', 'node', 'network', 'secret', 'config', 'container', 'plugin', 'volume', 'daemon']) {
    if (!fuzzy(f, key, ev.Actor.ID) && !fuzzy(f, key, name)) return false;
  }
  // an image filter matches the `image` attribute (none of ours carries one): dockerd's matchImage
  if (f.image && f.image.length > 0 && !f.image.includes(ev.Actor.ID)) return false;
  const labels = f.label ?? [];
  if (labels.length > 0) {
    const attrs = ev.Actor.Attributes;
    for (const l of labels) {
      const eq = l.indexOf('=');
      const k = eq < 0 ? l : l.slice(0, eq);
      if (!Object.prototype.hasOwnProperty.call(attrs, k)) return false;
      if (eq >= 0 && attrs[k] !== l.slice(eq + 1)) return false;
    }
  }
  return true;
}

/** Whose timeline an event belongs on in the console: the object's own events and its tasks'. */
export interface EventSubject {
  kind: 'service' | 'node';
  id: string;
}

export function eventConcerns(subject: EventSubject, ev: ClusterEvent): boolean {
  if (ev.Type === subject.kind) return ev.Actor.ID === subject.id;
  if (ev.Type !== 'task') return false;
  const key = subject.kind === 'service' ? 'com.docker.swarm.service.id' : 'com.docker.swarm.node.id';
  return ev.Actor.Attributes[key] === subject.id;
}

/** How many events a console timeline gets at most (the newest). */
export const TIMELINE_EVENTS = 100;

/** GET /api/events?service=ID or ?node=ID: the subject's newest events, oldest first. */
export interface ObjectEventsBody {
  subject: EventSubject;
  events: LoggedEvent[];
}

/** GET /api/events?recent=N: the cluster's newest N notable events (N ≤ TIMELINE_EVENTS), oldest first. */
export interface RecentEventsBody {
  events: LoggedEvent[];
}

/**
 * What a timeline (and the wall's ticker) shows by default: every event of a
 * service, node or other object, and of tasks only their start, end and
 * failures (a rollout moves each task through seven states).
 */
export function notableEvent(e: ClusterEvent): boolean {
  if (e.Type !== 'task') return true;
  if (e.Action !== 'update') return true;
  const st = e.Actor.Attributes['state.new'];
  return ['running', 'complete', 'shutdown', 'failed', 'rejected', 'orphaned'].includes(st ?? '');
}
