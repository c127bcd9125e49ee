// Go's encoding/json as dockerd decodes a request body into moby's structs,
// as zod schemas: object keys match a field exactly or case-insensitively,
// unknown keys are dropped, null leaves a field unset (a null element or map
// value is the element's zero value), and a value of the wrong JSON type, or
// a number that does not fit the Go type, is an error that names the struct
// field and the Go type (worded by ./issues.ts, as Go words it).

import { z } from 'zod';

/** What a leaf decodes into: its Go type as `reflect.Type.String()` prints it, and its zero value. */
export interface GoLeaf {
  type: string;
  zero: unknown;
}

/** A Go struct: its name (`ContainerSpec`), its type (`swarm.ContainerSpec`) and embedded-struct prefixes of its fields. */
export interface GoStruct {
  name: string;
  type: string;
  /** Field → the embedded struct it comes from (Go 1.24 names it in the error path: `ServiceSpec.Annotations.Name`). */
  embedded: Readonly<Record<string, string>>;
}

const leaves = new WeakMap<object, GoLeaf>();
/** Keyed by the struct's key-folding step, which every clone of the schema shares. */
const structs = new WeakMap<object, GoStruct>();

export const goLeafOf = (s: unknown): GoLeaf | undefined => (s && typeof s === 'object' ? leaves.get(s) : undefined);
export const goStructOf = (s: unknown): GoStruct | undefined =>
  s && typeof s === 'object' ? structs.get(s) : undefined;

function leaf<T extends z.ZodType>(schema: T, type: string, zero: unknown): T {
  leaves.set(schema, { type, zero });
  return schema;
}

/** A Go string, or a named string type (`swarm.RestartPolicyCondition`) whose values are checked as a rule. */
export const goString = (type = 'string') => leaf(z.string(), type, '');

/**
 * A Go string type with a fixed set of values (`swarm.RestartPolicyCondition`).
 * `""` means Docker's default for the field (`empty`; without one `""` is
 * refused too); moby looks most of these up case-insensitively, so the value
 * is kept lower-case. Any other value is refused with `refusal(value)`
 * (moby's text where it has one).
 */
export function goEnum<const T extends string>(
  type: string,
  values: readonly T[],
  opts: { empty?: T; refusal: (value: string) => string; exactCase?: boolean },
) {
  const base = leaf(z.string(), type, '');
  return base.transform((v, ctx): T => {
    if (v === '' && opts.empty !== undefined) return opts.empty;
    const key = opts.exactCase ? v : v.toLowerCase();
    const found = values.find((x) => x === key);
    if (found !== undefined) return found;
    ctx.issues.push({ code: 'custom', message: opts.refusal(v), input: v, params: { rule: true } });
    return values[0]!;
  });
}

export const goBool = () => leaf(z.boolean(), 'bool', false);

/** Go's integer kinds as moby's structs use them; `time.Duration` is int64 nanoseconds. */
export type GoIntType = 'int' | 'int32' | 'int64' | 'uint32' | 'uint64' | 'time.Duration' | 'fs.FileMode';

/** [min, max) of each kind; the bounds are powers of two, so they are exact as doubles. */
const INT_RANGE: Record<GoIntType, readonly [number, number]> = {
  int: [-(2 ** 63), 2 ** 63],
  int64: [-(2 ** 63), 2 ** 63],
  'time.Duration': [-(2 ** 63), 2 ** 63],
  int32: [-(2 ** 31), 2 ** 31],
  uint32: [0, 2 ** 32],
  'fs.FileMode': [0, 2 ** 32],
  uint64: [0, 2 ** 64],
};

/** The issue Go's decoder raises for a number that does not fit: `cannot unmarshal number -1 into … of type uint64`. */
function overflow(ctx: z.core.ParsePayload<number>): void {
  ctx.issues.push({ code: 'custom', message: 'number out of range', input: ctx.value, params: { goNumber: true } });
}

/**
 * A JSON number that must be an integer of the Go kind (a fraction or an
 * out-of-range value is refused as Go does); `rule` may refuse more values,
 * returning the message.
 */
