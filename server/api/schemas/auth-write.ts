// The writes behind the console's accounts, sessions and share links, as a
// follower forwards them to the leader: checked here field by field before
// the leader proposes anything. The objects arrive built (IDs, hashes) by the
// manager that took the request; the leader stamps their times.

import { z } from 'zod';
import { isRole, type Role } from '../access';
import { accountNameProblem } from '../auth';
import { rfc3339 } from './wire';

const id = () => z.string().regex(/^[0-9a-z]{25}$/, 'expected an ID');
const sha256 = () => z.string().regex(/^[0-9a-f]{64}$/, 'expected a hex SHA-256');
const role = () => z.custom<Role>(isRole, { error: 'expected a role' });
/** argon2id PHC strings are about 100 characters. */
const passwordHash = () => z.string().startsWith('$argon2', 'expected an argon2 hash').max(512);
const accountName = () =>
  z.string().check((ctx) => {
    const problem = accountNameProblem(ctx.value);
    if (problem) ctx.issues.push({ code: 'custom', message: problem, input: ctx.value });
  });

export const authWriteSchema = z.discriminatedUnion('op', [
  /** `first`: only while no account exists (the first admin, from the setup link or the env). */
  z.object({
    op: z.literal('createAccount'),
    id: id(),
    name: accountName(),
    role: role(),
    passwordHash: passwordHash(),
    first: z.boolean().optional(),
  }),
  /** A role or password change; `endSessions` ends the account's sessions but `keepSession`. */
  z.object({
    op: z.literal('updateAccount'),
    id: id(),
    role: role().optional(),
    passwordHash: passwordHash().optional(),
    endSessions: z.boolean().optional(),
    keepSession: id().optional(),
  }),
  /** The account and all its sessions. */
  z.object({ op: z.literal('removeAccount'), id: id() }),
  z.object({ op: z.literal('createSession'), id: id(), accountID: id(), tokenHash: sha256(), expiresAt: rfc3339() }),
  z.object({ op: z.literal('renewSession'), id: id(), expiresAt: rfc3339() }),
  z.object({ op: z.literal('removeSession'), id: id() }),
  z.object({
    op: z.literal('createShareLink'),
    id: id(),
    name: z.string().min(1).max(100),
    tokenHash: sha256(),
    expiresAt: rfc3339(),
    createdBy: z.string().max(64),
  }),
  z.object({ op: z.literal('removeShareLink'), id: id() }),
  z.object({ op: z.literal('touchShareLink'), id: id(), at: rfc3339() }),
  /** Sessions and links past their expiry at `now`, and sessions whose account is gone. */
  z.object({ op: z.literal('purgeExpired'), now: rfc3339() }),
]);

export type AuthWrite = z.output<typeof authWriteSchema>;
