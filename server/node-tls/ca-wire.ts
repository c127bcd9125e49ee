// The one CA call a node makes over its own (certified) connection: renew.
// Joins carry their CSR in the join request itself.

export interface RenewRequest {
  ca: 'renew';
  /** The node's new certificate request (PEM); the CA decides the subject from its certificate and the store. */
  csr: string;
}

export interface RenewAnswer {
  certificate: string;
  rootCA: string;
}

export const renewRequest = (csr: string): RenewRequest => ({ ca: 'renew', csr });

export function isRenewRequest(p: unknown): p is RenewRequest {
  const r = p as Partial<RenewRequest> | null;
  return !!r && r.ca === 'renew' && typeof r.csr === 'string';
}

export function isRenewAnswer(a: unknown): a is RenewAnswer {
  const r = a as Partial<RenewAnswer> | null;
  return !!r && typeof r.certificate === 'string' && typeof r.rootCA === 'string';
}
