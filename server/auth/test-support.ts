// Accounts and logins for tests, written straight into a store (the way the
// control API's writes end up), so a test of the console's API or socket can
// call it as an admin, an operator, a viewer or a share link.

import type { Role } from '../api/access';
import { SESSION_COOKIE } from '../api/auth';
import { newID } from '../api/ids';
import type { ClusterStore } from '../store/cluster-store';
import { hashPassword } from './passwords';
import { issueToken } from './tokens';

const HOUR = 3_600_000;

/** A new account; `password` defaults to one made of its name. */
export async function addAccount(store: ClusterStore, name: string, role: Role, password = `${name}-password`) {
  const id = newID();
  const hash = await hashPassword(password);
  await store.update((tx) =>
    tx.create('account', {
      ID: id,
      Version: { Index: 0 },
      CreatedAt: tx.now,
      UpdatedAt: tx.now,
      Name: name,
      Role: role,
      PasswordHash: hash,
    }),
  );
  return { id, name, role, password };
}

/** A session of the account: its ID and the Cookie header that carries it. */
export async function addSession(store: ClusterStore, accountID: string, ttlMs = 12 * HOUR) {
  const t = issueToken();
  await store.update((tx) =>
    tx.create('session', {
      ID: t.id,
      Version: { Index: 0 },
      CreatedAt: tx.now,
      UpdatedAt: tx.now,
      AccountID: accountID,
      TokenHash: t.hash,
      ExpiresAt: new Date(Date.now() + ttlMs).toISOString(),
    }),
  );
  return { id: t.id, token: t.token, cookie: `${SESSION_COOKIE}=${t.token}` };
}

/** A share link: its ID and the Cookie header a redeemed link sets. */
export async function addShareLink(store: ClusterStore, name = 'wall', ttlMs = 24 * HOUR) {
  const t = issueToken();
  await store.update((tx) =>
    tx.create('shareLink', {
      ID: t.id,
      Version: { Index: 0 },
      CreatedAt: tx.now,
      UpdatedAt: tx.now,
      Name: name,
      TokenHash: t.hash,
      ExpiresAt: new Date(Date.now() + ttlMs).toISOString(),
      CreatedBy: 'admin',
    }),
  );
  return { id: t.id, token: t.token, cookie: `${SESSION_COOKIE}=${t.token}` };
}

/** An account with a session: the Cookie header to send. */
export async function loggedIn(store: ClusterStore, name: string, role: Role) {
  const account = await addAccount(store, name, role);
  return { account, ...(await addSession(store, account.id)) };
}
