// When a node renews its certificate (swarmkit calculateRandomExpiry): at a
// random point between 50 % and 80 % of its validity, so a swarm's nodes do
// not all come back to the CA at once.

import { RENEW_AT_LOWER, RENEW_AT_UPPER } from './constants';
import type { NodeCertificate } from './node-certificate';

/** Milliseconds from `now` until the renewal (0: due now). `random` is in [0, 1). */
export function renewalDelayMs(cert: { notBefore: number; notAfter: number }, now: number, random: number): number {
  const validity = cert.notAfter - cert.notBefore;
  const share = RENEW_AT_LOWER + (RENEW_AT_UPPER - RENEW_AT_LOWER) * random;
  return Math.max(0, Math.round(cert.notBefore + validity * share - now));
}

/** Why a certificate must be replaced before its time, or undefined when it may wait for renewal. */
export function renewalReason(
  cert: NodeCertificate,
  want: { issuer?: { subject: string; publicKey: string }; role?: 'manager' | 'worker' },
): string | undefined {
  if (want.role && want.role !== cert.role) return `the node's role is now ${want.role}`;
  const issuer = want.issuer;
  if (issuer && (issuer.subject !== cert.issuer.subject || issuer.publicKey !== cert.issuer.publicKey))
    return 'the swarm is rotating its root CA';
  return undefined;
}
