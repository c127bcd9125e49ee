// Mutations of valid bodies: every field of a real body can become a value of
// the wrong type, null, an extreme or malformed number, an odd or very long
// string, the other kind of container, deeply nested or very wide, or can go
// missing; objects gain keys they never have (including the ones that break
// JavaScript objects: __proto__, constructor, hasOwnProperty).

import { Bulk, getAt, isPlainObject, pathText, paths, Raw, render, setAt, type Json, type Path } from './json-tree';
import type { Rng } from './rng';

export type MutationKind =
  'wrong-type' | 'null' | 'number' | 'string' | 'remove' | 'extra-key' | 'deep' | 'wide' | 'element';

export const MUTATION_KINDS: readonly MutationKind[] = [
  'wrong-type',
  'null',
  'number',
  'string',
  'remove',
  'extra-key',
  'deep',
  'wide',
  'element',
];

export interface Mutation {
  kind: MutationKind;
  path: Path;
  /** Short text of the new value, for reports. */
  value: string;
}

/** Huge, negative, fractional, beyond-float64 and not-quite-JSON numbers. */
export const ODD_NUMBERS: readonly Json[] = [
  -1,
  -2,
  0.5,
  1.5,
  -0.5,
  0.1,
  1e9,
  2147483647,
  2147483648,
  4294967295,
  4294967296,
  9007199254740991,
  1e15,
  1e18,
  1e20,
  1e100,
  1.7976931348623157e308,
  5e-324,
  -1e9,
  -2147483649,
  -9007199254740991,
  new Raw('-0'),
  new Raw('9007199254740993'),
  new Raw('9223372036854775807'),
  new Raw('9223372036854775808'),
  new Raw('18446744073709551616'),
  new Raw('-9223372036854775809'),
  new Raw('123456789012345678901234567890'),
  new Raw('1e400'),
  new Raw('-1e400'),
  new Raw('1E+2'),
  new Raw('1e-400'),
  // not JSON: the parser must refuse them with a 400
  new Raw('NaN'),
  new Raw('Infinity'),
  new Raw('-Infinity'),
  new Raw('0x10'),
  new Raw('01'),
  new Raw('.5'),
  new Raw('+1'),
  // numbers as strings
  'NaN',
  'Infinity',
  '1e9',
  '-1',
  '1.5',
  '0x10',
];

/** Strings that break parsers, validators, templates and renderers. */
export const ODD_STRINGS: readonly Json[] = [
  '',
  ' ',
  '\t\n',
  '\u0000',
  'nul\u0000inside',
  '\ud800',
  '\udfff\ud800',
  '\ufeffbom',
  '\u202eevil',
  'e\u0301\u0301\u0301',
  '😀'.repeat(50),
  '日本語のサービス',
  'ünïcødé',
  'a'.repeat(63),
  'a'.repeat(64),
  'a'.repeat(4096),
  '-leading',
  'trailing-',
  'dot.ted',
  'sp ace',
  'UPPER',
  '../../../../etc/passwd',
  '%s%s%n%x',
  '%zz',
  '{{.Service.Name}}',
  '{{ .Node.Hostname }}{{',
  '{{range .}}{{end}}',
  '${HOME}',
  '$(id)',
  '`id`',
  'a=b=c',
  '==',
  '!=',
  'node.role==',
  'node.labels.==x',
  '\r\nX-Injected: 1',
  '<script>alert(1)</script>',
  'null',
  'true',
  '0',
  '__proto__',
  'constructor',
  'hasOwnProperty',
  'toString',
  'nginx:',
  ':tag',
  'nginx@sha256:abc',
  'UPPER/Case:Tag',
  'localhost:5000/a/b/c/d/e:latest',
  new Bulk({ kind: 'string', bytes: 65_536 }),
  // big, not huge: a store may rightly hold some of these, many times over (history, tasks)
  new Bulk({ kind: 'string', bytes: 262_144 }),
  new Bulk({ kind: 'string', bytes: 50_000, char: 'é' }),
];

