import type { Kind, ObjectByKind } from '../api/types';
import { SequenceConflict, SwarmError } from '../api/errors';
import type { Batch, Op } from './batch';
import type { MemoryStore } from './memory-store';

type Write = {
  op: 'create' | 'update' | 'delete';
  kind: Kind;
  id: string;
  object?: ObjectByKind[Kind];
  expect: number;
};

/**
 * A write transaction: reads see the applied store plus this transaction's
 * own writes; writes are collected into one Batch for the log. Version
 * checks happen here (fail fast) and again when the entry is applied.
 */
export class Tx {
  private writes = new Map<string, Write>();
  /** While `attempt` runs: each write's key and what it replaced, to undo them. */
  private journal: { key: string; prev: Write | undefined }[] | undefined;

  constructor(
    private readonly store: MemoryStore,
    /** Wall-clock time of this transaction, for CreatedAt/UpdatedAt/Timestamps. */
    readonly now: string,
  ) {}

  get<K extends Kind>(kind: K, id: string): ObjectByKind[K] | undefined {
    const w = this.writes.get(`${kind}/${id}`);
    if (w) return w.op === 'delete' ? undefined : (w.object as ObjectByKind[K]);
    return this.store.get(kind, id);
  }

  create<K extends Kind>(kind: K, object: ObjectByKind[K]): ObjectByKind[K] {
    const key = `${kind}/${object.ID}`;
    if (this.get(kind, object.ID)) throw new SwarmError('AlreadyExists', `${kind} ${object.ID} already exists`);
    const prev = this.writes.get(key);
    this.note(key);
    this.writes.set(key, {
      op: prev?.op === 'delete' ? 'update' : 'create',
      kind,
      id: object.ID,
      object,
      expect: prev?.expect ?? 0,
    });
    return object;
  }

  /** `object.Version.Index` must be the version that was read. */
  update<K extends Kind>(kind: K, object: ObjectByKind[K]): ObjectByKind[K] {
    const key = `${kind}/${object.ID}`;
    const prev = this.writes.get(key);
    if (prev) {
      if (prev.op === 'delete') throw new SwarmError('NotFound', `${kind} ${object.ID} not found`);
      this.note(key);
      this.writes.set(key, { ...prev, object: { ...object, UpdatedAt: this.now } });
      return object;
    }
    const cur = this.store.get(kind, object.ID);
    if (!cur) throw new SwarmError('NotFound', `${kind} ${object.ID} not found`);
    if (cur.Version.Index !== object.Version.Index) throw new SequenceConflict();
    this.note(key);
    this.writes.set(key, {
      op: 'update',
      kind,
      id: object.ID,
      object: { ...object, UpdatedAt: this.now },
      expect: cur.Version.Index,
    });
    return object;
  }

  delete(kind: Kind, id: string): void {
    const key = `${kind}/${id}`;
    const prev = this.writes.get(key);
    if (prev?.op === 'create') {
      this.note(key);
      this.writes.delete(key);
      return;
    }
    const cur = this.store.get(kind, id);
    if (!cur) return;
    this.note(key);
    this.writes.set(key, { op: 'delete', kind, id, expect: prev?.expect ?? cur.Version.Index });
  }

  /**
   * Run `fn` as a savepoint: if it throws, the writes it made are undone and
   * the error is returned; the transaction goes on. (A control loop keeps
   * one object's fault out of the rest of its pass.)
   */
  attempt<T>(fn: () => T): { ok: true; value: T } | { ok: false; error: unknown } {
    const outer = this.journal;
    const journal: { key: string; prev: Write | undefined }[] = [];
    this.journal = journal;
    try {
      const value = fn();
      outer?.push(...journal); // an enclosing attempt may still undo them
      return { ok: true, value };
    } catch (error) {
      for (let i = journal.length - 1; i >= 0; i--) {
        const { key, prev } = journal[i]!;
        if (prev) this.writes.set(key, prev);
        else this.writes.delete(key);
      }
      return { ok: false, error };
    } finally {
      this.journal = outer;
    }
  }

  private note(key: string): void {
    this.journal?.push({ key, prev: this.writes.get(key) });
  }

  get size(): number {
    return this.writes.size;
  }

  batch(): Batch {
    const ops: Op[] = [];
    for (const w of this.writes.values()) {
      if (w.op === 'delete') ops.push({ op: 'delete', kind: w.kind, id: w.id, expect: w.expect });
      else if (w.op === 'create') ops.push({ op: 'create', kind: w.kind, object: w.object! });
      else ops.push({ op: 'update', kind: w.kind, object: w.object!, expect: w.expect });
    }
    return { ops };
  }
}
