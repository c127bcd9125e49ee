import { randomBytes } from 'node:crypto';
import { chmodSync, existsSync, mkdirSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';

/**
 * What lets this manager into its raft group: the swarm's cluster ID and the
 * per-cluster member key handed out at join. Kept only in the data dir (mode
 * 0600): never in the replicated store, the Engine API, the console or logs.
 */
export interface ClusterCredentials {
  clusterID: string;
  memberKey: string;
}

const FILE = 'cluster-credentials.json';

export function newMemberKey(): string {
  return randomBytes(32).toString('base64url');
}

export function readClusterCredentials(dataDir: string): ClusterCredentials | undefined {
  const file = join(dataDir, FILE);
  if (!existsSync(file)) return undefined;
  const parsed = JSON.parse(readFileSync(file, 'utf8')) as Partial<ClusterCredentials>;
  if (typeof parsed.clusterID !== 'string' || typeof parsed.memberKey !== 'string') return undefined;
  return { clusterID: parsed.clusterID, memberKey: parsed.memberKey };
}

export function writeClusterCredentials(dataDir: string, creds: ClusterCredentials): void {
  mkdirSync(dataDir, { recursive: true });
  const file = join(dataDir, FILE);
  writeFileSync(file + '.tmp', JSON.stringify(creds) + '\n', { mode: 0o600 });
  // the mode applies only when the file is created: a leftover tmp file must not keep wider rights
  chmodSync(file + '.tmp', 0o600);
  renameSync(file + '.tmp', file);
}
