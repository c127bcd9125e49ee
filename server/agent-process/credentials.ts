// What an admitted agent keeps in its data dir (mode 0600): its cluster, node
// key and the last manager list it was told. The join token is never stored.

import { join } from 'node:path';
import { ensurePrivateDir, readJSONFile, writePrivateFile } from '../util/private-files';

export interface AgentCredentials {
  clusterID: string;
  nodeID: string;
  nodeKey: string;
  /** Manager raft ID → cluster address, as last pushed. */
  managers: Record<string, string>;
  leader: string;
}

const FILE = 'agent-credentials.json';

export function readAgentCredentials(dataDir: string): AgentCredentials | undefined {
  const p = readJSONFile(join(dataDir, FILE)) as Partial<AgentCredentials> | undefined;
  if (!p || typeof p.clusterID !== 'string' || typeof p.nodeID !== 'string' || typeof p.nodeKey !== 'string')
    return undefined;
  return {
    clusterID: p.clusterID,
    nodeID: p.nodeID,
    nodeKey: p.nodeKey,
    managers: p.managers ?? {},
    leader: p.leader ?? '',
  };
}

export function writeAgentCredentials(dataDir: string, creds: AgentCredentials): void {
  ensurePrivateDir(dataDir);
  writePrivateFile(join(dataDir, FILE), JSON.stringify(creds) + '\n');
}
