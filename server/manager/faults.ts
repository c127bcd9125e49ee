// The control loops' side of fault isolation: run one object's work as a
// savepoint of the pass's transaction, remember which objects of a service
// are failing, and write marks (through fault-policy.ts) only when they change.

import { SequenceConflict, SwarmError } from '../api/errors';
import type { ControlLoop, Task } from '../api/types';
import type { Tx } from '../store/tx';
import {
  faultMessage,
  serviceWithFault,
  serviceWithoutFault,
  taskWithError,
  withFault,
  withoutFault,
} from './fault-policy';

export type Isolated<T> = { ok: true; value: T } | { ok: false; message: string };

/**
 * One object's work inside a pass's transaction: if it throws, its writes are
 * undone and the fault comes back as text. A lost version race is not a fault
 * of the object: it re-runs the whole transaction, as before.
 */
export function isolate<T>(tx: Tx, fn: () => T): Isolated<T> {
  const r = tx.attempt(fn);
  if (r.ok) return r;
  if (!isObjectFault(r.error)) throw r.error;
  return { ok: false, message: faultMessage(r.error) };
}

/** Whether an error is the object's doing, not the store's (a lost race, a lost leadership, a stopped log). */
export function isObjectFault(err: unknown): boolean {
  return !(err instanceof SequenceConflict) && !(err instanceof SwarmError && err.code === 'Unavailable');
}

/** One object's work outside a transaction (a watcher, a timer, a pure decision). */
export function guard<T>(fn: () => T): Isolated<T> {
  try {
    return { ok: true, value: fn() };
  } catch (err) {
    return { ok: false, message: faultMessage(err) };
  }
}

/**
 * Which objects of each service a loop is failing on, oldest first. A
 * service's mark carries its oldest failing object's message (so a service
 * with several bad tasks is not rewritten back and forth) and is cleared
 * once none is failing. In memory: a new leader starts afresh and re-marks
 * what still fails.
 */
export class FaultTracker {
  private failing = new Map<string, Map<string, string>>();

  /** A failure of `key` (a task, a slot, the service itself); returns the message for the service's mark. */
  fail(serviceID: string, key: string, message: string): string {
    let m = this.failing.get(serviceID);
    if (!m) this.failing.set(serviceID, (m = new Map()));
    m.set(key, message); // an object failing anew keeps its place, with its latest reason
    return m.values().next().value!;
  }

  /** A success of `key`; true when nothing of the service is failing any more. */
  pass(serviceID: string, key: string): boolean {
    const m = this.failing.get(serviceID);
    if (!m) return true;
    m.delete(key);
    if (m.size > 0) return false;
    this.failing.delete(serviceID);
    return true;
  }

  forget(serviceID: string): void {
    this.failing.delete(serviceID);
  }
}

/** Set (`message`) or clear (undefined) `loop`'s mark on a service in `tx`, writing only on a change. */
export function markService(tx: Tx, serviceID: string, loop: ControlLoop, message: string | undefined): void {
  const cur = tx.get('service', serviceID);
  if (!cur) return;
  const next = message === undefined ? serviceWithoutFault(cur, loop) : serviceWithFault(cur, loop, message, tx.now);
  if (!next) return;
  tx.update('service', next);
  if (message === undefined) console.log(`[${loop}] service ${cur.Spec.Name} (${serviceID}) reconciles again`);
  else console.warn(`[${loop}] service ${cur.Spec.Name} (${serviceID}) marked faulty: ${message}`);
}

/** Set or clear `loop`'s mark on a node in `tx`, writing only on a change. */
export function markNode(tx: Tx, nodeID: string, loop: ControlLoop, message: string | undefined): void {
  const cur = tx.get('node', nodeID);
  if (!cur) return;
  const next = message === undefined ? withoutFault(cur, loop) : withFault(cur, loop, message, tx.now);
  if (!next) return;
  tx.update('node', next);
  if (message !== undefined) console.warn(`[${loop}] node ${nodeID} marked faulty: ${message}`);
}

/** A NEW or PENDING task carries the fault as Status.Err (what `docker service ps` shows); written on a change. */
export function markTaskError(tx: Tx, taskID: string, loop: ControlLoop, message: string): void {
  // the task that failed may fail again when copied: then its service's mark has to say it alone
  tx.attempt(() => {
    const cur = tx.get('task', taskID);
    const next = cur && taskWithError(cur, loop, message, tx.now);
    if (next) tx.update('task', next);
  });
}

/** The task without the Status.Err a loop's fault put there (its loop handled it now). */
export function withoutLoopError(t: Task, loop: ControlLoop): Task {
  if (!t.Status.Err?.startsWith(`${loop}: `)) return t;
  const { Err: _drop, ...status } = t.Status;
  return { ...t, Status: status };
}

/** Handle each change of an applied event on its own, so one bad object does not hide the rest from a loop. */
export function eachChange<C>(changes: readonly C[], loop: string, fn: (c: C) => void): void {
  for (const c of changes) {
    try {
      fn(c);
    } catch (err) {
      console.warn(`[${loop}] a change could not be handled: ${faultMessage(err)}`);
    }
  }
}
