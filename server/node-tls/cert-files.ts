// A node's TLS identity on disk, where swarmkit keeps it: <data dir>/certificates/
// swarm-root-ca.crt (the trust root), swarm-node.crt (its chain) and
// swarm-node.key. The directory is 0700 and every file 0600.

import { chmodSync, existsSync, mkdirSync, readFileSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';

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

/** All three files, or undefined when this node has none (not joined yet) or only some. */
export function readCertFiles(dataDir: string): CertFiles | undefined {
  const dir = certDir(dataDir);
  const paths = Object.values(FILES).map((f) => join(dir, f));
  if (!paths.every((p) => existsSync(p))) return undefined;
  const [trustRoot, chain, key] = paths.map((p) => readFileSync(p, 'utf8')) as [string, string, string];
  return { trustRoot, chain, key };
}

function writePrivate(file: string, data: string): void {
  writeFileSync(file + '.tmp', data, { mode: 0o600 });
  // the mode applies only when the file is created: a leftover tmp file must not keep wider rights
  chmodSync(file + '.tmp', 0o600);
  renameSync(file + '.tmp', file);
}

/**
 * Writes the identity, key first and trust root last: a crash between files leaves a new key with an
 * old chain, which fails to load as a pair and is then treated as no identity (the node renews or rejoins).
 */
export function writeCertFiles(dataDir: string, files: CertFiles): void {
  const dir = certDir(dataDir);
  mkdirSync(dir, { recursive: true, mode: 0o700 });
  chmodSync(dir, 0o700);
  writePrivate(join(dir, FILES.key), files.key);
  writePrivate(join(dir, FILES.chain), files.chain);
  writePrivate(join(dir, FILES.trustRoot), files.trustRoot);
}

/** Forget the identity (a swarm init that never committed). */
export function removeCertFiles(dataDir: string): void {
  rmSync(certDir(dataDir), { recursive: true, force: true });
}
