import { join } from 'node:path';
import { ensurePrivateDir, readJSONFile, writePrivateFile } from './util/private-files';

/** This process's node ID, kept beside the database so a restart is the same node. */
export function readNodeID(dataDir: string): string | undefined {
  const parsed = readJSONFile(join(dataDir, 'node.json')) as { nodeID?: unknown } | undefined;
  return typeof parsed?.nodeID === 'string' ? parsed.nodeID : undefined;
}

export function writeNodeID(dataDir: string, nodeID: string): void {
  ensurePrivateDir(dataDir);
  writePrivateFile(join(dataDir, 'node.json'), JSON.stringify({ nodeID }) + '\n');
}
