import type { Actor, AuditNote } from '../api/audit';
import type { LoggedEvent } from '../api/events';
import type { Kind, ObjectByKind } from '../api/types';

/**
 * One proposal: the unit that is appended to the log, made durable, and then
 * applied to the store on every manager. Updates carry the Version.Index the
 * writer read, so the apply step can refuse a stale write deterministically.
 */
export type Op =
  | { op: 'create'; kind: Kind; object: ObjectByKind[Kind] }
  | { op: 'update'; kind: Kind; object: ObjectByKind[Kind]; expect: number }
  | { op: 'delete'; kind: Kind; id: string; expect: number };

export interface Batch {
  ops: Op[];
  /**
   * When the writer made it (ms since the epoch, its clock): the time of the
   * events the entry makes, the same on every manager. Entries written before
   * it existed have none.
   */
  time?: number;
  /**
   * Who made it and why (issue #12 §2): stamped by ClusterStore.update, made
   * into an audit record when the entry is applied, in the same transaction.
   */
  audit?: BatchAudit;
  /** Audit notes that change nothing (failed logins, refused requests): an audit-only entry has no ops. */
  notes?: AuditNote[];
}

/** The actor of a batch and what it was doing; the ops themselves say the rest. */
export interface BatchAudit {
  actor: Actor;
  action?: string;
}

export type ChangeAction = 'create' | 'update' | 'delete';

export interface Change<K extends Kind = Kind> {
  kind: K;
  action: ChangeAction;
  /** The object after the change; for a delete, the object as it was. */
  object: ObjectByKind[K];
}

/** What applying one committed entry produced, stamped with its log index. */
export interface AppliedEvent {
  index: number;
  changes: Change[];
  /** The Docker events the entry made, as the event log keeps them. */
  events?: LoggedEvent[];
}
