// A node joining with a token, the TLS half: pin the swarm's root by the
// token's digest before anything secret is sent; send the token and a CSR only
// to a manager whose certificate that root verifies; keep the certificate the
// CA answers with.

import { SwarmError } from '../api/errors';
import { checkNodeChain, createCSR, INVALID_JOIN_TOKEN_FORMAT, type NodeCertificate } from '../ca';
import type { NodeCredentials } from './node-credentials';
import { pinnedRootCA } from './remote-ca';

export interface PendingJoin {
  trustRoot: string;
  /** The key the node keeps; only its CSR leaves the process. */
  key: string;
  csr: string;
}

/**
 * Fetches and pins the root (throws `invalid join token`, or swarm's fingerprint error, before any
 * secret is sent), then arms `credentials` to show the token to managers that root verifies.
 */
export async function beginJoin(credentials: NodeCredentials, remote: string, token: string): Promise<PendingJoin> {
  let trustRoot: string;
  try {
    trustRoot = await pinnedRootCA(remote, token);
  } catch (err) {
    const message = (err as Error).message;
    const wrongSwarm = message === INVALID_JOIN_TOKEN_FORMAT || message.startsWith('remote CA does not match');
    throw new SwarmError(wrongSwarm ? 'InvalidArgument' : 'Unavailable', message);
  }
  const { key, csr } = await createCSR();
  credentials.beginJoin(trustRoot, token);
  return { trustRoot, key, csr };
}

export class JoinAnswerError extends Error {}

/** Checks the CA's answer (it must name this node, its role and the swarm) and keeps it. */
export async function completeJoin(
  credentials: NodeCredentials,
  pending: PendingJoin,
  answer: { certificate: string; clusterID: string; nodeID: string },
  expect: { role: 'manager' | 'worker'; nodeID: string },
): Promise<NodeCertificate> {
  const cert = await checkNodeChain(answer.certificate, pending.trustRoot, pending.key);
  if (cert.nodeID !== expect.nodeID || cert.clusterID !== answer.clusterID || cert.role !== expect.role)
    throw new JoinAnswerError(
      `the swarm issued a certificate for ${cert.role} ${cert.nodeID} of ${cert.clusterID}, not for this ${expect.role}`,
    );
  return credentials.install({ chain: answer.certificate, key: pending.key, trustRoot: pending.trustRoot });
}
