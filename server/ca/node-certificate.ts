// Reading a node certificate chain: who it names, when it expires, who issued
// it, and the TLSInfo a node reports (swarmkit NodeTLSInfo / IssuerInfo).

import type { RootCA, TLSInfo } from '../api/types';
import { ouRole } from './constants';
import type { x509 } from './x509';
import { importPrivateKey, parseCertificates, publicKeyOf, toBuffer } from './x509';

export interface NodeCertificate {
  nodeID: string;
  role: 'manager' | 'worker';
  clusterID: string;
  notBefore: number;
  notAfter: number;
  /** The leaf's issuer as base64 DER subject and SPKI (empty until `issuer` is resolved). */
  issuer: { subject: string; publicKey: string };
}

const b64 = (b: ArrayBuffer): string => toBuffer(b).toString('base64');
const first = (name: x509.Name, field: string): string => name.getField(field)[0] ?? '';

export class CertificateError extends Error {}

/**
 * Parses a chain (leaf first) and checks it: the leaf names a node (CN), a role (OU) and a cluster
 * (O); it verifies through the chain's intermediates to a certificate of `trustRoot`; and, when
 * given, `key` is its private key. Expiry is the caller's business (`notAfter`).
 */
export async function checkNodeChain(chainPem: string, trustRoot: string, key?: string): Promise<NodeCertificate> {
  let chain: x509.X509Certificate[];
  let roots: x509.X509Certificate[];
  try {
    chain = parseCertificates(chainPem);
    roots = parseCertificates(trustRoot);
  } catch (err) {
    throw new CertificateError(`invalid certificate: ${(err as Error).message}`);
  }
  const leaf = chain[0]!;
  const role = ouRole(first(leaf.subjectName, 'OU'));
  const nodeID = first(leaf.subjectName, 'CN');
  const clusterID = first(leaf.subjectName, 'O');
  if (!role || !nodeID || !clusterID) throw new CertificateError('invalid certificate: not a swarm node certificate');
  const issuer = await issuerOf(leaf, chain.slice(1), roots);
  if (!issuer) throw new CertificateError('certificate signed by unknown authority');
  if (key !== undefined) {
    const pub = await publicKeyOf(await importPrivateKey(key)).catch(() => undefined);
    if (!pub?.equals(toBuffer(leaf.publicKey.rawData)))
      throw new CertificateError('the certificate does not match the private key');
  }
  return {
    nodeID,
    role,
    clusterID,
    notBefore: leaf.notBefore.getTime(),
    notAfter: leaf.notAfter.getTime(),
    issuer: { subject: b64(issuer.subjectName.toArrayBuffer()), publicKey: b64(issuer.publicKey.rawData) },
  };
}

/** The certificate that signed `cert`: an intermediate leading to a root, or a root itself. */
async function issuerOf(
  cert: x509.X509Certificate,
  intermediates: x509.X509Certificate[],
  roots: x509.X509Certificate[],
  depth = 0,
): Promise<x509.X509Certificate | undefined> {
  if (depth > 4) return undefined;
  const signs = (c: x509.X509Certificate) =>
    c.subject === cert.issuer && cert.verify({ publicKey: c.publicKey, signatureOnly: true }).catch(() => false);
  for (const root of roots) if (await signs(root)) return root;
  for (const mid of intermediates) {
    if (mid === cert || !(await signs(mid))) continue;
    if (await issuerOf(mid, intermediates, roots, depth + 1)) return mid;
  }
  return undefined;
}

/** What a node reports in `Description.TLSInfo`: the root it trusts and who issued its certificate. */
export function nodeTLSInfo(cert: NodeCertificate, trustRoot: string): TLSInfo {
  return { TrustRoot: trustRoot, CertIssuerSubject: cert.issuer.subject, CertIssuerPublicKey: cert.issuer.publicKey };
}

/**
 * The swarm's TLSInfo (`docker info`, `GET /swarm`): today's trust root, and the issuer every node's
 * certificate should have, which during a rotation is already the next root (IssuerFromAPIRootCA).
 */
export function clusterTLSInfo(rootCA: RootCA | undefined): TLSInfo {
  if (!rootCA) return { TrustRoot: '', CertIssuerSubject: '', CertIssuerPublicKey: '' };
  const issuer = desiredIssuer(rootCA);
  return { TrustRoot: rootCA.CACert, CertIssuerSubject: issuer.subject, CertIssuerPublicKey: issuer.publicKey };
}

const issuerCache = new Map<string, { subject: string; publicKey: string }>();

/** Subject and key (base64 DER) every node certificate should be issued by now. */
export function desiredIssuer(rootCA: RootCA): { subject: string; publicKey: string } {
  const pem = rootCA.RootRotation?.CACert ?? rootCA.CACert;
  let found = issuerCache.get(pem);
  if (!found) {
    const [cert] = parseCertificates(pem);
    found = { subject: b64(cert!.subjectName.toArrayBuffer()), publicKey: b64(cert!.publicKey.rawData) };
    if (issuerCache.size > 16) issuerCache.clear();
    issuerCache.set(pem, found);
  }
  return found;
}
