// Node certificates: the node makes a key and a CSR; the CA signs it with the
// subject it decides (swarmkit PrepareCSR overrides whatever the CSR asked).

import { isNodeID, NODE_ID_RULE } from '../api/node-id';
import type { RootCA } from '../api/types';
import { CA_ROLE, CERT_BACKDATE_MS, MANAGER_ROLE, MIN_NODE_CERT_EXPIRY_MS, type CertRole } from './constants';
import { signLeaf } from './leaf';
import { EC_ALGORITHM, generateKeyPair, privateKeyPem, x509 } from './x509';

/** A node's new key and the request it sends (PEM). */
export interface KeyAndCSR {
  key: string;
  csr: string;
}

/** swarmkit GenerateNewCSR: a P-256 key and a CSR with no particular subject (the CA decides it). */
export async function createCSR(): Promise<KeyAndCSR> {
  const keys = await generateKeyPair();
  const csr = await x509.Pkcs10CertificateRequestGenerator.create({ keys, signingAlgorithm: EC_ALGORITHM });
  return { key: await privateKeyPem(keys.privateKey), csr: csr.toString('pem') + '\n' };
}

/** What the CA puts in a node certificate, whatever the CSR asked for. */
export interface NodeSubject {
  nodeID: string;
  role: CertRole;
  clusterID: string;
}

/** The certificate and key that sign node certificates now, and the chain a leaf carries up to the root. */
export interface Signer {
  cert: string;
  key: string;
  /** Intermediates appended to every leaf (the cross-signed next root during a rotation). */
  intermediates: string;
}

/**
 * swarmkit RootCAFromAPI: the root signs, except during a rotation, when the next root's key signs
 * through its cross-signed certificate, which goes with every leaf so old and new trust both verify it.
 */
export function signerOf(rootCA: RootCA): Signer {
  const r = rootCA.RootRotation;
  if (r) return { cert: r.CrossSignedCACert, key: r.CAKey, intermediates: r.CrossSignedCACert };
  return { cert: rootCA.CACert, key: rootCA.CAKey, intermediates: '' };
}

export class CSRError extends Error {}

/**
 * Signs a node's CSR: `CN=<node ID>`, `OU=<role>`, `O=<cluster ID>`, DNS names `[role, node ID]` (plus
 * `swarm-ca` for managers), server and client auth, valid `expiryMs` from an hour ago. Returns the
 * leaf followed by the signer's intermediates (PEM).
 */
export async function signCSR(
  signer: Signer,
  csrPem: string,
  subject: NodeSubject,
  expiryMs: number,
  now = Date.now(),
): Promise<string> {
  // the node ID becomes a DNS name next to the role names managers are dialled by
  if (!isNodeID(subject.nodeID)) throw new CSRError(`invalid node ID "${subject.nodeID}": ${NODE_ID_RULE}`);
  let csr: x509.Pkcs10CertificateRequest;
  try {
    csr = new x509.Pkcs10CertificateRequest(csrPem);
  } catch {
    throw new CSRError('invalid CSR: not a PKCS#10 certificate request');
  }
  if (!(await csr.verify().catch(() => false))) throw new CSRError('invalid CSR: its signature does not verify');
  const alg = csr.publicKey.algorithm as EcKeyAlgorithm;
  if (alg.name !== 'ECDSA' || alg.namedCurve !== 'P-256')
    throw new CSRError('invalid CSR: the key must be ECDSA P-256');
  const names = [subject.role, subject.nodeID, ...(subject.role === MANAGER_ROLE ? [CA_ROLE] : [])];
  // an expiry under the API's minimum (only a test setting allows one) backdates by a quarter of it
  const backdate = expiryMs >= MIN_NODE_CERT_EXPIRY_MS ? CERT_BACKDATE_MS : expiryMs / 4;
  return signLeaf(signer, {
    subject: [{ O: [subject.clusterID] }, { OU: [subject.role] }, { CN: [subject.nodeID] }],
    publicKey: csr.publicKey,
    notBefore: new Date(now - backdate),
    notAfter: new Date(now + expiryMs),
    keyUsage: x509.KeyUsageFlags.digitalSignature | x509.KeyUsageFlags.keyEncipherment,
    extendedKeyUsage: [x509.ExtendedKeyUsage.serverAuth, x509.ExtendedKeyUsage.clientAuth],
    altNames: names.map((value) => ({ type: 'dns' as const, value })),
  });
}
