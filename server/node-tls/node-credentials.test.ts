import { mkdtempSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import {
  createCSR,
  createRootCA,
  rootCAFrom,
  signCSR,
  signerOf,
  startRotation,
  finishRotation,
  WORKER_ROLE,
} from '../ca';
import type { RootCA } from '../api/types';
import { certDir } from './cert-files';
import { NodeCredentials } from './node-credentials';

const dirs: string[] = [];
afterAll(() => dirs.forEach((d) => rmSync(d, { recursive: true, force: true })));
const dataDir = () => {
  const d = mkdtempSync(join(tmpdir(), 'swarmdeck-tls-'));
  dirs.push(d);
  return d;
};

async function issue(root: RootCA, nodeID = 'w1') {
  const { csr, key } = await createCSR();
  const chain = await signCSR(signerOf(root), csr, { nodeID, role: WORKER_ROLE, clusterID: 'c1' }, 3_600_000);
  return { chain, key };
}

describe('a node TLS identity', () => {
  it('is kept in <data dir>/certificates, private to the user, and loads back', async () => {
    const dir = dataDir();
    const root = rootCAFrom(await createRootCA());
    const creds = new NodeCredentials(dir);
    let changes = 0;
    creds.onChange(() => changes++);
    const cert = await creds.install({ ...(await issue(root)), trustRoot: root.CACert });
    expect(cert).toMatchObject({ nodeID: 'w1', role: 'worker', clusterID: 'c1' });
    expect(changes).toBe(1);
    expect(statSync(certDir(dir)).mode & 0o777).toBe(0o700);
    for (const f of ['swarm-root-ca.crt', 'swarm-node.crt', 'swarm-node.key'])
      expect(statSync(join(certDir(dir), f)).mode & 0o777).toBe(0o600);
    const again = await NodeCredentials.load(dir);
    expect(again.certificate).toEqual(cert);
    expect(again.material()).toEqual(creds.material());
    expect(again.tlsInfo()).toMatchObject({ TrustRoot: root.CACert });
    expect(again.joinToken()).toBeUndefined();
  });

  it('ignores a damaged identity on disk (a chain that does not match its key)', async () => {
    const dir = dataDir();
    const root = rootCAFrom(await createRootCA());
    await new NodeCredentials(dir).install({ ...(await issue(root)), trustRoot: root.CACert });
    writeFileSync(join(certDir(dir), 'swarm-node.key'), (await createCSR()).key);
    const logged: string[] = [];
    const loaded = await NodeCredentials.load(dir, (m) => logged.push(m));
    expect(loaded.certificate).toBeUndefined();
    expect(logged.join()).toMatch(/does not match the private key/);
  });

  it('while joining trusts only the pinned root and shows the token; a certificate ends that', async () => {
    const root = rootCAFrom(await createRootCA());
    const creds = new NodeCredentials(undefined);
    expect(creds.material()).toBeUndefined();
    creds.beginJoin(root.CACert, 'SWMTKN-1-x');
    expect(creds.material()).toEqual({ ca: root.CACert });
    expect(creds.joinToken()).toBe('SWMTKN-1-x');
    await creds.install(await issue(root));
    expect(creds.joinToken()).toBeUndefined();
    expect(creds.material()?.cert).toMatch(/BEGIN CERTIFICATE/);
  });

  it('takes a new trust root only when its chain verifies against it', async () => {
    const root = rootCAFrom(await createRootCA());
    const rotating = await startRotation(root, await createRootCA(), 1);
    const done = finishRotation(rotating);
    const creds = new NodeCredentials(undefined);
    await creds.install({ ...(await issue(root)), trustRoot: root.CACert });
    // a certificate from the old root does not verify against the new one
    await expect(creds.updateTrustRoot(done.CACert)).rejects.toThrow(/unknown authority/);
    await creds.install(await issue(rotating));
    expect(await creds.updateTrustRoot(done.CACert)).toBe(true);
    expect(creds.trustRoot).toBe(done.CACert);
    expect(await creds.updateTrustRoot(done.CACert)).toBe(false);
  });
});
