import { X509Certificate } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { CERT_BACKDATE_MS, MANAGER_ROLE, ROOT_CA_EXPIRY_MS, WORKER_ROLE } from './constants';
import { createCSR, CSRError, signCSR, signerOf } from './issue';
import { checkNodeChain, CertificateError } from './node-certificate';
import { bundleDigest, checkRootBundle, createRootCA } from './root-ca';
import { rootCAFrom } from './rotation';
import { EC_ALGORITHM, generateKeyPair, x509 } from './x509';

const NOW = Date.parse('2026-01-01T00:00:00Z');
const HOUR = 3_600_000;

describe('root CA', () => {
  it('is a self-signed ECDSA P-256 CA named swarm-ca, valid 20 years', async () => {
    const root = await createRootCA(NOW);
    const cert = new X509Certificate(root.cert);
    expect(cert.subject).toBe('CN=swarm-ca');
    expect(cert.issuer).toBe('CN=swarm-ca');
    expect(cert.ca).toBe(true);
    expect(cert.publicKey.asymmetricKeyDetails?.namedCurve).toBe('prime256v1');
    expect(cert.checkIssued(cert)).toBe(true);
    expect(cert.verify(cert.publicKey)).toBe(true);
    expect(Date.parse(cert.validTo) - NOW).toBe(ROOT_CA_EXPIRY_MS);
    expect(root.key).toMatch(/^-----BEGIN PRIVATE KEY-----\n/);
    await expect(checkRootBundle(root.cert, NOW)).resolves.toHaveLength(1);
    expect(bundleDigest(root.cert)).toMatch(/^sha256:[0-9a-f]{64}$/);
  });

  it('refuses a bundle holding a certificate that is not a self-signed CA', async () => {
    const root = rootCAFrom(await createRootCA(NOW));
    const { csr } = await createCSR();
    const leaf = await signCSR(signerOf(root), csr, { nodeID: 'n1', role: WORKER_ROLE, clusterID: 'c1' }, HOUR, NOW);
    await expect(checkRootBundle(leaf, NOW)).rejects.toThrow(/not a CA/);
    await expect(checkRootBundle('not pem', NOW)).rejects.toThrow();
  });
});

