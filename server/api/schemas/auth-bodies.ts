// The console's login, setup, account and share-link bodies (CONTRACT12),
// one schema each; a wrong field is refused with a message naming it.

import { z } from 'zod';
import { isRole, type Role } from '../access';
import {
  accountNameProblem,
  passwordProblem,
  SHARE_LINK_NAME_MAX,
  SHARE_LINK_TTL_HOURS_MAX,
  type ChangePasswordBody,
  type CreateAccountBody,
  type CreateShareLinkBody,
  type LoginBody,
  type SetupBody,
  type UpdateAccountBody,
} from '../auth';

const text = (what: string) => z.string({ error: `${what} must be a string` });
const role = () => z.custom<Role>(isRole, { error: 'role must be viewer, operator or admin' });
/** The name of a new account: the contract's rule. */
const newName = () =>
  text('name').check((ctx) => {
    const problem = accountNameProblem(ctx.value);
    if (problem) ctx.issues.push({ code: 'custom', message: problem, input: ctx.value });
  });
/** A password being set: length rules (a login's password is only bounded). */
const newPassword = (what = 'password') =>
  text(what).check((ctx) => {
    const problem = passwordProblem(ctx.value);
    if (problem) ctx.issues.push({ code: 'custom', message: problem.replace(/^password/, what), input: ctx.value });
  });

export const loginBodySchema = z.object({
  name: text('name').max(256, 'name is too long'),
  password: text('password').max(4096, 'password is too long'),
}) satisfies z.ZodType<LoginBody>;

export const changePasswordBodySchema = z.object({
  current: text('current').max(4096, 'current is too long'),
  password: newPassword(),
}) satisfies z.ZodType<ChangePasswordBody>;

export const setupBodySchema = z.object({
  token: text('token').max(256, 'token is too long'),
  name: newName(),
  password: newPassword(),
}) satisfies z.ZodType<SetupBody>;

export const createAccountBodySchema = z.object({
  name: newName(),
  role: role(),
  password: newPassword(),
}) satisfies z.ZodType<CreateAccountBody>;

export const updateAccountBodySchema = z.object({
  role: role().optional(),
  password: newPassword().optional(),
}) satisfies z.ZodType<UpdateAccountBody>;

export const createShareLinkBodySchema = z.object({
  name: text('name')
    .trim()
    .min(1, 'name must not be empty')
    .max(SHARE_LINK_NAME_MAX, `name must be at most ${SHARE_LINK_NAME_MAX} characters`),
  ttlHours: z
    .number({ error: 'ttlHours must be a number' })
    .min(1, 'ttlHours must be at least 1')
    .max(SHARE_LINK_TTL_HOURS_MAX, `ttlHours must be at most ${SHARE_LINK_TTL_HOURS_MAX}`),
}) satisfies z.ZodType<CreateShareLinkBody>;
