// Generic resources (swarmkit api/genericresource): what a node has beyond
// CPU and memory — `--generic-resource gpu=2` (a discrete count) or
// `--generic-resource gpu=GPU-UUID1 --generic-resource gpu=GPU-UUID2` (named
// ones, each counting one) — and what a task reserves
// (`docker service create --generic-resource gpu=1`: discrete only). Pure.

import type { GenericResource } from './types';

/** swarmkit's Parse: `kind=value` terms; one integer per kind is discrete, any number of non-integers are named. */
export function parseGenericResources(terms: readonly string[]): GenericResource[] {
  const byKind = new Map<string, string[]>();
  for (const term of terms) {
    const kv = term.split('=');
    if (kv.length !== 2 || !kv[0]!.trim() || !kv[1]!.trim())
      throw new Error(`could not parse GenericResource: incorrect term ${term}, missing '=' or malformed expression`);
    const kind = kv[0]!.trim();
    byKind.set(kind, [...(byKind.get(kind) ?? []), kv[1]!.trim()]);
  }
  const out: GenericResource[] = [];
  for (const [kind, values] of byKind) {
    const ints = values.filter((v) => /^\d+$/.test(v));
    if (values.length === 1 && ints.length === 1) {
      out.push({ DiscreteResourceSpec: { Kind: kind, Value: Number(values[0]) } });
    } else if (ints.length === 0) {
      for (const v of values) out.push({ NamedResourceSpec: { Kind: kind, Value: v } });
    } else {
      throw new Error(
        `could not parse GenericResource: mixed discrete and named resources in expression '${kind}=[${values.join(' ')}]'`,
      );
    }
  }
  return out;
}

/** How many of each kind a node has: a discrete value, or the number of named resources. */
export function genericCapacity(resources: readonly GenericResource[] | undefined): Map<string, number> {
  const out = new Map<string, number>();
  for (const r of resources ?? []) {
    const kind = r.DiscreteResourceSpec?.Kind ?? r.NamedResourceSpec?.Kind;
    if (!kind) continue;
    const n = r.DiscreteResourceSpec ? (r.DiscreteResourceSpec.Value ?? 0) : 1;
    out.set(kind, (out.get(kind) ?? 0) + n);
  }
  return out;
}

/**
 * What a task asks for per kind. A named resource in a task cannot be
 * satisfied (swarmkit's HasEnough: "task should only hold Discrete type"):
 * its kind asks for more than any node has.
 */
export function genericDemand(resources: readonly GenericResource[] | undefined): Map<string, number> {
  const out = new Map<string, number>();
  for (const r of resources ?? []) {
    if (r.NamedResourceSpec?.Kind) out.set(r.NamedResourceSpec.Kind, Number.POSITIVE_INFINITY);
    const d = r.DiscreteResourceSpec;
    if (d?.Kind && (d.Value ?? 0) > 0) out.set(d.Kind, (out.get(d.Kind) ?? 0) + (d.Value ?? 0));
  }
  return out;
}

/** Whether `available` covers every kind in `demand`. */
export function hasEnoughGeneric(available: ReadonlyMap<string, number>, demand: ReadonlyMap<string, number>): boolean {
  for (const [kind, n] of demand) if ((available.get(kind) ?? 0) < n) return false;
  return true;
}
