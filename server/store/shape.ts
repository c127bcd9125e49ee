// The structure a committed batch must have before the store applies it: the
// op list, each op's kind and version, and each object's envelope — the
// fields the store indexes and every reader dereferences without a check
// (a task's Status and Spec, a service's Spec.Name, Mode and TaskTemplate…).
// Spec contents are validated at the API doors; this is what apply itself
// relies on, so a malformed entry fails as a whole instead of throwing
// halfway or poisoning the tables. Pure and cheap: a few checks per op.

import { isRole } from '../api/access';
import { KINDS, TASK_STATES, type Kind } from '../api/types';

type Obj = Record<string, unknown>;

const KIND_SET: ReadonlySet<string> = new Set(KINDS);
const TASK_STATE_SET: ReadonlySet<string> = new Set(TASK_STATES);

export function isPlainObject(v: unknown): v is Obj {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

const isString = (v: unknown): v is string => typeof v === 'string';
const isCount = (v: unknown): v is number => typeof v === 'number' && Number.isSafeInteger(v) && v >= 0;

/** `what` is a plain object, else the error. */
function obj(v: unknown, what: string): string | undefined {
  return isPlainObject(v) ? undefined : `${what} is not an object`;
}

function optional(v: unknown, check: (v: unknown) => string | undefined): string | undefined {
  return v === undefined ? undefined : check(v);
}

const version = (what: string) => (v: unknown) =>
  isPlainObject(v) && isCount(v.Index) ? undefined : `${what}.Index is not a non-negative integer`;

function taskState(v: unknown, what: string): string | undefined {
  return isString(v) && TASK_STATE_SET.has(v) ? undefined : `${what} is not a task state`;
}

/** Per kind: the envelope beyond ID (o is a plain object). */
const ENVELOPE: Record<Kind, (o: Obj) => string | undefined> = {
  cluster: (o) =>
    obj(o.Spec, 'Spec') ??
    optional(o.ManagerUnlockKey, (v) => (isString(v) ? undefined : 'ManagerUnlockKey is not a string')),
  node: (o) =>
    obj(o.Spec, 'Spec') ??
    obj(o.Status, 'Status') ??
    obj(o.Description, 'Description') ??
    (isString(o.Role) ? undefined : 'Role is not a string') ??
    (isString((o.Status as Obj).State) ? undefined : 'Status.State is not a string'),
  service: (o) => {
    const err = obj(o.Spec, 'Spec');
    if (err) return err;
    const spec = o.Spec as Obj;
    return (
      (isString(spec.Name) ? undefined : 'Spec.Name is not a string') ??
      obj(spec.Mode, 'Spec.Mode') ??
      obj(spec.TaskTemplate, 'Spec.TaskTemplate') ??
      optional(o.SpecVersion, version('SpecVersion')) ??
      optional(o.UpdateStatus, (u) =>
        isPlainObject(u) && isString(u.State) ? undefined : 'UpdateStatus.State is not a string',
      )
    );
  },
  task: (o) =>
    (isString(o.ServiceID) ? undefined : 'ServiceID is not a string') ??
    (isCount(o.Slot) ? undefined : 'Slot is not a non-negative integer') ??
    (isString(o.NodeID) ? undefined : 'NodeID is not a string') ??
    taskState(o.DesiredState, 'DesiredState') ??
    obj(o.Status, 'Status') ??
    taskState((o.Status as Obj).State, 'Status.State') ??
    obj(o.Spec, 'Spec') ??
    optional(o.SpecVersion, version('SpecVersion')),
  network: named,
  secret: named,
  config: named,
  serviceVersion: (o) =>
    (isString(o.ServiceID) ? undefined : 'ServiceID is not a string') ??
    obj(o.Spec, 'Spec') ??
    (isCount(o.SpecIndex) ? undefined : 'SpecIndex is not a non-negative integer') ??
    (isCount(o.Seq) ? undefined : 'Seq is not a non-negative integer'),
  account: (o) =>
    (isString(o.Name) && o.Name !== '' ? undefined : 'Name is not a non-empty string') ??
    (isRole(o.Role) ? undefined : 'Role is not a role') ??
    (isString(o.PasswordHash) ? undefined : 'PasswordHash is not a string'),
  session: (o) =>
    (isString(o.AccountID) ? undefined : 'AccountID is not a string') ??
    (isHash(o.TokenHash) ? undefined : 'TokenHash is not a SHA-256') ??
    time(o.ExpiresAt, 'ExpiresAt'),
  shareLink: (o) =>
    (isString(o.Name) ? undefined : 'Name is not a string') ??
    (isHash(o.TokenHash) ? undefined : 'TokenHash is not a SHA-256') ??
    time(o.ExpiresAt, 'ExpiresAt') ??
    (isString(o.CreatedBy) ? undefined : 'CreatedBy is not a string') ??
    optional(o.LastUsedAt, (v) => time(v, 'LastUsedAt')),
};

/** A hex SHA-256: the only form a session's or share link's token is kept in. */
const isHash = (v: unknown): v is string => isString(v) && /^[0-9a-f]{64}$/.test(v);

/** Expiry is compared on every request: it must parse. */
function time(v: unknown, what: string): string | undefined {
  return isString(v) && Number.isFinite(Date.parse(v)) ? undefined : `${what} is not a time`;
}

function named(o: Obj): string | undefined {
  return obj(o.Spec, 'Spec') ?? (isString((o.Spec as Obj).Name) ? undefined : 'Spec.Name is not a string');
}

/** Why `o` cannot be stored as a `kind`, or undefined when its envelope is sound. */
export function objectShapeError(kind: Kind, o: unknown): string | undefined {
  if (!isPlainObject(o)) return `${kind} is not an object`;
  if (!isString(o.ID) || o.ID === '') return `${kind} has no ID`;
  const err = ENVELOPE[kind](o);
  return err ? `${kind} ${o.ID}: ${err}` : undefined;
}

/** Why `batch` cannot be applied, or undefined when its structure is sound. */
export function batchShapeError(batch: unknown): string | undefined {
  if (!isPlainObject(batch)) return 'the batch is not an object';
  if (!Array.isArray(batch.ops)) return 'the batch has no list of ops';
  if (batch.time !== undefined && !isCount(batch.time)) return 'the batch time is not a non-negative integer';
  for (let i = 0; i < batch.ops.length; i++) {
    const err = opShapeError(batch.ops[i]);
    if (err) return `op ${i}: ${err}`;
  }
  return undefined;
}

function opShapeError(op: unknown): string | undefined {
  if (!isPlainObject(op)) return 'not an object';
  if (!isString(op.kind) || !KIND_SET.has(op.kind)) return `unknown kind ${describe(op.kind)}`;
  const kind = op.kind as Kind;
  switch (op.op) {
    case 'create':
      return objectShapeError(kind, op.object);
    case 'update':
      return isCount(op.expect) ? objectShapeError(kind, op.object) : 'expect is not a non-negative integer';
    case 'delete':
      if (!isString(op.id) || op.id === '') return 'delete without an id';
      return isCount(op.expect) ? undefined : 'expect is not a non-negative integer';
    default:
      return `unknown op ${describe(op.op)}`;
  }
}

/** A value for an error text: a short quoted string, else its type (never throws). */
function describe(v: unknown): string {
  return isString(v) ? JSON.stringify(v.slice(0, 40)) : v === null ? 'null' : typeof v;
}
