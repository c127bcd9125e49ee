// A seeded source of test values: the repo's PRNG plus the pools the spec
// generators draw from (wrong JSON types, boundary numbers, odd but valid
// strings), so a failing seed replays exactly.

/** The spec generators' source of values (the shared seeded Rng). */
import type { Rng } from '../rng';
export { Rng as Gen } from '../rng';

/** A JSON value of every type: what a careless client sends where the field wants another. */
export const ANY_JSON: readonly unknown[] = ['text', '', '3', 12, -3.5, 0, true, false, [], ['x'], [1], {}, { a: 1 }];

/** The numbers at the edges of Go's integer kinds and of Docker's own bounds. */
export const BOUNDARY_NUMBERS: readonly number[] = [
  0,
  1,
  -1,
  1.5,
  -0.5,
  2 ** 31 - 1,
  2 ** 31,
  2 ** 32 - 1,
  2 ** 32,
  2 ** 53,
  2 ** 63,
  -(2 ** 63),
  1e300,
  65535,
  65536,
  999_999,
  1e6,
  4 * 1024 * 1024 - 1,
  4 * 1024 * 1024,
];

/** Strings that are valid wherever any string is, yet unusual. */
export const ODD_STRINGS: readonly string[] = [
  '',
  ' ',
  'ünïcødé ☃',
  'x'.repeat(300),
  '{{.Service.Name}}-{{.Task.Slot}}',
  'k=v=w',
  'tab\there',
  'line\nbreak',
  '"quoted"',
  '0',
];

export function jsonType(v: unknown): string {
  if (v === null) return 'null';
  if (Array.isArray(v)) return 'array';
  return typeof v;
}

/** A value whose JSON type differs from `like`'s. */
export function wrongType(g: Rng, like: 'string' | 'number' | 'boolean' | 'array' | 'object'): unknown {
  return g.pick(ANY_JSON.filter((v) => jsonType(v) !== like));
}

/** Sets `path` in a JSON object, creating objects on the way (arrays are indexed as given). */
export function setPath(root: Record<string, unknown>, path: readonly (string | number)[], value: unknown): void {
  let cur: Record<string | number, unknown> = root;
  for (let i = 0; i < path.length - 1; i++) {
    const key = path[i]!;
    const next = cur[key];
    if (typeof next !== 'object' || next === null) cur[key] = typeof path[i + 1] === 'number' ? [] : {};
    cur = cur[key] as Record<string | number, unknown>;
  }
  cur[path[path.length - 1]!] = value;
}
