import { randomBytes } from 'node:crypto';
import { join } from 'node:path';
import { ensurePrivateDir, readJSONFile, writePrivateFile } from './util/private-files';

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
  const parsed = readJSONFile(join(dataDir, FILE)) as Partial<ClusterCredentials> | undefined;
  if (!parsed || typeof parsed.clusterID !== 'string' || typeof parsed.memberKey !== 'string') return undefined;
  return { clusterID: parsed.clusterID, memberKey: parsed.memberKey };
}

export function writeClusterCredentials(dataDir: string, creds: ClusterCredentials): void {
  ensurePrivateDir(dataDir);
  writePrivateFile(join(dataDir, FILE), JSON.stringify(creds) + '\n');
}
