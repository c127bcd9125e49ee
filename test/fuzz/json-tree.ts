// JSON values the fuzzer builds bodies from. Beside plain JSON they hold two
// kinds of leaf JSON.stringify cannot write: Raw (number texts such as 1e400,
// -0 or 2^64, and deliberately invalid ones such as NaN) and Bulk (large
// values described by their shape and expanded only when sent, so a plan
// or a saved failure stays small).

export type Json = null | boolean | number | string | Raw | Bulk | Json[] | { [key: string]: Json };

export class Raw {
  constructor(readonly text: string) {}
}

export type BulkShape =
  | { kind: 'string'; bytes: number; char?: string }
  | { kind: 'deep-array'; depth: number }
  | { kind: 'deep-object'; depth: number }
  | { kind: 'wide-array'; count: number; item: string }
  | { kind: 'wide-object'; count: number };

export class Bulk {
  constructor(readonly shape: BulkShape) {}
}

/** JSON text of a large value, built without recursion (depth is the point of some of them). */
export function renderBulk(shape: BulkShape): string {
  switch (shape.kind) {
    case 'string':
      return JSON.stringify((shape.char ?? 'x').repeat(shape.bytes));
    case 'deep-array':
      return '['.repeat(shape.depth) + ']'.repeat(shape.depth);
    case 'deep-object':
      return '{"a":'.repeat(shape.depth) + '{}' + '}'.repeat(shape.depth);
    case 'wide-array':
      return '[' + Array.from({ length: shape.count }, () => shape.item).join(',') + ']';
    case 'wide-object':
      return '{' + Array.from({ length: shape.count }, (_, i) => `"k${i}":"v"`).join(',') + '}';
  }
}

export function isPlainObject(v: unknown): v is { [key: string]: Json } {
  return typeof v === 'object' && v !== null && !Array.isArray(v) && !(v instanceof Raw) && !(v instanceof Bulk);
}

/** The request body text. */
export function render(v: Json): string {
  if (v instanceof Raw) return v.text;
  if (v instanceof Bulk) return renderBulk(v.shape);
  if (Array.isArray(v)) return '[' + v.map(render).join(',') + ']';
  if (isPlainObject(v))
    return (
      '{' +
      Object.entries(v)
        .map(([k, x]) => `${JSON.stringify(k)}:${render(x)}`)
        .join(',') +
      '}'
    );
  return JSON.stringify(v);
}

/** A plain-JSON description for files and reports: Raw as {"$raw": text}, Bulk as {"$bulk": shape}. */
export function describe(v: Json): unknown {
  if (v instanceof Raw) return { $raw: v.text };
  if (v instanceof Bulk) return { $bulk: v.shape };
  if (Array.isArray(v)) return v.map(describe);
  if (isPlainObject(v)) return Object.fromEntries(Object.entries(v).map(([k, x]) => [k, describe(x)]));
  return v;
}

/** The inverse of describe. */
export function revive(v: unknown): Json {
  if (Array.isArray(v)) return v.map(revive);
  if (typeof v === 'object' && v !== null) {
    const o = v as Record<string, unknown>;
    const keys = Object.keys(o);
    if (keys.length === 1 && keys[0] === '$raw' && typeof o.$raw === 'string') return new Raw(o.$raw);
    if (keys.length === 1 && keys[0] === '$bulk') return new Bulk(o.$bulk as BulkShape);
    return Object.fromEntries(keys.map((k) => [k, revive(o[k])]));
  }
  return v as Json;
}

export type Path = (string | number)[];

/** Every path into `v` (containers and leaves, the root as []), depth first. */
export function paths(v: Json, at: Path = []): Path[] {
  const out: Path[] = [at];
  if (Array.isArray(v)) v.forEach((x, i) => out.push(...paths(x, [...at, i])));
  else if (isPlainObject(v)) for (const [k, x] of Object.entries(v)) out.push(...paths(x, [...at, k]));
  return out;
}

export function getAt(v: Json, path: Path): Json | undefined {
  let cur: Json | undefined = v;
  for (const p of path) {
    if (Array.isArray(cur) && typeof p === 'number') cur = cur[p];
    else if (isPlainObject(cur) && typeof p === 'string') cur = Object.hasOwn(cur, p) ? cur[p] : undefined;
    else return undefined;
  }
  return cur;
}

/** A copy of `v` with the value at `path` replaced (`undefined` removes it). The input is not touched. */
export function setAt(v: Json, path: Path, value: Json | undefined): Json {
  if (path.length === 0) return value === undefined ? null : value;
  const [head, ...rest] = path;
  if (Array.isArray(v) && typeof head === 'number') {
    const copy = v.slice();
    if (rest.length === 0 && value === undefined) copy.splice(head, 1);
    else copy[head] = setAt(copy[head] ?? null, rest, value);
    return copy;
  }
  if (isPlainObject(v) && typeof head === 'string') {
    const copy: { [key: string]: Json } = {};
    for (const [k, x] of Object.entries(v)) defineOwn(copy, k, x);
    if (rest.length === 0 && value === undefined) delete copy[head];
    else defineOwn(copy, head, setAt(Object.hasOwn(v, head) ? v[head]! : {}, rest, value));
    return copy;
  }
  return v;
}

/** An own data property, as JSON.parse makes it, even for keys such as "__proto__". */
export function defineOwn(o: { [key: string]: Json }, key: string, value: Json): void {
  Object.defineProperty(o, key, { value, enumerable: true, writable: true, configurable: true });
}

/** `a.b[2].c` for reports. */
export function pathText(path: Path): string {
  if (path.length === 0) return '(root)';
  return path.map((p, i) => (typeof p === 'number' ? `[${p}]` : i === 0 ? p : `.${p}`)).join('');
}
