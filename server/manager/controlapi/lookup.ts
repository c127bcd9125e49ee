import { SwarmError, notFound } from '../../api/errors';

export interface Lookup<T extends { ID: string }> {
  /** Exact full ID. */
  byID(id: string): T | undefined;
  /** Objects whose name matches `name` exactly (the caller decides case rules). */
  byName(name: string): T[];
  all(): Iterable<T>;
}

/**
 * Resolve a user-typed reference the way moby's getService/getNode/getTask
 * do: full ID, then exact name, then a unique ID prefix. Several name or
 * prefix matches are an error (400), none is a 404.
 */
export function resolveRef<T extends { ID: string }>(kind: string, ref: string, lookup: Lookup<T>): T {
  if (!ref) throw notFound(kind, ref);
  const exact = lookup.byID(ref);
  if (exact) return exact;
  let matches = lookup.byName(ref);
  if (matches.length === 0) {
    matches = [];
    for (const o of lookup.all()) if (o.ID.startsWith(ref)) matches.push(o);
  }
  if (matches.length === 0) throw notFound(kind, ref);
  if (matches.length > 1) throw ambiguous(kind, ref, matches.length);
  return matches[0]!;
}

export function ambiguous(kind: string, ref: string, n: number): SwarmError {
  return new SwarmError('InvalidArgument', `${kind} ${ref} is ambiguous (${n} matches found)`);
}
