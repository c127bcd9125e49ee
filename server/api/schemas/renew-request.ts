// A node's certificate renewal over its own (certified) connection: the CSR
// it sends and the chain it gets back. A P-256 CSR is well under 1 KiB and a
// chain (the node's certificate, a cross-signed root during a rotation) a
// few KiB; anything much larger is refused before it is parsed or signed.

import { z } from 'zod';
import { nodeIdSchema } from './join-request';

/** Longest CSR a node may send, as for a join's CSR. */
export const MAX_CSR_CHARS = 16 * 1024;
/** Longest certificate chain or root a manager may answer with. */
export const MAX_CHAIN_CHARS = 64 * 1024;

const pem = (label: string, max: number) =>
  z
    .string({ error: `a PEM ${label} is required` })
    .min(1, { error: `a PEM ${label} is required` })
    .max(max, { error: `longer than ${max} characters` })
    .refine((s) => s.trimStart().startsWith(`-----BEGIN ${label}-----`), { error: `not a PEM ${label}` });

export const renewRequestSchema = z.object({
  ca: z.literal('renew'),
  csr: pem('CERTIFICATE REQUEST', MAX_CSR_CHARS),
  /** Set by a member passing another node's renewal on to the leader; a node asking for itself leaves it out. */
  nodeID: nodeIdSchema().optional(),
});

export const renewAnswerSchema = z.object({
  certificate: pem('CERTIFICATE', MAX_CHAIN_CHARS),
  rootCA: pem('CERTIFICATE', MAX_CHAIN_CHARS),
});
export type RenewRequest = z.infer<typeof renewRequestSchema>;
