// The audit record of an applied entry (issue #12 §2): who (the batch's stamp),
// what (the door's action, and the ops counted and named — never an object's
// body, so no secret data, env value or token gets in), the result and when.
// Built at apply on every manager from the entry alone, so the log is the same
// everywhere. A stamp or note that is not sound is dropped, never the change.

import { isRole } from '../api/access';
import type { Actor, AuditNote } from '../api/audit';
import type { Kind, Node, Secret, Service, Task } from '../api/types';
import type { Batch, BatchAudit, Op } from './batch';
import { isPlainObject } from './shape';

/** A record as the store keeps it (time in ms; `seq` orders the records of one entry). */
export interface AuditRecord {
  index: number;
  seq: number;
  time: number;
  actor: Actor;
  action: string;
  target?: string;
  changes?: string;
  result: string;
}

/** Longest text a stamp or note may carry in one field (a path, a subject, an error). */
export const AUDIT_TEXT_MAX = 300;
/** Most notes one entry may carry; more are left out. */
export const AUDIT_NOTES_PER_ENTRY = 50;

const isText = (v: unknown, max = AUDIT_TEXT_MAX): v is string => typeof v === 'string' && v.length <= max;
const isName = (v: unknown): v is string => isText(v, 200) && v !== '';

/** Why `a` is not an Actor, or undefined. */
export function actorShapeError(a: unknown): string | undefined {
  if (!isPlainObject(a)) return 'the actor is not an object';
  switch (a.kind) {
    case 'account':
      return isName(a.id) && isName(a.name) && isRole(a.role) ? undefined : 'account actor needs id, name, role';
    case 'share-link':
      return isName(a.id) && isName(a.name) ? undefined : 'share-link actor needs id, name';
    case 'engine-client':
      return isName(a.subject) &&
        (a.role === undefined || isRole(a.role)) &&
        (a.peer === undefined || isText(a.peer, 200))
        ? undefined
        : 'engine-client actor needs a subject';
    case 'control-loop':
    case 'system':
      return isName(a.name) ? undefined : `${a.kind} actor needs a name`;
    case 'agent':
      return isName(a.nodeID) ? undefined : 'agent actor needs a nodeID';
    default:
      return 'unknown actor kind';
  }
}

export function stampShapeError(s: unknown): string | undefined {
  if (!isPlainObject(s)) return 'the audit stamp is not an object';
  if (s.action !== undefined && !isText(s.action)) return 'the audit action is not a short text';
  return actorShapeError(s.actor);
}

export function noteShapeError(n: unknown): string | undefined {
  if (!isPlainObject(n)) return 'the note is not an object';
  if (!isText(n.action) || n.action === '') return 'the note has no action';
  if (!isText(n.result)) return 'the note has no result';
  if (n.target !== undefined && !isText(n.target)) return 'the note target is not a short text';
  return actorShapeError(n.actor);
}

/** Copy only the fields an actor has: a stamp cannot smuggle more into the log. */
function cleanActor(a: Actor): Actor {
  switch (a.kind) {
    case 'account':
      return { kind: a.kind, id: a.id, name: a.name, role: a.role };
    case 'share-link':
      return { kind: a.kind, id: a.id, name: a.name };
    case 'engine-client':
      return {
        kind: a.kind,
        subject: a.subject,
        ...(a.role ? { role: a.role } : {}),
        ...(a.peer ? { peer: a.peer } : {}),
      };
    case 'control-loop':
    case 'system':
      return { kind: a.kind, name: a.name };
    case 'agent':
      return { kind: a.kind, nodeID: a.nodeID };
  }
}

/** The actor of an entry written without a stamp (before audit existed, or by a path nobody named). */
export const UNATTRIBUTED: Actor = { kind: 'system', name: 'unattributed' };

/** What an object is called in a record: its name, never its body. */
type Lookup = (kind: Kind, id: string) => unknown;

