// The console's accounts, sessions and share links: one write each, made on
// the leader against the state it has (the door built the objects and their
// hashes; nothing here sees a password or a token). A session belongs to its
// account: removing the account, or ending its sessions, deletes them in the
// same entry, so no manager ever accepts a session whose account is gone.

import { SwarmError, rpcError } from '../../api/errors';
import type { AuthWrite } from '../../api/schemas/auth-write';
import type { Account, Session } from '../../api/types';
import type { Tx } from '../../store/tx';
import type { ControlDeps } from './context';

const T0 = { Version: { Index: 0 } };

function account(tx: Tx, id: string): Account {
  const a = tx.get('account', id);
  if (!a) throw new SwarmError('NotFound', `account ${id} not found`);
  return a;
}

function sessionsOf(d: ControlDeps, accountID: string): Session[] {
  return d.store.view.list('session').filter((s) => s.AccountID === accountID);
}

function apply(d: ControlDeps, tx: Tx, w: AuthWrite): void {
  const now = tx.now;
  switch (w.op) {
    case 'createAccount': {
      if (w.first && d.store.view.count('account') > 0)
        throw rpcError('AlreadyExists', 'the console is already set up: an account exists');
      if (d.store.view.accountByName(w.name)) throw rpcError('AlreadyExists', `account ${w.name} already exists`);
      tx.create('account', {
        ...T0,
        ID: w.id,
        CreatedAt: now,
        UpdatedAt: now,
        Name: w.name,
        Role: w.role,
        PasswordHash: w.passwordHash,
      });
      return;
    }
    case 'updateAccount': {
      const cur = account(tx, w.id);
      tx.update('account', {
        ...cur,
        ...(w.role ? { Role: w.role } : {}),
        ...(w.passwordHash ? { PasswordHash: w.passwordHash } : {}),
      });
      if (w.endSessions) for (const s of sessionsOf(d, w.id)) if (s.ID !== w.keepSession) tx.delete('session', s.ID);
      return;
    }
    case 'removeAccount':
      account(tx, w.id);
      for (const s of sessionsOf(d, w.id)) tx.delete('session', s.ID);
      tx.delete('account', w.id);
      return;
    case 'createSession':
      account(tx, w.accountID);
      tx.create('session', {
        ...T0,
        ID: w.id,
        CreatedAt: now,
        UpdatedAt: now,
        AccountID: w.accountID,
        TokenHash: w.tokenHash,
        ExpiresAt: w.expiresAt,
      });
      return;
    case 'renewSession': {
      const s = tx.get('session', w.id);
      // logged out meanwhile: nothing to renew
      if (s && Date.parse(w.expiresAt) > Date.parse(s.ExpiresAt))
        tx.update('session', { ...s, ExpiresAt: w.expiresAt });
      return;
    }
    case 'removeSession':
      if (tx.get('session', w.id)) tx.delete('session', w.id);
      return;
    case 'createShareLink':
      tx.create('shareLink', {
        ...T0,
        ID: w.id,
        CreatedAt: now,
        UpdatedAt: now,
        Name: w.name,
        TokenHash: w.tokenHash,
        ExpiresAt: w.expiresAt,
        CreatedBy: w.createdBy,
      });
      return;
    case 'removeShareLink':
      if (!tx.get('shareLink', w.id)) throw new SwarmError('NotFound', `share link ${w.id} not found`);
      tx.delete('shareLink', w.id);
      return;
    case 'touchShareLink': {
      const l = tx.get('shareLink', w.id);
      if (l) tx.update('shareLink', { ...l, LastUsedAt: w.at });
      return;
    }
    case 'purgeExpired': {
      const at = Date.parse(w.now);
      for (const s of d.store.view.list('session'))
        if (Date.parse(s.ExpiresAt) <= at || !tx.get('account', s.AccountID)) tx.delete('session', s.ID);
      for (const l of d.store.view.list('shareLink')) if (Date.parse(l.ExpiresAt) <= at) tx.delete('shareLink', l.ID);
      return;
    }
  }
}

/** Make one accounts write (a stale read is retried: these writes carry no client version). */
export function authWrite(d: ControlDeps, w: AuthWrite): Promise<void> {
  return d.store.update((tx) => apply(d, tx, w), { retry: true });
}
