// What an admitted worker keeps in its data dir besides its certificate
// (certificates/, see node-tls): its cluster and node ID and the last manager
// list it was told. Mode 0600. The join token is never stored, and nothing
// here lets anyone in: only the certificate and its key do.
import { chmodSync, existsSync, mkdirSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';

export interface AgentCredentials {
  clusterID: string;
  nodeID: string;
  /** Manager raft ID → cluster address, as last pushed. */
  managers: Record<string, string>;
  leader: string;
}

const FILE = 'agent-credentials.json';

export function readAgentCredentials(dataDir: string): AgentCredentials | undefined {
  const file = join(dataDir, FILE);
  if (!existsSync(file)) return undefined;
  const p = JSON.parse(readFileSync(file, 'utf8')) as Partial<AgentCredentials>;
  if (typeof p.clusterID !== 'string' || typeof p.nodeID !== 'string') return undefined;
  return { clusterID: p.clusterID, nodeID: p.nodeID, managers: p.managers ?? {}, leader: p.leader ?? '' };
}

export function writeAgentCredentials(dataDir: string, creds: AgentCredentials): void {
  mkdirSync(dataDir, { recursive: true });
  const file = join(dataDir, FILE);
  const { clusterID, nodeID, managers, leader } = creds;
  writeFileSync(file + '.tmp', JSON.stringify({ clusterID, nodeID, managers, leader }) + '\n', { mode: 0o600 });
  // the mode applies only when the file is created: a leftover tmp file must not keep wider rights
  chmodSync(file + '.tmp', 0o600);
  renameSync(file + '.tmp', file);
}
