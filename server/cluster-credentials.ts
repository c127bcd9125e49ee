import { randomBytes } from 'node:crypto';
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { ensurePrivateDir, writePrivateFile } from './util/private-files';
import type { z } from 'zod';
import type { Assert, Equal } from './api/schemas/types-agree';
import { clusterCredentialsSchema, parsePersisted } from './api/schemas/persisted';

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
  return parsePersisted(clusterCredentialsSchema, readFileSync(file, 'utf8'), file);
}

export function writeClusterCredentials(dataDir: string, creds: ClusterCredentials): void {
  ensurePrivateDir(dataDir);
  writePrivateFile(join(dataDir, FILE), JSON.stringify(creds) + '\n');
}

/** The schema decodes into exactly this type. */
export type ClusterCredentialsAgrees = Assert<Equal<z.output<typeof clusterCredentialsSchema>, ClusterCredentials>>;
