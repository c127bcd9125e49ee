// The embedded DNS's answer to one question from one task, as libnetwork's Resolver.serveDNS
// decides it (moby v28.2.2 libnetwork/resolver.go). Pure: the view and the random source
// come in, the records (or "forward it") go out; the server only encodes and sends.
import { isSingleLabel, nameCandidates, normalizeName, ptrAddress } from './names';
import type { NetworkRecords, ResolverView } from './resolver-records';

/** respTTL: every A and PTR answer carries it. */
export const RESPONSE_TTL = 600;

export interface DnsQuestion {
  /** As asked (the answer repeats it), with or without the trailing dot. */
  name: string;
  /** Record type mnemonic: A, AAAA, PTR, SRV, MX; any other is forwarded. */
  type: string;
}

export interface DnsAsker {
  /** The asking task's networks, in its attachment order. */
  networkIDs: readonly string[];
  /** The task set `ndots` in its DNS options: an unknown single-label A/AAAA is not forwarded. */
  ndotsSet?: boolean;
}

export interface DnsRecord {
  name: string;
  type: 'A' | 'PTR';
  ttl: number;
  /** An IPv4 address for A, a fully qualified name for PTR. */
  data: string;
}

/**
 * `answer`: NOERROR (recursion available) with these records, possibly none.
 * `forward`: not ours; the server asks the upstreams, and answers SERVFAIL if none replies.
 * libnetwork never answers NXDOMAIN itself: that comes only from an upstream.
 */
export type DnsAnswer = { kind: 'answer'; records: DnsRecord[] } | { kind: 'forward' };

const FORWARD: DnsAnswer = { kind: 'forward' };

/** The networks to look in, in order. Ingress holds no names, so it is left out. */
function networksOf(view: ResolverView, asker: DnsAsker): NetworkRecords[] {
  const out: NetworkRecords[] = [];
  for (const id of asker.networkIDs) {
    const net = view.networks.get(id);
    if (net && !net.ingress && !out.includes(net)) out.push(net);
  }
  return out;
}

/** Sandbox.ResolveName: the first candidate found on a shared network wins; undefined = unknown. */
export function resolveName(view: ResolverView, asker: DnsAsker, name: string): string[] | undefined {
  const nets = networksOf(view, asker);
  for (const candidate of nameCandidates(normalizeName(name))) {
    for (const net of nets) {
      if (candidate.network !== '' && candidate.network !== net.name.toLowerCase()) continue;
      const ips = net.names.get(candidate.name);
      if (ips) return [...ips.keys()];
    }
  }
  return undefined;
}

/** Fisher–Yates from the top, as libnetwork's shuffleAddr. */
function shuffle<T>(items: T[], rng: () => number): T[] {
  for (let i = items.length - 1; i > 0; i--) {
    const j = Math.floor(rng() * (i + 1));
    const swap = items[i] as T;
    items[i] = items[j] as T;
    items[j] = swap;
  }
  return items;
}

function answerAddress(view: ResolverView, asker: DnsAsker, q: DnsQuestion, rng: () => number): DnsAnswer {
  const ips = resolveName(view, asker, q.name);
  if (!ips) {
    // serveDNS: with ndots set, a single-label miss gets an empty answer so the client
    // retries with its search domains instead of leaking the name upstream.
    if (asker.ndotsSet && isSingleLabel(normalizeName(q.name))) return { kind: 'answer', records: [] };
    return FORWARD;
  }
  // Swarm registers IPv4 only: a known name asked for AAAA is an empty NOERROR answer.
  if (q.type === 'AAAA') return { kind: 'answer', records: [] };
  const records = shuffle(ips, rng).map((ip) => ({ name: q.name, type: 'A' as const, ttl: RESPONSE_TTL, data: ip }));
  return { kind: 'answer', records };
}

function answerPointer(view: ResolverView, asker: DnsAsker, q: DnsQuestion): DnsAnswer {
  const ip = ptrAddress(normalizeName(q.name));
  if (!ip) return FORWARD;
  for (const net of networksOf(view, asker)) {
    // Several names for one address happen only in transitions; libnetwork takes the first.
    const name = net.ptr.get(ip)?.[0];
    if (name)
      return {
        kind: 'answer',
        records: [{ name: q.name, type: 'PTR', ttl: RESPONSE_TTL, data: `${name}.${net.name}.` }],
      };
  }
  return FORWARD;
}

export function answerQuestion(
  view: ResolverView,
  asker: DnsAsker,
  question: DnsQuestion,
  rng: () => number,
): DnsAnswer {
  switch (question.type.toUpperCase()) {
    case 'A':
    case 'AAAA':
      return answerAddress(view, asker, { ...question, type: question.type.toUpperCase() }, rng);
    case 'PTR':
      return answerPointer(view, asker, question);
    case 'MX':
      // "Implicit MX" (RFC 5321 §5.1): a known name gets an empty NOERROR answer.
      return resolveName(view, asker, question.name) ? { kind: 'answer', records: [] } : FORWARD;
    case 'SRV':
      // libnetwork's SRV table (svcInfo.service) is filled only by its tests, never in swarm
      // mode, so every SRV question is forwarded (v28.2.2 network.go ResolveService).
      return FORWARD;
    default:
      return FORWARD;
  }
}

/**
 * The asker for a task the view knows. `dnsOptions`: the resolv.conf options the task ends up
 * with (the host's and its DNSConfig.Options); libnetwork notes whether `ndots` is among them.
 */
export function askerForTask(view: ResolverView, taskID: string, dnsOptions: readonly string[] = []): DnsAsker {
  return {
    networkIDs: view.taskNetworks.get(taskID) ?? [],
    ndotsSet: dnsOptions.some((o) => o.startsWith('ndots:')),
  };
}
