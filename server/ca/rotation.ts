// Root rotation (`docker swarm ca --rotate`), as swarmkit's validateCAConfig
// and rootRotationReconciler do it: a new root, cross-signed by the current
// one; every node renews until its certificate comes from the new key; then
// the new root replaces the old and the join tokens change with its digest.

import type { CAConfig, Node, RootCA } from '../api/types';
import { MIN_ROOT_EXPIRY_MS } from './constants';
import { desiredIssuer } from './node-certificate';
import { bundleDigest, checkRootBundle, createRootCA, crossSignRoot, keyMatches, type CAKeyPair } from './root-ca';
import { normalizePems } from './x509';

/** A CA config the swarm cannot take; the message is swarmkit's. */
export class CAConfigError extends Error {}

/** The RootCA object of a new swarm. */
export function rootCAFrom(pair: CAKeyPair, forceRotate = 0): RootCA {
  return { CACert: pair.cert, CAKey: pair.key, CACertHash: bundleDigest(pair.cert), LastForcedRotation: forceRotate };
}

/** The rotation to `next`: cross-signed by the current root (never by a rotation's next root). */
export async function startRotation(current: RootCA, next: CAKeyPair, forceRotate: number): Promise<RootCA> {
  const cross = await crossSignRoot({ cert: current.CACert, key: current.CAKey }, next.cert);
  return {
    ...current,
    RootRotation: { CACert: next.cert, CAKey: next.key, CrossSignedCACert: cross },
    LastForcedRotation: forceRotate,
  };
}

/**
 * What the CA becomes after a spec update (swarmkit validateCAConfig, without external CAs): the same
 * root; a generated new root when ForceRotate changed; or the given signing cert and key.
 */
export async function nextRootCA(current: RootCA, config: CAConfig, now = Date.now()): Promise<RootCA> {
  const force = config.ForceRotate ?? 0;
  const certIn = config.SigningCACert?.trim() ?? '';
  const keyIn = config.SigningCAKey?.trim() ?? '';
  if (keyIn && !certIn)
    throw new CAConfigError('if a signing CA key is provided, the signing CA cert must also be provided');
  if (!certIn) {
    if (current.LastForcedRotation === force) return current;
    return startRotation(current, await createRootCA(now), force);
  }
  // swarmdeck signs with its own keys only: a cert without its key would need an external CA
  if (!keyIn)
    throw new CAConfigError(
      'there must be at least one valid, reachable external CA corresponding to the desired CA certificate',
    );
  let cert: string;
  try {
    cert = normalizePems(certIn);
  } catch {
    throw new CAConfigError('could not parse the desired CA certificate');
  }
  const parsed = await checkRootBundle(cert, now).catch((err: Error) => {
    throw new CAConfigError(err.message);
  });
  if (parsed.length !== 1) throw new CAConfigError('the desired CA certificate cannot contain multiple certificates');
  if (!(await keyMatches(parsed[0]!, keyIn)))
    throw new CAConfigError('certificate key mismatch: the signing key does not match the CA certificate');
  if (parsed[0]!.notAfter.getTime() < now + MIN_ROOT_EXPIRY_MS)
    throw new CAConfigError('CA certificate expires too soon');
  const key = keyIn.endsWith('\n') ? keyIn : keyIn + '\n';
  // the current root again: any rotation is abandoned
  if (cert === current.CACert) return { ...current, CAKey: key, RootRotation: undefined, LastForcedRotation: force };
  if (keyIn === current.CAKey.trim()) throw new CAConfigError('Cannot update to a cert with an identical key');
  const r = current.RootRotation;
  if (r && r.CACert === cert) return { ...current, RootRotation: { ...r, CAKey: key }, LastForcedRotation: force };
  return startRotation(current, { cert, key }, force);
}

/** Whether every node's certificate now comes from the rotation's new key (swarmkit hasIssuer on all nodes). */
export function rotationConverged(rootCA: RootCA, nodes: readonly Node[]): boolean {
  if (!rootCA.RootRotation) return false;
  const want = desiredIssuer(rootCA);
  return nodes.every(
    (n) =>
      n.Description.TLSInfo?.CertIssuerSubject === want.subject &&
      n.Description.TLSInfo?.CertIssuerPublicKey === want.publicKey,
  );
}

/** The end of a rotation: the next root is the root; the old one is no longer trusted (swarmkit finishRootRotation). */
export function finishRotation(rootCA: RootCA): RootCA {
  const r = rootCA.RootRotation;
  if (!r) return rootCA;
  return {
    CACert: r.CACert,
    CAKey: r.CAKey,
    CACertHash: bundleDigest(r.CACert),
    LastForcedRotation: rootCA.LastForcedRotation,
  };
}
