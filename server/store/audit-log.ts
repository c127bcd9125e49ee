// The audit log: the newest records of who changed the cluster, kept in the
// store's state (rebuilt from the raft log like the tables, written by apply in
// the same step as the change) and in its snapshots. Three bounded rings, so
// the machinery's churn (control-loop passes, agents' status reports) never
// pushes a person's write out, and a flood of refused requests (notes) pushes
// out only other notes.

import { isPerson } from '../api/audit';
import { actorShapeError, AUDIT_TEXT_MAX, type AuditRecord } from './audit-record';
import { isPlainObject } from './shape';

export const AUDIT_LIMITS = {
  /** writes by accounts, share links and Engine API clients */
  people: 2000,
  /** notes: logins, failed logins, refused requests */
  notes: 1000,
  /** control loops, agents, the manager itself */
  machinery: 1000,
};
export type AuditLimits = typeof AUDIT_LIMITS;
type Part = keyof AuditLimits;
const PARTS: readonly Part[] = ['people', 'notes', 'machinery'];

/** What a snapshot holds of the log: each ring, oldest first. */
export type AuditLogImage = Record<Part, AuditRecord[]>;

const isCount = (v: unknown): v is number => typeof v === 'number' && Number.isSafeInteger(v) && v >= 0;
const isText = (v: unknown) => typeof v === 'string' && v.length <= AUDIT_TEXT_MAX;

/** A record as a snapshot must hold it; anything else is left out on restore. */
function soundRecord(v: unknown): v is AuditRecord {
  if (!isPlainObject(v) || !isCount(v.index) || !isCount(v.seq) || !isCount(v.time)) return false;
  if (actorShapeError(v.actor) !== undefined || !isText(v.action) || !isText(v.result)) return false;
  return (v.target === undefined || isText(v.target)) && (v.changes === undefined || typeof v.changes === 'string');
}

/** A bounded list, oldest first, dropping from the front in chunks (a shift per record would copy it each time). */
class Ring {
  items: AuditRecord[] = [];
  constructor(private readonly limit: number) {}
  push(r: AuditRecord): void {
    this.items.push(r);
    if (this.items.length > this.limit + 64) this.items.splice(0, this.items.length - this.limit);
  }
  kept(): AuditRecord[] {
    return this.items.length > this.limit ? this.items.slice(-this.limit) : this.items;
  }
}

const byPlace = (a: AuditRecord, b: AuditRecord) => a.index - b.index || a.seq - b.seq;

export class AuditLog {
  private rings: Record<Part, Ring>;

  constructor(private readonly limits: AuditLimits = AUDIT_LIMITS) {
    this.rings = this.empty();
  }

  private empty(): Record<Part, Ring> {
    return {
      people: new Ring(this.limits.people),
      notes: new Ring(this.limits.notes),
      machinery: new Ring(this.limits.machinery),
    };
  }

  /** The ring a record belongs in: a note (a record with no changes) is a note whoever made it. */
  private partOf(r: AuditRecord): Part {
    if (r.changes === undefined) return 'notes';
    return isPerson(r.actor) ? 'people' : 'machinery';
  }

  append(records: readonly AuditRecord[]): void {
    for (const r of records) this.rings[this.partOf(r)].push(r);
  }

  /** Every kept record, oldest first. */
  list(): AuditRecord[] {
    return PARTS.flatMap((p) => this.rings[p].kept()).sort(byPlace);
  }

  /** How many records are kept. */
  get size(): number {
    return PARTS.reduce((n, p) => n + this.rings[p].kept().length, 0);
  }

  image(): AuditLogImage {
    return {
      people: [...this.rings.people.kept()],
      notes: [...this.rings.notes.kept()],
      machinery: [...this.rings.machinery.kept()],
    };
  }

  /** Replace the log with a snapshot's (absent or unsound parts: empty); returns how many records were left out. */
  restore(img: unknown): number {
    this.rings = this.empty();
    if (!isPlainObject(img)) return 0;
    let skipped = 0;
    for (const p of PARTS) {
      const part = img[p];
      if (!Array.isArray(part)) continue;
      for (const r of part as unknown[]) {
        if (soundRecord(r)) this.rings[this.partOf(r)].push(r);
        else skipped++;
      }
    }
    return skipped;
  }
}
