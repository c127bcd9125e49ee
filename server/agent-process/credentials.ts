// What an admitted agent keeps in its data dir (mode 0600): its cluster, node
// key and the last manager list it was told. The join token is never stored.

import { chmodSync, existsSync, mkdirSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { z } from 'zod';
import type { Assert, Equal } from '../api/schemas/types-agree';
import { agentCredentialsSchema, parsePersisted } from '../api/schemas/persisted';

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
  const file = join(dataDir, FILE);
  if (!existsSync(file)) return undefined;
  return parsePersisted(agentCredentialsSchema, readFileSync(file, 'utf8'), file);
}

export function writeAgentCredentials(dataDir: string, creds: AgentCredentials): void {
  mkdirSync(dataDir, { recursive: true });
  const file = join(dataDir, FILE);
  writeFileSync(file + '.tmp', JSON.stringify(creds) + '\n', { mode: 0o600 });
  // the mode applies only when the file is created: a leftover tmp file must not keep wider rights
  chmodSync(file + '.tmp', 0o600);
  renameSync(file + '.tmp', file);
}

/** The schema decodes into exactly this type. */
export type AgentCredentialsAgrees = Assert<Equal<z.output<typeof agentCredentialsSchema>, AgentCredentials>>;
