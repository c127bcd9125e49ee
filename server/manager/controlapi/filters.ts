import { SwarmError } from '../../api/errors';
import type { Labels } from '../../api/types';
import type { Filters } from './types';

/** moby's filters.Validate: an unknown key is a 400. */
export function checkFilterKeys(filters: Filters | undefined, accepted: readonly string[]): void {
  for (const key of Object.keys(filters ?? {})) {
    if (!accepted.includes(key)) throw new SwarmError('InvalidArgument', `invalid filter '${key}'`);
  }
}

export function values(filters: Filters | undefined, key: string): string[] {
  return filters?.[key] ?? [];
}

/** No prefixes means no restriction. */
export function matchesPrefix(value: string, prefixes: readonly string[]): boolean {
  return prefixes.length === 0 || prefixes.some((p) => value.startsWith(p));
}

/** `k=v` or `k` strings to a map, as moby's ConvertKVStringsToMap. */
export function labelFilter(list: readonly string[]): Labels {
  const out: Labels = {};
  for (const s of list) {
    const at = s.indexOf('=');
    if (at < 0) out[s] = '';
    else out[s.slice(0, at)] = s.slice(at + 1);
  }
  return out;
}

/** swarmkit filterMatchLabels: every key present, and equal where a value is given. */
export function matchesLabels(labels: Labels | undefined, want: Labels): boolean {
  for (const [k, v] of Object.entries(want)) {
    if (!labels || !Object.prototype.hasOwnProperty.call(labels, k)) return false;
    if (v !== '' && labels[k] !== v) return false;
  }
  return true;
}