describe('node certificates', () => {
  it('carry the subject the CA decides, whatever the CSR asked for', async () => {
    const root = rootCAFrom(await createRootCA(NOW));
    // a CSR asking to be someone else, in another cluster, as a manager
    const keys = await generateKeyPair();
    const greedy = await x509.Pkcs10CertificateRequestGenerator.create({
      name: 'CN=victim, OU=swarm-manager, O=othercluster',
      keys,
      signingAlgorithm: EC_ALGORITHM,
      extensions: [new x509.SubjectAlternativeNameExtension([{ type: 'dns', value: 'swarm-ca' }])],
    });
    const chain = await signCSR(
      signerOf(root),
      greedy.toString('pem'),
      { nodeID: 'node1', role: WORKER_ROLE, clusterID: 'cluster1' },
      90 * 24 * HOUR,
      NOW,
    );
    const cert = new X509Certificate(chain);
    expect(cert.subject.split('\n').sort()).toEqual(['CN=node1', 'O=cluster1', 'OU=swarm-worker']);
    expect(cert.subjectAltName).toBe('DNS:swarm-worker, DNS:node1');
    expect(cert.keyUsage).toEqual(['1.3.6.1.5.5.7.3.1', '1.3.6.1.5.5.7.3.2']);
    expect(cert.ca).toBe(false);
    expect(Date.parse(cert.validFrom)).toBe(NOW - CERT_BACKDATE_MS);
    expect(Date.parse(cert.validTo)).toBe(NOW + 90 * 24 * HOUR);
    expect(cert.checkIssued(new X509Certificate(root.CACert))).toBe(true);
    const parsed = await checkNodeChain(chain, root.CACert);
    expect(parsed).toMatchObject({ nodeID: 'node1', role: 'worker', clusterID: 'cluster1' });
  });

  it('gives managers the swarm-ca name joiners dial', async () => {
    const root = rootCAFrom(await createRootCA(NOW));
    const { csr, key } = await createCSR();
    const chain = await signCSR(signerOf(root), csr, { nodeID: 'm1', role: MANAGER_ROLE, clusterID: 'c' }, HOUR, NOW);
    expect(new X509Certificate(chain).subjectAltName).toBe('DNS:swarm-manager, DNS:m1, DNS:swarm-ca');
    await expect(checkNodeChain(chain, root.CACert, key)).resolves.toMatchObject({ role: 'manager' });
  });

  it('signs no certificate for a node ID that is a role name or not a plain ID', async () => {
    const root = rootCAFrom(await createRootCA(NOW));
    const { csr } = await createCSR();
    // a worker named swarm-manager would carry the DNS name managers are dialled by
    for (const nodeID of ['swarm-manager', 'swarm-worker', 'swarm-ca', 'SWARM-CA', 'a.b', 'a b', '', 'x'.repeat(65)]) {
      const subject = { nodeID, role: WORKER_ROLE, clusterID: 'c' } as const;
      await expect(signCSR(signerOf(root), csr, subject, HOUR, NOW)).rejects.toThrow(/invalid node ID/);
    }
  });

  it('refuses a CSR whose signature does not verify, or that is not P-256', async () => {
    const root = rootCAFrom(await createRootCA(NOW));
    const subject = { nodeID: 'n', role: WORKER_ROLE, clusterID: 'c' } as const;
    const { csr } = await createCSR();
    const der = Buffer.from(csr.replace(/-----[A-Z ]+-----|\s/g, ''), 'base64');
    der[der.length - 5]! ^= 0xff; // inside the signature
    const tampered = x509.PemConverter.encode(new Uint8Array(der), 'CERTIFICATE REQUEST');
    await expect(signCSR(signerOf(root), tampered, subject, HOUR, NOW)).rejects.toBeInstanceOf(CSRError);
    await expect(signCSR(signerOf(root), 'garbage', subject, HOUR, NOW)).rejects.toBeInstanceOf(CSRError);
    const p384 = { name: 'ECDSA', namedCurve: 'P-384', hash: 'SHA-384' };
    const keys = (await crypto.subtle.generateKey(p384, true, ['sign', 'verify'])) as CryptoKeyPair;
    const other = await x509.Pkcs10CertificateRequestGenerator.create({ keys, signingAlgorithm: p384 });
    await expect(signCSR(signerOf(root), other.toString('pem'), subject, HOUR, NOW)).rejects.toThrow(/P-256/);
  });

  it('backdates an hour, except for the shorter lifetimes only tests may set', async () => {
    const root = rootCAFrom(await createRootCA(NOW));
    const { csr } = await createCSR();
    const s = { nodeID: 'n', role: WORKER_ROLE, clusterID: 'c' } as const;
    const short = new X509Certificate(await signCSR(signerOf(root), csr, s, 8_000, NOW));
    expect(Date.parse(short.validFrom)).toBe(NOW - 2_000);
    expect(Date.parse(short.validTo)).toBe(NOW + 8_000);
  });

  it('are refused when they chain to another root or do not match the key', async () => {
    const root = rootCAFrom(await createRootCA(NOW));
    const other = rootCAFrom(await createRootCA(NOW));
    const { csr } = await createCSR();
    const { key: wrongKey } = await createCSR();
    const chain = await signCSR(signerOf(root), csr, { nodeID: 'n', role: WORKER_ROLE, clusterID: 'c' }, HOUR, NOW);
    await expect(checkNodeChain(chain, other.CACert)).rejects.toThrow(/unknown authority/);
    await expect(checkNodeChain(chain, root.CACert, wrongKey)).rejects.toBeInstanceOf(CertificateError);
    await expect(checkNodeChain(root.CACert, root.CACert)).rejects.toThrow(/not a swarm node certificate/);
  });
});
