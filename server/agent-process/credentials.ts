// What an admitted worker keeps in its data dir besides its certificate
// (certificates/, see node-tls): its cluster and node ID and the last manager
// list it was told. Mode 0600. The join token is never stored, and nothing
// here lets anyone in: only the certificate and its key do.
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { ensurePrivateDir, writePrivateFile } from '../util/private-files';
import type { z } from 'zod';
import type { Assert, Equal } from '../api/schemas/types-agree';
import { agentCredentialsSchema, parsePersisted } from '../api/schemas/persisted';

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
  return parsePersisted(agentCredentialsSchema, readFileSync(file, 'utf8'), file);
}

export function writeAgentCredentials(dataDir: string, creds: AgentCredentials): void {
  ensurePrivateDir(dataDir);
  writePrivateFile(join(dataDir, FILE), JSON.stringify(creds) + '\n');
}

/** The schema decodes into exactly this type. */
export type AgentCredentialsAgrees = Assert<Equal<z.output<typeof agentCredentialsSchema>, AgentCredentials>>;
