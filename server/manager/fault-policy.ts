// Pure decisions about control-loop faults: how a failure reads, what an
// object looks like with a loop's mark set or cleared (undefined when
// nothing changes, so the store is written only on a change), and where the
// docker CLI sees it.
//
// Where a fault shows:
// - the console reads `Faults` (services and nodes): the service page's
//   banner, the services list's marker;
// - a NEW or PENDING task the loop could not handle carries it as
//   `Status.Err`, which `docker service ps` prints in its ERROR column as it
//   does swarm's "no suitable node" (no agent owns such a task's status yet);
// - a fault of the service as a whole (the orchestrator could not reconcile
//   it, its update run failed) has no task to carry it: it becomes the
//   service's UpdateStatus, `paused` with a "fault: …" message. That is what
//   `docker service inspect --pretty` shows under UpdateStatus, and what ends
//   the wait of `docker service create/update` with "service update paused:
//   fault: …" instead of a wait that never converges. An update already
//   paused by its failure action keeps its own reason; the fault's status is
//   removed when the fault clears. (`docker service inspect` prints the CLI's
//   own struct, which has no room for `Faults`; the Engine API's JSON has it.)

import { FAULT_STATUS_PREFIX, isFaultStatus } from '../api/types';
import type { ControlFault, ControlLoop, Service, Task, UpdateStatus } from '../api/types';

// the marker of a fault's UpdateStatus lives with the types: the console reads it too
export { FAULT_STATUS_PREFIX, isFaultStatus };

/** A fault's text is cut here: marks are written to the log and shown in one line. */
export const MAX_FAULT_CHARS = 300;
/** Loops whose fault concerns the whole service (no task carries it). */
const SERVICE_WIDE: ReadonlySet<ControlLoop> = new Set(['orchestrator', 'updater']);

/** A thrown value as one bounded line (never throws). */
export function faultMessage(err: unknown): string {
  let text: string;
  try {
    text = err instanceof Error ? err.message || err.name : String(err);
  } catch {
    text = 'unprintable error';
  }
  text = text.replace(/\s+/g, ' ').trim() || 'unknown error';
  return text.length > MAX_FAULT_CHARS ? `${text.slice(0, MAX_FAULT_CHARS - 1)}…` : text;
}

type Faulty = { Faults?: ControlFault[] };

/** `o` with `loop`'s mark set to `message`, or undefined when it already says so. */
export function withFault<T extends Faulty>(o: T, loop: ControlLoop, message: string, now: string): T | undefined {
  const cur = o.Faults?.find((f) => f.Loop === loop);
  if (cur?.Message === message) return undefined;
  const others = (o.Faults ?? []).filter((f) => f.Loop !== loop);
  const Faults = [...others, { Loop: loop, Message: message, Since: now }].sort((a, b) => a.Loop.localeCompare(b.Loop));
  return { ...o, Faults };
}

/** `o` without `loop`'s mark, or undefined when it has none. */
export function withoutFault<T extends Faulty>(o: T, loop: ControlLoop): T | undefined {
  if (!o.Faults?.some((f) => f.Loop === loop)) return undefined;
  const Faults = o.Faults.filter((f) => f.Loop !== loop);
  const { Faults: _drop, ...rest } = o;
  return (Faults.length ? { ...rest, Faults } : rest) as T;
}

export function hasFault(o: Faulty, loop?: ControlLoop): boolean {
  return !!o.Faults?.some((f) => loop === undefined || f.Loop === loop);
}

/** The service with its UpdateStatus telling the CLI about a service-wide fault (or no longer). */
function projectStatus(s: Service): Service {
  const wide = s.Faults?.find((f) => SERVICE_WIDE.has(f.Loop));
  const st = s.UpdateStatus;
  if (!wide) {
    if (!isFaultStatus(st)) return s;
    const { UpdateStatus: _drop, ...rest } = s;
    return rest;
  }
  // an update paused by its own failure action already tells the CLI it stopped, and why
  if (st && !isFaultStatus(st) && (st.State === 'paused' || st.State === 'rollback_paused')) return s;
  const rollingBack = st?.State === 'rollback_started' || st?.State === 'rollback_paused';
  const next: UpdateStatus = {
    State: rollingBack ? 'rollback_paused' : 'paused',
    ...(st?.StartedAt && (st.State === 'updating' || rollingBack) ? { StartedAt: st.StartedAt } : {}),
    Message: `${FAULT_STATUS_PREFIX}${wide.Loop}: ${wide.Message}`,
  };
  if (st?.State === next.State && st.Message === next.Message) return s;
  return { ...s, UpdateStatus: next };
}

/** The service with `loop`'s mark (and what the CLI sees of it), or undefined when nothing changes. */
export function serviceWithFault(s: Service, loop: ControlLoop, message: string, now: string): Service | undefined {
  const marked = withFault(s, loop, message, now) ?? s;
  const next = projectStatus(marked);
  return next === s ? undefined : next;
}

/** The service without `loop`'s mark, or undefined when nothing changes. */
export function serviceWithoutFault(s: Service, loop: ControlLoop): Service | undefined {
  const cleared = withoutFault(s, loop);
  if (!cleared) return undefined;
  return projectStatus(cleared);
}

/**
 * A NEW or PENDING task that a loop could not handle, with the fault as its
 * Status.Err (what `docker service ps` shows); undefined when it says so
 * already, or when the task is past PENDING (its status is the agent's).
 */
export function taskWithError(t: Task, loop: ControlLoop, message: string, now: string): Task | undefined {
  if (t.Status.State !== 'new' && t.Status.State !== 'pending') return undefined;
  const err = `${loop}: ${message}`;
  if (t.Status.Err === err) return undefined;
  const { Scheduling: _explain, ...rest } = t;
  return { ...rest, Status: { ...t.Status, Err: err, Timestamp: now } };
}
