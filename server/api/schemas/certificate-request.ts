// What `swarmdeck cert` asks a manager's admin socket for: a client
// certificate for a person and a role, or the Engine API's own certificate.

import { z } from 'zod';

const ROLES = ['viewer', 'operator', 'admin'] as const;
/** Longest validity a certificate may be asked for: 10 years, in hours. */
export const MAX_CERT_EXPIRY_HOURS = 87_600;

const expiryHours = z
  .number({ error: 'a number of hours' })
  .int({ error: 'a whole number of hours' })
  .min(1, { error: 'at least 1 hour' })
  .max(MAX_CERT_EXPIRY_HOURS, { error: `at most ${MAX_CERT_EXPIRY_HOURS} hours (10 years)` })
  .optional();

export const clientCertificateRequestSchema = z.object({
  name: z.string({ error: 'a name is required' }).min(1, { error: 'a name is required' }).max(64),
  role: z.enum(ROLES, { error: `one of ${ROLES.join(', ')}` }),
  expiryHours,
});

export const engineCertificateRequestSchema = z.object({
  hosts: z
    .array(z.string().min(1).max(253), { error: 'a list of host names and IP addresses' })
    .min(1, { error: 'at least one host name or IP address' })
    .max(32),
  expiryHours,
});

export const issuedCertificateSchema = z.object({ ca: z.string(), cert: z.string(), key: z.string() });
export type IssuedCertificateAnswer = z.infer<typeof issuedCertificateSchema>;
