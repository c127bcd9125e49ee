// Engine API client certificates: signed by the swarm CA for a named person,
// with the role they act in as the subject's OU (viewer, operator, admin), so
// the Engine API can map a verified client certificate to a role as the
// console maps an account. Node certificates (OU=swarm-manager|swarm-worker)
// carry no such role and map to none.

import { isIP } from 'node:net';
import { ROLES, type Role } from '../api/access';
import { signLeaf } from './leaf';
import { CERT_BACKDATE_MS, ouRole } from './constants';
import type { Signer } from './issue';
import { generateKeyPair, privateKeyPem, x509 } from './x509';

/** The roles a client certificate carries: the console's (server/api/access.ts). */
export const ENGINE_ROLES = ROLES;
export type EngineRole = Role;

/** A client certificate's validity unless asked otherwise: a year, as `docker` guides suggest for client certs. */
export const DEFAULT_CLIENT_CERT_EXPIRY_MS = 365 * 24 * 3_600_000;

const NAME = /^[a-zA-Z0-9][a-zA-Z0-9_.@-]{0,63}$/;
export const CLIENT_NAME_RULE =
  'a name is 1-64 characters of letters, digits, "_", ".", "@" and "-", starting with a letter or digit';

/** A request the issuers refuse (a bad name, role or host): the caller's mistake, not the CA's. */
export class CertificateRequestError extends Error {}

export function isEngineRole(s: string): s is EngineRole {
  return (ENGINE_ROLES as readonly string[]).includes(s);
}

export interface ClientSubject {
  /** Who: the person or automation the certificate is for (CN). */
  name: string;
  role: EngineRole;
  /** The swarm it belongs to (O), as in node certificates. */
  clusterID: string;
}

export interface IssuedClientCertificate {
  /** The leaf, then the signer's intermediates (PEM). */
  cert: string;
  /** Its PKCS#8 private key (PEM): written once, never kept by the swarm. */
  key: string;
}

/** A new P-256 key and its certificate, `CN=<name>, OU=<role>, O=<cluster ID>`, client auth only. */
export async function issueClientCertificate(
  signer: Signer,
  subject: ClientSubject,
  expiryMs = DEFAULT_CLIENT_CERT_EXPIRY_MS,
  now = Date.now(),
): Promise<IssuedClientCertificate> {
  if (!NAME.test(subject.name))
    throw new CertificateRequestError(`invalid name "${subject.name}": ${CLIENT_NAME_RULE}`);
  if (!isEngineRole(subject.role))
    throw new CertificateRequestError(`invalid role "${String(subject.role)}": one of ${ENGINE_ROLES.join(', ')}`);
  const keys = await generateKeyPair();
  const cert = await signLeaf(signer, {
    subject: [{ O: [subject.clusterID] }, { OU: [subject.role] }, { CN: [subject.name] }],
    publicKey: keys.publicKey,
    notBefore: new Date(now - CERT_BACKDATE_MS),
    notAfter: new Date(now + expiryMs),
    keyUsage: x509.KeyUsageFlags.digitalSignature,
    extendedKeyUsage: [x509.ExtendedKeyUsage.clientAuth],
  });
  return { cert, key: await privateKeyPem(keys.privateKey) };
}

/** The Engine API's own certificate: `CN=swarmdeck-engine, O=<cluster ID>`, server auth, for these names and IPs. */
export async function issueEngineServerCertificate(
  signer: Signer,
  opts: { hosts: readonly string[]; clusterID: string },
  expiryMs = DEFAULT_CLIENT_CERT_EXPIRY_MS,
  now = Date.now(),
): Promise<IssuedClientCertificate> {
  if (opts.hosts.length === 0)
    throw new CertificateRequestError('the Engine API certificate needs at least one host name or IP address');
  for (const h of opts.hosts)
    if (!isIP(h) && !/^[a-zA-Z0-9]([a-zA-Z0-9-]{0,62})(\.[a-zA-Z0-9]([a-zA-Z0-9-]{0,62}))*$/.test(h))
      throw new CertificateRequestError(`invalid host "${h}": a DNS name or an IP address`);
  const keys = await generateKeyPair();
  const cert = await signLeaf(signer, {
    subject: [{ O: [opts.clusterID] }, { CN: ['swarmdeck-engine'] }],
    publicKey: keys.publicKey,
    notBefore: new Date(now - CERT_BACKDATE_MS),
    notAfter: new Date(now + expiryMs),
    keyUsage: x509.KeyUsageFlags.digitalSignature | x509.KeyUsageFlags.keyEncipherment,
    extendedKeyUsage: [x509.ExtendedKeyUsage.serverAuth],
    altNames: opts.hosts.map((value) => ({ type: isIP(value) ? ('ip' as const) : ('dns' as const), value })),
  });
  return { cert, key: await privateKeyPem(keys.privateKey) };
}

/** The subject fields of a peer certificate as node's TLS reports them (a field may repeat: an array). */
export interface PeerSubject {
  CN?: string | string[];
  OU?: string | string[];
  O?: string | string[];
}

export interface ClientIdentity {
  /** `CN=…,OU=…,O=…`: what the audit log names the client by. */
  subject: string;
  name: string;
  role: EngineRole;
}

const one = (v: string | string[] | undefined): string | undefined =>
  Array.isArray(v) ? (v.length === 1 ? v[0] : undefined) : v;

/**
 * Who a client certificate the TLS handshake already verified speaks for: its CN and the role in its OU.
 * Anything else (no certificate, a node certificate, several OUs, an unknown role, a certificate of
 * another swarm when `clusterID` is given) is no one.
 */
export function clientIdentity(
  peer: { subject?: PeerSubject } | undefined,
  clusterID?: string,
): ClientIdentity | undefined {
  const s = peer?.subject;
  if (!s) return undefined;
  const name = one(s.CN);
  const role = one(s.OU);
  const org = one(s.O);
  if (!name || !NAME.test(name) || !role || !isEngineRole(role)) return undefined;
  if (clusterID !== undefined && org !== clusterID) return undefined;
  return { subject: `CN=${name},OU=${role}${org ? `,O=${org}` : ''}`, name, role };
}

/** Whether a verified peer certificate is a swarm node's (OU=swarm-manager|swarm-worker): never an Engine API client. */
export function isNodeCertificate(peer: { subject?: PeerSubject } | undefined): boolean {
  const ou = peer?.subject?.OU;
  return (Array.isArray(ou) ? ou : [ou]).some((o) => ouRole(o) !== undefined);
}
