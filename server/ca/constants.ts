// swarmkit's certificate constants (ca/certificates.go, ca/config.go).

/** Organizational units: what a node certificate lets its holder call. */
export const MANAGER_ROLE = 'swarm-manager';
export const WORKER_ROLE = 'swarm-worker';
/** The extra DNS name every manager certificate carries: joiners dial the CA by it. */
export const CA_ROLE = 'swarm-ca';
export type CertRole = typeof MANAGER_ROLE | typeof WORKER_ROLE;

export const ROOT_CN = 'swarm-ca';
const HOUR_MS = 3_600_000;
/** RootCAExpiration = 630720000s: 20 years. */
export const ROOT_CA_EXPIRY_MS = 630_720_000_000;
/** DefaultNodeCertExpiration = 2160h: 90 days. */
export const DEFAULT_NODE_CERT_EXPIRY_MS = 2160 * HOUR_MS;
/** MinNodeCertExpiration: the API refuses anything shorter. */
export const MIN_NODE_CERT_EXPIRY_MS = HOUR_MS;
/** CertBackdate: certificates start an hour early, for clocks that lag. */
export const CERT_BACKDATE_MS = HOUR_MS;
/** CertLowerRotationRange / CertUpperRotationRange: a node renews at a random point in this share of its validity. */
export const RENEW_AT_LOWER = 0.5;
export const RENEW_AT_UPPER = 0.8;
/** A root given with `docker swarm ca --ca-cert` must stay valid at least this long (minRootExpiration). */
export const MIN_ROOT_EXPIRY_MS = 365 * 24 * HOUR_MS;

export function roleOU(role: 'manager' | 'worker'): CertRole {
  return role === 'manager' ? MANAGER_ROLE : WORKER_ROLE;
}

export function ouRole(ou: string | undefined): 'manager' | 'worker' | undefined {
  return ou === MANAGER_ROLE ? 'manager' : ou === WORKER_ROLE ? 'worker' : undefined;
}