export function goInt(type: GoIntType, rule?: (n: number) => string | undefined) {
  const [min, max] = INT_RANGE[type];
  const schema = z.number().check((ctx) => {
    if (!Number.isInteger(ctx.value) || ctx.value < min || ctx.value >= max) return overflow(ctx);
    // -2^63 is a double, but JSON prints it as -9223372036854776000, which Go's int64 cannot hold:
    // stored, it would break every client that reads it back
    if (ctx.value === -(2 ** 63)) return overflow(ctx);
    const problem = rule?.(ctx.value);
    if (problem) ctx.issues.push({ code: 'custom', message: problem, input: ctx.value, params: { rule: true } });
  });
  return leaf(schema, type, 0);
}

const FLOAT32_MAX = 3.4028234663852886e38;

/** float32 (MaxFailureRatio): any number float32 can hold. */
export function goFloat32() {
  const schema = z.number().check((ctx) => {
    if (!Number.isFinite(ctx.value) || Math.abs(ctx.value) > FLOAT32_MAX) overflow(ctx);
  });
  return leaf(schema, 'float32', 0);
}

const BASE64 = /^(?:[A-Za-z0-9+/]{4})*(?:[A-Za-z0-9+/]{2}==|[A-Za-z0-9+/]{3}=)?$/;

/** `[]byte`: standard base64 in JSON. */
export function goBytes() {
  const schema = z.string().check((ctx) => {
    if (!BASE64.test(ctx.value))
      ctx.issues.push({
        code: 'custom',
        message: 'illegal base64 data',
        input: ctx.value,
        params: { goBase64: true },
      });
  });
  return leaf(schema, '[]uint8', '');
}

const zeroOf = (elem: z.ZodType): unknown => goLeafOf(elem)?.zero ?? {};

/** A Go slice: a null element decodes as the element's zero value. */
export function goSlice<T extends z.ZodType>(elem: T) {
  const zero = zeroOf(elem);
  const step = z.transform((v: unknown) => (Array.isArray(v) ? v.map((x) => (x === null ? zero : x)) : v));
  return step.pipe(z.array(elem));
}

/** A Go `map[string]T`: a null value decodes as T's zero value. */
export function goMap<T extends z.ZodType>(value: T) {
  const zero = zeroOf(value);
  const step = z.transform((v: unknown) => {
    if (!isPlainObject(v)) return v;
    const out: Record<string, unknown> = {};
    for (const [k, x] of Object.entries(v)) out[k] = x === null ? zero : x;
    return out;
  });
  return step.pipe(z.record(z.string(), value));
}

export function isPlainObject(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

/**
 * A Go struct. Keys are matched to fields as Go does (exact first, else
 * case-insensitive; a later key for the same field wins); unknown keys are
 * dropped; a null value leaves the field unset.
 */
export function goStruct<S extends z.core.$ZodLooseShape>(
  name: string,
  shape: S,
  opts: { pkg?: string; embedded?: Record<string, string> } = {},
) {
  const fields = Object.keys(shape);
  const folded = new Map(fields.map((f) => [f.toLowerCase(), f]));
  const step = z.transform((v: unknown) => {
    if (!isPlainObject(v)) return v;
    const out: Record<string, unknown> = {};
    for (const [k, x] of Object.entries(v)) {
      const field = Object.hasOwn(shape, k) ? k : folded.get(k.toLowerCase());
      if (field === undefined) continue;
      if (x === null) delete out[field];
      else out[field] = x;
    }
    return out;
  });
  structs.set(step, { name, type: `${opts.pkg ?? 'swarm'}.${name}`, embedded: opts.embedded ?? {} });
  return step.pipe(z.object(shape));
}

/** Go's name for a JSON value's type in a decode error. */
export function jsonTypeName(v: unknown): string {
  if (Array.isArray(v)) return 'array';
  if (v === null) return 'null';
  switch (typeof v) {
    case 'string':
      return 'string';
    case 'number':
      return 'number';
    case 'boolean':
      return 'bool';
    default:
      return 'object';
  }
}
