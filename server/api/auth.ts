// The console's login, account and share-link bodies (issue #12 §1), shared by
// the browser and the server. Plain types and tiny pure checks only.

import type { Role } from './access';

/** The cookie that carries a console session (`<id>.<secret>`; opaque to the browser). */
export const SESSION_COOKIE = 'swarmdeck_session';

/** Who is asking: an account's session, or a read-only share link (always a viewer). */
export type Principal =
  | { kind: 'account'; id: string; name: string; role: Role }
  | { kind: 'share-link'; id: string; name: string; role: 'viewer' };

/** GET/POST /api/session, POST /api/setup. */
export interface SessionBody {
  principal: Principal;
  /** ISO time the session ends unless renewed */
  expiresAt: string;
}

/** POST /api/session: log in. */
export interface LoginBody {
  name: string;
  password: string;
}

/** POST /api/session/password: change one's own password. */
export interface ChangePasswordBody {
  current: string;
  password: string;
}

/** GET /api/setup. */
export interface SetupStatusBody {
  /** true while no account exists */
  needed: boolean;
}

/** POST /api/setup: the first admin, with the token from the printed setup link. */
export interface SetupBody {
  token: string;
  name: string;
  password: string;
}

/** GET /api/accounts entries, POST /api/accounts[/<id>] answers. */
export interface AccountBody {
  ID: string;
  Name: string;
  Role: Role;
  CreatedAt: string;
  UpdatedAt: string;
}

/** POST /api/accounts. */
export interface CreateAccountBody {
  name: string;
  role: Role;
  password: string;
}

/** POST /api/accounts/<id>: change role and/or password (admin). */
export interface UpdateAccountBody {
  role?: Role;
  password?: string;
}

/** GET /api/share-links entries. */
export interface ShareLinkBody {
  ID: string;
  Name: string;
  CreatedAt: string;
  ExpiresAt: string;
  /** the account name that created it */
  CreatedBy: string;
  LastUsedAt?: string;
}

/** POST /api/share-links. */
export interface CreateShareLinkBody {
  name: string;
  /** 1 … 8760 */
  ttlHours: number;
}

/** POST /api/share-links answer: the link's URL (`/share/<token>`) is shown only here. */
export type CreatedShareLinkBody = ShareLinkBody & { url: string };

export const ACCOUNT_NAME_MAX = 64;
export const PASSWORD_MIN = 8;
/** Long enough for any passphrase, short enough that hashing it costs nothing extra. */
export const PASSWORD_MAX = 1024;
export const SHARE_LINK_TTL_HOURS_MAX = 8760;
export const SHARE_LINK_NAME_MAX = 100;

const ACCOUNT_NAME = /^[A-Za-z0-9][A-Za-z0-9._@-]*$/;

/** Why `name` is not a valid account name, or undefined. */
export function accountNameProblem(name: string): string | undefined {
  if (name.length === 0 || name.length > ACCOUNT_NAME_MAX) return `name must be 1 to ${ACCOUNT_NAME_MAX} characters`;
  if (!ACCOUNT_NAME.test(name))
    return 'name must start with a letter or digit and hold only letters, digits and . _ @ -';
  return undefined;
}

/** Why `password` is not acceptable, or undefined. */
export function passwordProblem(password: string): string | undefined {
  if (password.length < PASSWORD_MIN) return `password must be at least ${PASSWORD_MIN} characters`;
  if (password.length > PASSWORD_MAX) return `password must be at most ${PASSWORD_MAX} characters`;
  return undefined;
}
