// Swarm specs and node specs for the invariant test: the current spec as
// `GET /swarm` / `GET /nodes/{id}` return it (what the CLI edits and posts
// back), with 0–2 random fields changed.

import type { Gen } from './gen';
import { BOUNDARY_NUMBERS, ODD_STRINGS, setPath, wrongType } from './gen';
import type { SpecCase } from './service-specs';

type Path = string[];
interface Field {
  path: Path;
  words: string[];
  value(g: Gen): unknown;
}

const num = (path: Path, words: string[], domain: readonly number[] = []): Field => ({
  path,
  words,
  value: (g) => (g.chance(0.8) ? g.pick([...BOUNDARY_NUMBERS, ...domain]) : wrongType(g, 'number')),
});
const SECOND = 1e9;

const SWARM_FIELDS: Field[] = [
  { path: ['Name'], words: ['name'], value: (g) => g.pick(['default', '', 'prod', 3]) },
  {
    path: ['Labels'],
    words: ['label'],
    value: (g) =>
      g.pick([
        {},
        { team: g.pick(ODD_STRINGS) },
        { 'swarmdeck.max-replicas': g.pick(['20', '1', '0', 'lots', '100000', '100001']) },
        { 'swarmdeck.spec-history-limit': g.pick(['2', '500', '1', '501', 'x']) },
        { a: 1 },
        [],
      ]),
  },
  num(['Orchestration', 'TaskHistoryRetentionLimit'], ['taskhistoryretentionlimit'], [5, -1, 0]),
  num(['Raft', 'SnapshotInterval'], ['snapshotinterval'], [10000, 99, 100]),
  num(['Raft', 'KeepOldSnapshots'], ['keepoldsnapshots']),
  num(['Raft', 'LogEntriesForSlowFollowers'], ['logentriesforslowfollowers']),
  num(['Raft', 'ElectionTick'], ['electiontick'], [10, 20, 2]),
  num(['Raft', 'HeartbeatTick'], ['heartbeattick'], [1, 2, 10]),
  num(['Raft', 'TickInterval'], ['tickinterval'], [10e6, 75e6, 10 * SECOND, 9e6, 11 * SECOND]),
  num(['Dispatcher', 'HeartbeatPeriod'], ['heartbeat'], [SECOND, 5 * SECOND, 100e6, 99e6, -SECOND]),
  num(['CAConfig', 'NodeCertExpiry'], ['certificate expiry', 'nodecertexpiry'], [3600 * SECOND, 3599 * SECOND, 0]),
  {
    path: ['CAConfig', 'ExternalCAs'],
    words: ['externalcas', 'protocol', 'url'],
    value: (g) => [{ Protocol: g.pick(['cfssl', 'CFSSL', 'acme', '', 1]), URL: g.pick(['https://ca', 2]) }],
  },
  { path: ['CAConfig', 'SigningCAKey'], words: ['signingcakey'], value: (g) => g.pick(['KEY', 5]) },
  {
    path: ['TaskDefaults', 'LogDriver'],
    words: ['logdriver', 'name', 'options'],
    value: (g) => g.pick([{ Name: 'json-file' }, { Name: 1 }, 'x']),
  },
  {
    path: ['EncryptionConfig', 'AutoLockManagers'],
    words: ['autolockmanagers', 'autolock'],
    value: (g) => (g.chance(0.5) ? g.chance(0.5) : wrongType(g, 'boolean')),
  },
];

// Role "manager" is left out: promoting a simulated worker would ask raft to admit a member that has no process.
const NODE_FIELDS: Field[] = [
  { path: ['Role'], words: ['role'], value: (g) => g.pick(['worker', 'WORKER', 'boss', '', 3]) },
  {
    path: ['Availability'],
    words: ['availability'],
    value: (g) => g.pick(['active', 'pause', 'drain', 'Drain', 'off', '', true]),
  },
  { path: ['Name'], words: ['name'], value: (g) => g.pick([...ODD_STRINGS, 5]) },
  {
    path: ['Labels'],
    words: ['labels'],
    value: (g) =>
      g.pick([{}, { zone: g.pick(ODD_STRINGS) }, { [g.pick(['ünï', 'k'.repeat(200)])]: 'v' }, { a: 1 }, 'zone=a']),
  },
];

function mutate(g: Gen, base: Record<string, unknown>, fields: Field[], max: number): SpecCase {
  const body = structuredClone(base);
  const words: string[] = [];
  const notes: string[] = [];
  const n = g.int(0, max);
  for (let i = 0; i < n; i++) {
    const f = g.pick(fields);
    const value = f.value(g);
    setPath(body, f.path, value);
    words.push(...f.words, ...f.path.map((p) => p.toLowerCase()));
    notes.push(`${f.path.join('.')} = ${JSON.stringify(value)?.slice(0, 200)}`);
  }
  return { body, words, notes };
}

export const swarmCase = (g: Gen, current: Record<string, unknown>): SpecCase => mutate(g, current, SWARM_FIELDS, 2);
export const nodeCase = (g: Gen, current: Record<string, unknown>): SpecCase => mutate(g, current, NODE_FIELDS, 2);