/** Keys objects never have, some of which break plain JavaScript objects. */
export const ODD_KEYS: readonly string[] = [
  '__proto__',
  'constructor',
  'prototype',
  'hasOwnProperty',
  'toString',
  'valueOf',
  'Unknown',
  'ID',
  'Version',
  'Spec',
  '',
  ' ',
  '😀',
  'a'.repeat(1000),
];

const DEEP: readonly Json[] = [
  new Bulk({ kind: 'deep-array', depth: 100 }),
  new Bulk({ kind: 'deep-array', depth: 1_000 }),
  new Bulk({ kind: 'deep-array', depth: 10_000 }),
  new Bulk({ kind: 'deep-array', depth: 100_000 }),
  new Bulk({ kind: 'deep-object', depth: 100 }),
  new Bulk({ kind: 'deep-object', depth: 1_000 }),
  new Bulk({ kind: 'deep-object', depth: 10_000 }),
];

const WIDE_ITEMS = ['"x"', '1', 'null', '{}', '[]', '"a=b"', '"node.role==worker"', '{"Target":"x"}'];

function wide(rng: Rng): Json {
  const count = rng.pick([1_000, 10_000]);
  return rng.chance(0.7)
    ? new Bulk({ kind: 'wide-array', count, item: rng.pick(WIDE_ITEMS) })
    : new Bulk({ kind: 'wide-object', count });
}

type JsonType = 'null' | 'boolean' | 'number' | 'string' | 'array' | 'object' | 'missing';

export function jsonType(v: Json | undefined): JsonType {
  if (v === undefined) return 'missing';
  if (v === null) return 'null';
  if (v instanceof Raw) return 'number';
  if (v instanceof Bulk)
    return v.shape.kind === 'string' ? 'string' : v.shape.kind.endsWith('array') ? 'array' : 'object';
  if (Array.isArray(v)) return 'array';
  if (isPlainObject(v)) return 'object';
  return typeof v as 'boolean' | 'number' | 'string';
}

/** A value of another JSON type than `original`, built from it where that makes it more plausible. */
export function wrongType(rng: Rng, original: Json | undefined): Json {
  const t = jsonType(original);
  const first = Array.isArray(original) ? (original[0] ?? 'x') : undefined;
  const candidates: Json[] = [
    null,
    true,
    false,
    0,
    1,
    -1,
    '',
    'x',
    '123',
    [],
    {},
    [original ?? null],
    { x: original ?? null },
    [1, 'x', null, {}, []],
  ];
  if (t === 'array') candidates.push({ '0': first ?? null }, first ?? null, 'a,b');
  if (t === 'object' && isPlainObject(original)) candidates.push(Object.values(original), JSON.stringify(original));
  if (t === 'number' && typeof original === 'number')
    candidates.push(String(original), [original], { value: original });
  if (t === 'string' && typeof original === 'string')
    candidates.push(Number(original) || 7, [original], { [original]: original });
  for (let i = 0; i < 8; i++) {
    const v = rng.pick(candidates);
    if (jsonType(v) !== t) return v;
  }
  return t === 'string' ? 42 : 'wrong';
}

/** Short text of a value for labels and reports. */
export function shortText(v: Json | undefined): string {
  if (v === undefined) return '(removed)';
  if (v instanceof Raw) return v.text;
  if (v instanceof Bulk) {
    const s = v.shape;
    if (s.kind === 'string') return `<string of ${s.bytes} × ${JSON.stringify(s.char ?? 'x')}>`;
    if (s.kind === 'deep-array' || s.kind === 'deep-object') return `<${s.kind} depth ${s.depth}>`;
    return `<${s.kind} of ${s.count}>`;
  }
  const text = render(v);
  return text.length > 60 ? `${text.slice(0, 57)}…` : text;
}

