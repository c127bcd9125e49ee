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
}
