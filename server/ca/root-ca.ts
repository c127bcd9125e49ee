// The swarm's root of trust: creating it at `swarm init`, checking one that
// was fetched or given, and cross-signing the next root during a rotation.

import { createHash } from 'node:crypto';
import { CERT_BACKDATE_MS, ROOT_CA_EXPIRY_MS, ROOT_CN } from './constants';
import {
  certPem,
  EC_ALGORITHM,
  generateKeyPair,
  importPrivateKey,
  parseCertificates,
  privateKeyPem,
  publicKeyOf,
  serialNumber,
  toBuffer,
  x509,
} from './x509';

/** A CA certificate and its key (PEM): a root, or a rotation's next root. */
export interface CAKeyPair {
  cert: string;
  key: string;
}

const caExtensions = async (publicKey: CryptoKey | x509.PublicKey) => [
  new x509.BasicConstraintsExtension(true, 1, true),
  new x509.KeyUsagesExtension(x509.KeyUsageFlags.keyCertSign | x509.KeyUsageFlags.cRLSign, true),
  await x509.SubjectKeyIdentifierExtension.create(publicKey),
];

/** swarmkit CreateRootCA: a self-signed ECDSA P-256 root, `CN=swarm-ca`, valid 20 years. */
export async function createRootCA(now = Date.now()): Promise<CAKeyPair> {
  const keys = await generateKeyPair();
  const cert = await x509.X509CertificateGenerator.createSelfSigned({
    serialNumber: serialNumber(),
    name: [{ CN: [ROOT_CN] }],
    notBefore: new Date(now - CERT_BACKDATE_MS),
    notAfter: new Date(now + ROOT_CA_EXPIRY_MS),
    keys,
    signingAlgorithm: EC_ALGORITHM,
    extensions: await caExtensions(keys.publicKey),
  });
  return { cert: certPem(cert), key: await privateKeyPem(keys.privateKey) };
}

/** `sha256:<hex>` of the bundle's bytes: what a join token pins (digest.FromBytes). */
export function bundleDigest(bundle: string): string {
  return `sha256:${createHash('sha256').update(bundle, 'utf8').digest('hex')}`;
}

/**
 * Checks a trust bundle as swarmkit's NewRootCA does: at least one certificate, each a self-signed CA
 * with an ECDSA/RSA SHA-2 signature that verifies with its own key. Returns the parsed certificates.
 */
export async function checkRootBundle(bundle: string, now = Date.now()): Promise<x509.X509Certificate[]> {
  const certs = parseCertificates(bundle);
  for (const c of certs) {
    const bc = c.getExtension(x509.BasicConstraintsExtension);
    if (!bc?.ca) throw new Error('error while validating Root CA Certificate: certificate is not a CA');
    if (!(await c.isSelfSigned()))
      throw new Error('error while validating Root CA Certificate: certificate is not self-signed');
    if (c.notAfter.getTime() < now) throw new Error('error while validating Root CA Certificate: certificate expired');
    const alg = (c.signatureAlgorithm as { hash?: { name?: string } }).hash?.name ?? '';
    if (!/^SHA-(256|384|512)$/.test(alg)) throw new Error(`unsupported signature algorithm: ${alg || 'unknown'}`);
  }
  return certs;
}

/** Whether `keyPem` is the private key of `certPem` (swarmkit ensureCertKeyMatch). */
export async function keyMatches(cert: x509.X509Certificate, keyPem: string): Promise<boolean> {
  try {
    const pub = await publicKeyOf(await importPrivateKey(keyPem));
    return pub.equals(toBuffer(cert.publicKey.rawData));
  } catch {
    return false;
  }
}

/**
 * swarmkit CrossSignCACertificate: the next root's certificate (same subject, key, validity and
 * extensions) issued by the current root, so a chain through it verifies against either.
 */
export async function crossSignRoot(current: CAKeyPair, nextCertPem: string): Promise<string> {
  const [signer] = parseCertificates(current.cert);
  const [next] = parseCertificates(nextCertPem);
  if (!signer || !next) throw new Error('could not parse new CA certificate');
  if (!next.getExtension(x509.BasicConstraintsExtension)?.ca) throw new Error('certificate not a CA');
  const cross = await x509.X509CertificateGenerator.create({
    serialNumber: serialNumber(),
    subject: next.subjectName,
    issuer: signer.subjectName,
    notBefore: next.notBefore,
    notAfter: next.notAfter,
    publicKey: next.publicKey,
    signingKey: await importPrivateKey(current.key),
    signingAlgorithm: EC_ALGORITHM,
    extensions: [
      ...(await caExtensions(next.publicKey)),
      await x509.AuthorityKeyIdentifierExtension.create(signer.publicKey),
    ],
  });
  return certPem(cross);
}
