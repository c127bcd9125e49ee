// Query-name handling, as libnetwork's Sandbox.ResolveName and handlePTRQuery read names.

/** Trailing dot off, lower case: names are matched case-insensitively (libnetwork lower-cases keys). */
export function normalizeName(name: string): string {
  return (name.endsWith('.') ? name.slice(0, -1) : name).toLowerCase();
}

export interface NameInNetwork {
  name: string;
  /** Lower-cased network name to look in, or '' for every network the asker is on. */
  network: string;
}

/**
 * `a.b.c` is tried as `a.b.c` on every network, then `a.b` on network `c`, then `a` on
 * network `b.c` (Sandbox.ResolveName), so `web.appnet` finds `web` on appnet only.
 */
export function nameCandidates(normalized: string): NameInNetwork[] {
  const out: NameInNetwork[] = [{ name: normalized, network: '' }];
  for (let i = normalized.lastIndexOf('.'); i > 0; i = normalized.lastIndexOf('.', i - 1)) {
    out.push({ name: normalized.slice(0, i), network: normalized.slice(i + 1) });
  }
  return out;
}

const IPV4_PTR_SUFFIX = '.in-addr.arpa';

/**
 * `3.1.0.10.in-addr.arpa` → "10.0.1.3". Anything else (ip6.arpa included: libnetwork keys its
 * reverse map by the dotted IPv4 form, so IPv6 PTR never matches there) → undefined.
 */
export function ptrAddress(normalized: string): string | undefined {
  if (!normalized.endsWith(IPV4_PTR_SUFFIX)) return undefined;
  const labels = normalized.slice(0, -IPV4_PTR_SUFFIX.length).split('.');
  if (labels.length !== 4 || !labels.every((l) => /^\d{1,3}$/.test(l))) return undefined;
  return labels.reverse().join('.');
}

export function isSingleLabel(normalized: string): boolean {
  return !normalized.includes('.');
}
