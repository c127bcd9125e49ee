// A node's TLS identity on disk, where swarmkit keeps it: <data dir>/certificates/
// swarm-root-ca.crt (the trust root), swarm-node.crt (its chain) and
// swarm-node.key. The directory is 0700 and every file 0600.

import { existsSync, readFileSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { ensurePrivateDir, makePrivate, writePrivateFile } from '../util/private-files';

export interface CertFiles {
  trustRoot: string;
  chain: string;
  key: string;
}

const DIR = 'certificates';
const FILES = { trustRoot: 'swarm-root-ca.crt', chain: 'swarm-node.crt', key: 'swarm-node.key' } as const;

export function certDir(dataDir: string): string {
  return join(dataDir, DIR);
}

/** Makes the directory and the files in it private again if something widened them (the key above all). */
export function secureCertFiles(dataDir: string): void {
  const dir = certDir(dataDir);
  makePrivate(dir);
  for (const f of Object.values(FILES)) makePrivate(join(dir, f));
}

/** All three files, or undefined when this node has none (not joined yet) or only some. */
export function readCertFiles(dataDir: string): CertFiles | undefined {
  const dir = certDir(dataDir);
  const paths = Object.values(FILES).map((f) => join(dir, f));
  if (!paths.every((p) => existsSync(p))) return undefined;
  const [trustRoot, chain, key] = paths.map((p) => readFileSync(p, 'utf8')) as [string, string, string];
  return { trustRoot, chain, key };
}

/**
 * Writes the identity, key first and trust root last: a crash between files leaves a new key with an
 * old chain, which fails to load as a pair and is then treated as no identity (the node renews or rejoins).
 */
export function writeCertFiles(dataDir: string, files: CertFiles): void {
  const dir = certDir(dataDir);
  ensurePrivateDir(dir);
  // written through a fresh temporary file each (never through a leftover one), 0600 from creation
  writePrivateFile(join(dir, FILES.key), files.key);
  writePrivateFile(join(dir, FILES.chain), files.chain);
  writePrivateFile(join(dir, FILES.trustRoot), files.trustRoot);
}

/** Forget the identity (a swarm init that never committed). */
export function removeCertFiles(dataDir: string): void {
  rmSync(certDir(dataDir), { recursive: true, force: true });
}