/** The kinds that make sense for a value of this type, with weights. */
function kindsFor(t: JsonType): [MutationKind, number][] {
  switch (t) {
    case 'number':
      return [
        ['number', 5],
        ['wrong-type', 3],
        ['string', 1],
        ['null', 1],
        ['remove', 1],
      ];
    case 'string':
      return [
        ['string', 5],
        ['wrong-type', 3],
        ['number', 1],
        ['null', 1],
        ['remove', 1],
      ];
    case 'boolean':
    case 'null':
      return [
        ['wrong-type', 5],
        ['number', 1],
        ['string', 1],
        ['null', 1],
        ['remove', 1],
      ];
    case 'array':
      return [
        ['wrong-type', 3],
        ['element', 3],
        ['deep', 1],
        ['wide', 1],
        ['null', 1],
        ['remove', 1],
      ];
    case 'object':
      return [
        ['wrong-type', 3],
        ['extra-key', 3],
        ['deep', 1],
        ['wide', 1],
        ['null', 1],
        ['remove', 1],
      ];
    case 'missing':
      return [['wrong-type', 1]];
  }
}

/** An odd element for an array: wrong types, odd strings and numbers, nesting. */
function oddElement(rng: Rng, like: Json | undefined): Json {
  return rng.weighted<() => Json>([
    [() => wrongType(rng, like), 3],
    [() => rng.pick(ODD_STRINGS), 2],
    [() => rng.pick(ODD_NUMBERS), 2],
    [() => rng.pick(DEEP.slice(0, 3)), 1],
  ])();
}

/** Apply one mutation of `kind` at `path`. */
export function applyMutation(
  rng: Rng,
  body: Json,
  path: Path,
  kind: MutationKind,
): { body: Json; mutation: Mutation } {
  const original = getAt(body, path);
  let at = path;
  let value: Json | undefined;
  switch (kind) {
    case 'wrong-type':
      value = wrongType(rng, original);
      break;
    case 'null':
      value = null;
      break;
    case 'number':
      value = rng.pick(ODD_NUMBERS);
      break;
    case 'string':
      value = rng.pick(ODD_STRINGS);
      break;
    case 'remove':
      value = undefined;
      break;
    case 'deep':
      value = rng.pick(DEEP);
      break;
    case 'wide':
      value = wide(rng);
      break;
    case 'extra-key': {
      const key = rng.pick(ODD_KEYS);
      at = [...path, key];
      value = rng.chance(0.5)
        ? rng.pick<Json>([{}, { polluted: 'yes' }, [], null, 'x', 1])
        : oddElement(rng, undefined);
      if (!isPlainObject(original)) at = path;
      break;
    }
    case 'element': {
      const list = Array.isArray(original) ? original : [];
      at = [...path, rng.int(0, list.length)];
      value = oddElement(rng, list[0]);
      break;
    }
  }
  return { body: setAt(body, at, value), mutation: { kind, path: at, value: shortText(value) } };
}

/**
 * One to four mutations of a valid body, each at a path of the body as it
 * stands (the root too, rarely).
 */
export function mutateBody(rng: Rng, valid: Json): { body: Json; mutations: Mutation[] } {
  let body = valid;
  const mutations: Mutation[] = [];
  const count = rng.weighted([
    [1, 7],
    [2, 2],
    [4, 1],
  ]);
  for (let i = 0; i < count; i++) {
    const all = paths(body);
    // the root is one path among many; give it a small fixed share
    const path = rng.chance(0.03) ? [] : rng.pick(all.length > 1 ? all.slice(1) : all);
    const kind = rng.weighted(kindsFor(jsonType(getAt(body, path))));
    const r = applyMutation(rng, body, path, kind);
    body = r.body;
    mutations.push(r.mutation);
  }
  return { body, mutations };
}

/** `kind a.b[].c` with array indices folded: which family a mutation belongs to. */
export function mutationFamily(m: Mutation): string {
  return `${m.kind} ${pathText(m.path.map((p) => (typeof p === 'number' ? 0 : p))).replace(/\[0\]/g, '[]')}`;
}
