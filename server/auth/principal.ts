// Who a presented token belongs to, read from this manager's replica: an
// account's session, or a share link (the wall display's cookie carries the
// link's own token). Every manager holds the same sessions and links, so a
// cookie keeps working when the leader changes.

import { roleAtLeast, type Role } from '../api/access';
import type { Actor } from '../api/audit';
import type { Principal } from '../api/auth';
import type { Account, Session, ShareLink } from '../api/types';
import type { MemoryStore } from '../store/memory-store';
import { parseToken, secretMatches } from './tokens';

export type Resolved =
  | { kind: 'account'; principal: Principal; session: Session; account: Account; expiresAtMs: number }
  | { kind: 'share-link'; principal: Principal; link: ShareLink; expiresAtMs: number };

/** The live principal behind `token`, or undefined (unknown, wrong secret, expired, account gone). */
export function resolveToken(view: MemoryStore, token: string | undefined, nowMs: number): Resolved | undefined {
  const parsed = token ? parseToken(token) : undefined;
  if (!parsed) return undefined;
  const session = view.get('session', parsed.id);
  if (session) {
    const expiresAtMs = Date.parse(session.ExpiresAt);
    if (!secretMatches(parsed.secret, session.TokenHash) || !(expiresAtMs > nowMs)) return undefined;
    const account = view.get('account', session.AccountID);
    if (!account) return undefined;
    const principal: Principal = { kind: 'account', id: account.ID, name: account.Name, role: account.Role };
    return { kind: 'account', principal, session, account, expiresAtMs };
  }
  const link = view.get('shareLink', parsed.id);
  if (!link) return undefined;
  const expiresAtMs = Date.parse(link.ExpiresAt);
  if (!secretMatches(parsed.secret, link.TokenHash) || !(expiresAtMs > nowMs)) return undefined;
  return {
    kind: 'share-link',
    principal: { kind: 'share-link', id: link.ID, name: link.Name, role: 'viewer' },
    link,
    expiresAtMs,
  };
}

/** The audit actor of a principal. */
export function actorOf(p: Principal): Actor {
  return p.kind === 'account'
    ? { kind: 'account', id: p.id, name: p.name, role: p.role }
    : { kind: 'share-link', id: p.id, name: p.name };
}

/** Secrets' metadata is an operator's: a viewer (and a share link) sees none of them, on any channel. */
export function seesSecrets(role: Role): boolean {
  return roleAtLeast(role, 'operator');
}
