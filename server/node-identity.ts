import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { nodeIdentitySchema, parsePersisted } from './api/schemas/persisted';
import { ensurePrivateDir, writePrivateFile } from './util/private-files';

/** This process's node ID, kept beside the database so a restart is the same node. */
export function readNodeID(dataDir: string): string | undefined {
  const file = join(dataDir, 'node.json');
  if (!existsSync(file)) return undefined;
  return parsePersisted(nodeIdentitySchema, readFileSync(file, 'utf8'), file).nodeID;
}

export function writeNodeID(dataDir: string, nodeID: string): void {
  ensurePrivateDir(dataDir);
  writePrivateFile(join(dataDir, 'node.json'), JSON.stringify({ nodeID }) + '\n');
}
