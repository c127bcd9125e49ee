import { existsSync, mkdirSync, readFileSync, writeFileSync, renameSync } from 'node:fs';
import { join } from 'node:path';
import { nodeIdentitySchema, parsePersisted } from './api/schemas/persisted';

/** This process's node ID, kept beside the database so a restart is the same node. */
export function readNodeID(dataDir: string): string | undefined {
  const file = join(dataDir, 'node.json');
  if (!existsSync(file)) return undefined;
  return parsePersisted(nodeIdentitySchema, readFileSync(file, 'utf8'), file).nodeID;
}

export function writeNodeID(dataDir: string, nodeID: string): void {
  mkdirSync(dataDir, { recursive: true });
  const file = join(dataDir, 'node.json');
  writeFileSync(file + '.tmp', JSON.stringify({ nodeID }) + '\n');
  renameSync(file + '.tmp', file);
}
