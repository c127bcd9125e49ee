// The one CA call a node makes over its own (certified) connection: renew.
// Joins carry their CSR in the join request itself.

import { renewAnswerSchema, renewRequestSchema } from '../api/schemas/renew-request';
import { parseWire } from '../api/schemas/wire';

export interface RenewRequest {
  ca: 'renew';
  /** The node's new certificate request (PEM); the CA decides the subject from its certificate and the store. */
  csr: string;
}

export interface RenewAnswer {
  certificate: string;
  rootCA: string;
}

/** The request for `csr`, checked as the manager will check it (a bad CSR fails here, clearly, not there). */
export const renewRequest = (csr: string): RenewRequest =>
  parseWire(renewRequestSchema, { ca: 'renew', csr }, 'renewal');

export function isRenewRequest(p: unknown): p is RenewRequest {
  const r = p as Partial<RenewRequest> | null;
  return !!r && r.ca === 'renew' && typeof r.csr === 'string';
}

/** A manager's answer: PEM certificates of bounded size. */
export function isRenewAnswer(a: unknown): a is RenewAnswer {
  return renewAnswerSchema.safeParse(a).success;
}
