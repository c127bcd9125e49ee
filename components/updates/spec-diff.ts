// A small structural diff for service specs: which paths were added, removed
// or changed between two versions, in a stable, readable order.

type Json = unknown;

const isObject = (v: Json): v is Record<string, Json> => typeof v === 'object' && v !== null && !Array.isArray(v);

/** Deep equality over JSON values; key order does not matter, `undefined` fields count as absent. */
export function deepEqual(a: Json, b: Json): boolean {
  if (a === b) return true;
  if (Array.isArray(a) || Array.isArray(b)) {
    if (!Array.isArray(a) || !Array.isArray(b) || a.length !== b.length) return false;
    return a.every((x, i) => deepEqual(x, b[i]));
  }
  if (!isObject(a) || !isObject(b)) return false;
  const ka = Object.keys(a).filter((k) => a[k] !== undefined);
  const kb = Object.keys(b).filter((k) => b[k] !== undefined);
  if (ka.length !== kb.length) return false;
  return ka.every((k) => deepEqual(a[k], b[k]));
}

export type DiffKind = 'added' | 'removed' | 'changed';

export interface DiffEntry {
  /** e.g. `TaskTemplate.ContainerSpec.Image`, `TaskTemplate.ContainerSpec.Env[2]` */
  path: string;
  kind: DiffKind;
  before?: Json;
  after?: Json;
}

/** Arrays of scalars (Env, Constraints, Args) read better as a set: what left, what came. */
const isScalarList = (v: Json): v is (string | number | boolean)[] =>
  Array.isArray(v) && v.every((x) => x === null || typeof x !== 'object');

function walk(path: string, a: Json, b: Json, out: DiffEntry[]): void {
  if (deepEqual(a, b)) return;
  // a whole block added or removed reads better field by field
  if (a === undefined && isObject(b)) return walk(path, {}, b, out);
  if (b === undefined && isObject(a)) return walk(path, a, {}, out);
  if (a === undefined) {
    out.push({ path, kind: 'added', after: b });
    return;
  }
  if (b === undefined) {
    out.push({ path, kind: 'removed', before: a });
    return;
  }
  if (isObject(a) && isObject(b)) {
    const keys = [...new Set([...Object.keys(a), ...Object.keys(b)])].sort();
    for (const k of keys) walk(path ? `${path}.${k}` : k, a[k], b[k], out);
    return;
  }
  if (isScalarList(a) && isScalarList(b)) {
    const inB = new Map<string, number>();
    for (const x of b) inB.set(JSON.stringify(x), (inB.get(JSON.stringify(x)) ?? 0) + 1);
    const inA = new Map<string, number>();
    for (const x of a) inA.set(JSON.stringify(x), (inA.get(JSON.stringify(x)) ?? 0) + 1);
    const removed = a.filter((x) => {
      const k = JSON.stringify(x);
      const n = inB.get(k) ?? 0;
      if (n > 0) inB.set(k, n - 1);
      return n === 0;
    });
    const added = b.filter((x) => {
      const k = JSON.stringify(x);
      const n = inA.get(k) ?? 0;
      if (n > 0) inA.set(k, n - 1);
      return n === 0;
    });
    for (const x of removed) out.push({ path: `${path}[]`, kind: 'removed', before: x });
    for (const x of added) out.push({ path: `${path}[]`, kind: 'added', after: x });
    // same members, new order
    if (!removed.length && !added.length) out.push({ path, kind: 'changed', before: a, after: b });
    return;
  }
  if (Array.isArray(a) && Array.isArray(b)) {
    for (let i = 0; i < Math.max(a.length, b.length); i++) walk(`${path}[${i}]`, a[i], b[i], out);
    return;
  }
  out.push({ path, kind: 'changed', before: a, after: b });
}

/** What changed from `before` to `after`, path by path (object keys sorted). */
export function diffSpecs(before: Json, after: Json): DiffEntry[] {
  const out: DiffEntry[] = [];
  walk('', before, after, out);
  return out;
}

const NS_FIELDS = /(Delay|Monitor|Interval|Timeout|StartPeriod|StartInterval|Window|StopGracePeriod)$/;

/** A value as the diff prints it: durations (ns) in seconds, strings quoted, objects as compact JSON. */
export function formatValue(path: string, v: Json): string {
  if (v === undefined) return '';
  if (typeof v === 'number' && NS_FIELDS.test(path.replace(/\[\d*\]$/, ''))) {
    const s = v / 1e9;
    return `${Number.isInteger(s) ? s : s.toFixed(3).replace(/0+$/, '')}s`;
  }
  if (typeof v === 'string') return JSON.stringify(v);
  return JSON.stringify(v);
}