function objectLabel(kind: Kind, o: unknown, id: string): string | undefined {
  if (kind === 'serviceVersion') return undefined; // the spec history: bookkeeping of a service write
  const x = (isPlainObject(o) ? o : {}) as Partial<Service & Node & Task & Secret>;
  let name: unknown;
  if (kind === 'service' || kind === 'network' || kind === 'secret' || kind === 'config') name = x.Spec?.Name;
  else if (kind === 'node') name = x.Description?.Hostname || x.Spec?.Name;
  else if (kind === 'task') {
    const svc = x.ServiceAnnotations?.Name;
    if (typeof svc === 'string') name = `${svc}.${x.Slot ? x.Slot : (x.NodeID ?? '').slice(0, 12)}`;
  } else if (kind === 'cluster') name = x.Spec?.Name;
  // console accounts and share links carry their name at the top; a session is known by its ID (never its secret)
  else if (kind === 'account' || kind === 'shareLink') name = (x as { Name?: unknown }).Name;
  const text = typeof name === 'string' && name !== '' ? name : id.slice(0, 12);
  return `${kind} ${text.slice(0, 80)}`;
}

const opID = (op: Op) => (op.op === 'delete' ? op.id : op.object.ID);

/** Kinds in words ("serviceVersion" is a service's recorded spec). */
const kindWord = (k: Kind) => (k === 'serviceVersion' ? 'spec version' : k);

/**
 * The ops in words: counts by action and kind ("update service, create task ×3"),
 * and the first objects named ("service web, task web.2 +3 more"). Cheap on a
 * pass of thousands of ops: one walk over small counters, three names, no
 * string built per op.
 */
export function describeOps(ops: readonly Op[], lookup: Lookup): { changes: string; target?: string } {
  // counts per action and kind, in the order first seen
  const counts = new Map<Op['op'], Map<Kind, number>>();
  const named: { kind: Kind; id: string; label: string }[] = [];
  let more = 0;
  for (const op of ops) {
    let byKind = counts.get(op.op);
    if (!byKind) counts.set(op.op, (byKind = new Map()));
    byKind.set(op.kind, (byKind.get(op.kind) ?? 0) + 1);
    if (op.kind === 'serviceVersion') continue;
    const id = opID(op);
    if (named.some((n) => n.kind === op.kind && n.id === id)) continue;
    if (named.length < 3) {
      const label = objectLabel(op.kind, op.op === 'delete' ? lookup(op.kind, op.id) : op.object, id);
      if (label) named.push({ kind: op.kind, id, label });
    } else more++; // an object written twice in one pass counts twice here: rare, and only a count
  }
  const parts: string[] = [];
  for (const [action, byKind] of counts)
    for (const [kind, n] of byKind)
      parts.push(n > 1 ? `${action} ${kindWord(kind)} ×${n}` : `${action} ${kindWord(kind)}`);
  const changes = parts.join(', ');
  const target =
    named.length === 0 ? undefined : named.map((n) => n.label).join(', ') + (more > 0 ? ` +${more} more` : '');
  return target === undefined ? { changes } : { changes, target };
}

/**
 * The records of one applied entry: the stamped write (when it has ops) and its
 * notes. `result` is "ok" or the apply-time refusal; `time` the entry's.
 */
export function auditRecords(
  index: number,
  time: number,
  batch: Pick<Batch, 'ops' | 'audit' | 'notes'>,
  result: string,
  lookup: Lookup,
): AuditRecord[] {
  const out: AuditRecord[] = [];
  if (batch.ops.length > 0) {
    const stamp: BatchAudit | undefined = batch.audit;
    if (stamp === undefined || stampShapeError(stamp) === undefined) {
      const { changes, target } = describeOps(batch.ops, lookup);
      out.push({
        index,
        seq: 0,
        time,
        actor: stamp ? cleanActor(stamp.actor) : UNATTRIBUTED,
        action: stamp?.action || changes,
        ...(target !== undefined ? { target } : {}),
        changes,
        result: result.slice(0, AUDIT_TEXT_MAX),
      });
    }
  }
  const notes: unknown[] = Array.isArray(batch.notes) ? batch.notes.slice(0, AUDIT_NOTES_PER_ENTRY) : [];
  for (const n of notes) {
    if (noteShapeError(n) !== undefined) continue;
    const note = n as AuditNote;
    out.push({
      index,
      seq: out.length,
      time,
      actor: cleanActor(note.actor),
      action: note.action,
      ...(note.target ? { target: note.target } : {}),
      result: note.result,
    });
  }
  return out;
}
