// The console's accounts, logins and share links, on one manager: reads from
// its replica, writes through the control API (to the leader, into raft).
// Passwords are hashed here, at the door that took them; tokens are made here
// and only their hashes leave. Refusals are AuthErrors with the contract's
// words; the audit sink hears of logins, failed logins, logouts and share-link use.

import { newID } from '../api/ids';
import { SwarmError } from '../api/errors';
import type { Role } from '../api/access';
import type {
  AccountBody,
  CreateAccountBody,
  CreatedShareLinkBody,
  CreateShareLinkBody,
  SessionBody,
  ShareLinkBody,
  UpdateAccountBody,
} from '../api/auth';
import type { AuthWrite } from '../api/schemas/auth-write';
import type { Account, ShareLink } from '../api/types';
import type { ManagerContext } from '../manager/context';
import { AuthError } from './auth-error';
import { LINK_TOUCH_MS, renewedExpiry, sessionExpiry } from './lifetimes';
import { LoginLimiter } from './login-limiter';
import { hashPassword, passwordMatches } from './passwords';
import { actorOf, resolveToken, type Resolved } from './principal';
import type { SetupToken } from './setup-token';
import { issueToken } from './tokens';
import { runAs } from '../store/audit-context';

export const WRONG_LOGIN = 'wrong name or password';
/** Password checks running at once at most (each holds 19 MiB for ~50 ms): past it, a login waits its turn. */
const MAX_VERIFYING = 4;
/** How long a write waits for this replica to apply it (a follower is normally milliseconds behind). */
const APPLY_WAIT_MS = 5_000;
const RENEW_RETRY_MS = 30_000;

export interface LoggedIn {
  token: string;
  expiresAtMs: number;
  body: SessionBody;
}

export function sessionBody(r: Resolved): SessionBody {
  return { principal: r.principal, expiresAt: new Date(r.expiresAtMs).toISOString() };
}

export function accountBody(a: Account): AccountBody {
  return { ID: a.ID, Name: a.Name, Role: a.Role, CreatedAt: a.CreatedAt, UpdatedAt: a.UpdatedAt };
}

export function shareLinkBody(l: ShareLink): ShareLinkBody {
  return {
    ID: l.ID,
    Name: l.Name,
    CreatedAt: l.CreatedAt,
    ExpiresAt: l.ExpiresAt,
    CreatedBy: l.CreatedBy,
    ...(l.LastUsedAt ? { LastUsedAt: l.LastUsedAt } : {}),
  };
}

export class ConsoleAuth {
  readonly limiter: LoginLimiter;
  private verifying = 0;
  private readonly waiting: (() => void)[] = [];
  /** Sessions with a renewal write in flight (one at a time each). */
  private readonly renewing = new Set<string>();
  /** When a session's renewal last failed: tried again only after RENEW_RETRY_MS (no leader, say). */
  private readonly renewFailed = new Map<string, number>();
  private readonly touched = new Map<string, number>();

  constructor(
    private readonly ctx: Pick<ManagerContext, 'store' | 'control' | 'clock' | 'audit'>,
    private readonly setupToken?: SetupToken,
    limiter?: LoginLimiter,
  ) {
    this.limiter = limiter ?? new LoginLimiter(() => ctx.clock.now());
  }

  now(): number {
    return this.ctx.clock.now();
  }

  private get view() {
    return this.ctx.store.view;
  }

  /** The principal behind a cookie's token, now. */
  resolve(token: string | undefined): Resolved | undefined {
    return resolveToken(this.view, token, this.ctx.clock.now());
  }

  /** Renew an account's session once less than half is left; the new expiry when it was renewed. */
  async renewIfDue(r: Resolved): Promise<number | undefined> {
    if (r.kind !== 'account' || this.renewing.has(r.session.ID)) return undefined;
    const now = this.ctx.clock.now();
    const next = renewedExpiry(Date.parse(r.session.CreatedAt), r.expiresAtMs, now);
    if (next === undefined || now - (this.renewFailed.get(r.session.ID) ?? -Infinity) < RENEW_RETRY_MS)
      return undefined;
    this.renewing.add(r.session.ID);
    try {
      // a socket's renewal runs outside any request: it is the principal's own
      await runAs({ actor: actorOf(r.principal), action: 'renew console session' }, () =>
        this.write({ op: 'renewSession', id: r.session.ID, expiresAt: new Date(next).toISOString() }),
      );
      this.renewFailed.delete(r.session.ID);
      return next;
    } catch {
      // the session still has hours left: a later request tries again
      this.renewFailed.set(r.session.ID, now);
      if (this.renewFailed.size > 10_000) this.renewFailed.delete(this.renewFailed.keys().next().value!);
      return undefined;
    } finally {
      this.renewing.delete(r.session.ID);
    }
  }

  /**
   * One write, through the leader; then, on a follower, until this replica has
   * applied it (bounded): the next request here must see the session it just
   * made or ended, or a login would be followed by "log in first".
   */
  private async write(w: AuthWrite): Promise<void> {
    try {
      await this.ctx.control.authWrite(w);
    } catch (err) {
      // the apply-time guard of the last admin (two admins demoting each other at once)
      if (err instanceof SwarmError && err.code === 'FailedPrecondition') throw new AuthError(409, err.message);
      throw err;
    }
    const seen = this.appliedHere(w);
    if (seen) await this.untilApplied(seen);
  }

  /** How this replica shows that `w` was applied (undefined: nothing waits on it). */
  private appliedHere(w: AuthWrite): (() => boolean) | undefined {
    const v = this.view;
    switch (w.op) {
      case 'createAccount':
        return () => v.get('account', w.id) !== undefined;
      case 'updateAccount':
        return () => {
          const a = v.get('account', w.id);
          return !a || ((!w.role || a.Role === w.role) && (!w.passwordHash || a.PasswordHash === w.passwordHash));
        };
      case 'createSession':
        return () => v.get('session', w.id) !== undefined;
      case 'renewSession':
        return () => (v.get('session', w.id)?.ExpiresAt ?? w.expiresAt) >= w.expiresAt;
      case 'createShareLink':
        return () => v.get('shareLink', w.id) !== undefined;
      case 'removeAccount':
        return () => v.get('account', w.id) === undefined;
      case 'removeSession':
        return () => v.get('session', w.id) === undefined;
      case 'removeShareLink':
        return () => v.get('shareLink', w.id) === undefined;
      default:
        return undefined;
    }
  }

  private untilApplied(seen: () => boolean, ms = APPLY_WAIT_MS): Promise<void> {
    if (seen()) return Promise.resolve();
    return new Promise<void>((resolve) => {
      const done = () => {
        unwatch();
        cancel();
        resolve();
      };
      const unwatch = this.view.watch(() => {
        if (seen()) done();
      });
      // a replica that lags this much is a problem of its own: answer anyway
      const cancel = this.ctx.clock.setTimeout(done, ms);
    });
  }

  /** Bounds the password checks running at once (argon2 is made to be costly). */
  private async checkPassword(password: string, hash: string | undefined): Promise<boolean> {
    while (this.verifying >= MAX_VERIFYING) await new Promise<void>((r) => this.waiting.push(r));
    this.verifying++;
    try {
      return await passwordMatches(password, hash);
    } finally {
      this.verifying--;
      this.waiting.shift()?.();
    }
  }

  private async newSession(account: Account): Promise<LoggedIn> {
    const now = this.ctx.clock.now();
    const t = issueToken();
    const expiresAtMs = sessionExpiry(now, now);
    await this.write({
      op: 'createSession',
      id: t.id,
      accountID: account.ID,
      tokenHash: t.hash,
      expiresAt: new Date(expiresAtMs).toISOString(),
    });
    const principal = { kind: 'account' as const, id: account.ID, name: account.Name, role: account.Role };
    return { token: t.token, expiresAtMs, body: { principal, expiresAt: new Date(expiresAtMs).toISOString() } };
  }

  async login(name: string, password: string, peer: string): Promise<LoggedIn> {
    const wait = this.limiter.retryAfter(name, peer);
    const anonymous = { kind: 'system' as const, name: `console login from ${peer}` };
    if (wait > 0) {
      this.ctx.audit?.note({ actor: anonymous, action: 'login', target: `account ${name}`, result: 'rate limited' });
      throw new AuthError(429, `too many login attempts; try again in ${wait} seconds`, wait);
    }
    const account = this.view.accountByName(name);
    if (!(await this.checkPassword(password, account?.PasswordHash)) || !account) {
      this.limiter.failed(name, peer);
      this.ctx.audit?.note({ actor: anonymous, action: 'login', target: `account ${name}`, result: WRONG_LOGIN });
      throw new AuthError(401, WRONG_LOGIN);
    }
    this.limiter.succeeded(name);
    const done = await this.newSession(account);
    this.ctx.audit?.note({
      actor: actorOf(done.body.principal),
      action: 'login',
      target: `account ${account.Name}`,
      result: `ok (from ${peer})`,
    });
    return done;
  }

  /** Log out: an account's session is deleted (on every manager); a share link stays valid. */
  async logout(r: Resolved): Promise<void> {
    if (r.kind === 'account') await this.write({ op: 'removeSession', id: r.session.ID });
    this.ctx.audit?.note({ actor: actorOf(r.principal), action: 'logout', result: 'ok' });
  }

  async changePassword(r: Resolved, current: string, password: string, peer: string): Promise<void> {
    if (r.kind !== 'account') throw new AuthError(403, 'permission denied: a share link has no password');
    const wait = this.limiter.retryAfter(r.account.Name, peer);
    if (wait > 0) throw new AuthError(429, `too many password attempts; try again in ${wait} seconds`, wait);
    const account = this.view.get('account', r.account.ID);
    if (!account || !(await this.checkPassword(current, account.PasswordHash))) {
      this.limiter.failed(r.account.Name, peer);
      throw new AuthError(403, 'the current password is wrong');
    }
    // every other login of the account ends: whoever knew the old password is out
    await this.write({
      op: 'updateAccount',
      id: account.ID,
      passwordHash: await hashPassword(password),
      endSessions: true,
      keepSession: r.session.ID,
    });
  }

  setupNeeded(): boolean {
    return this.view.count('account') === 0;
  }

  async setup(token: string, name: string, password: string, peer: string): Promise<LoggedIn> {
    if (!this.setupNeeded()) throw new AuthError(409, 'the console is already set up; log in instead');
    if (!this.setupToken?.matches(token))
      throw new AuthError(403, 'this setup link is not valid (wrong, or already used); see the manager log');
    const id = newID();
    try {
      await this.write({
        op: 'createAccount',
        id,
        name,
        role: 'admin',
        passwordHash: await hashPassword(password),
        first: true,
      });
    } catch (err) {
      if (err instanceof SwarmError && err.code === 'AlreadyExists')
        throw new AuthError(409, 'the console is already set up; log in instead');
      throw err;
    }
    this.setupToken.remove();
    const account = this.account(id);
    this.ctx.audit?.note({
      actor: { kind: 'account', id, name, role: 'admin' },
      action: 'set up the console',
      target: `account ${name}`,
      result: `ok (from ${peer})`,
    });
    return this.newSession(account);
  }

  /** The first admin from the environment (automation, tests); false when an account exists already. */
  async createFirstAdmin(name: string, password: string): Promise<boolean> {
    if (!this.setupNeeded()) return false;
    try {
      await this.write({
        op: 'createAccount',
        id: newID(),
        name,
        role: 'admin',
        passwordHash: await hashPassword(password),
        first: true,
      });
      return true;
    } catch (err) {
      if (err instanceof SwarmError && err.code === 'AlreadyExists') return false;
      throw err;
    }
  }

  listAccounts(): AccountBody[] {
    return this.view
      .list('account')
      .sort((a, b) => a.Name.localeCompare(b.Name))
      .map(accountBody);
  }

  private account(id: string): Account {
    const a = this.view.get('account', id);
    if (!a) throw new AuthError(404, `no such account: ${id}`);
    return a;
  }

  private isLastAdmin(a: Account): boolean {
    return a.Role === 'admin' && !this.view.list('account').some((o) => o.ID !== a.ID && o.Role === 'admin');
  }

  async createAccount(body: CreateAccountBody): Promise<AccountBody> {
    if (this.view.accountByName(body.name)) throw new AuthError(409, `account ${body.name} already exists`);
    const id = newID();
    try {
      await this.write({
        op: 'createAccount',
        id,
        name: body.name,
        role: body.role,
        passwordHash: await hashPassword(body.password),
      });
    } catch (err) {
      if (err instanceof SwarmError && err.code === 'AlreadyExists')
        throw new AuthError(409, `account ${body.name} already exists`);
      throw err;
    }
    return accountBody(this.account(id));
  }

  /** An admin changes a role or sets a password; a new password ends the account's other sessions. */
  async updateAccount(id: string, body: UpdateAccountBody, by: Resolved): Promise<AccountBody> {
    const a = this.account(id);
    if (body.role && body.role !== 'admin' && this.isLastAdmin(a))
      throw new AuthError(409, `account ${a.Name} is the last admin: make another admin first`);
    await this.write({
      op: 'updateAccount',
      id,
      ...(body.role ? { role: body.role as Role } : {}),
      ...(body.password ? { passwordHash: await hashPassword(body.password), endSessions: true } : {}),
      ...(by.kind === 'account' && body.password ? { keepSession: by.session.ID } : {}),
    });
    return accountBody(this.account(id));
  }

  async removeAccount(id: string): Promise<void> {
    const a = this.account(id);
    if (this.isLastAdmin(a)) throw new AuthError(409, `account ${a.Name} is the last admin: make another admin first`);
    await this.write({ op: 'removeAccount', id });
  }

  listShareLinks(): ShareLinkBody[] {
    const now = this.ctx.clock.now();
    return this.view
      .list('shareLink')
      .filter((l) => Date.parse(l.ExpiresAt) > now)
      .sort((a, b) => a.CreatedAt.localeCompare(b.CreatedAt))
      .map(shareLinkBody);
  }

  async createShareLink(body: CreateShareLinkBody, by: Resolved): Promise<CreatedShareLinkBody> {
    const t = issueToken();
    const expiresAt = new Date(this.ctx.clock.now() + Math.round(body.ttlHours * 3_600_000)).toISOString();
    await this.write({
      op: 'createShareLink',
      id: t.id,
      name: body.name,
      tokenHash: t.hash,
      expiresAt,
      createdBy: by.principal.name,
    });
    const link = this.view.get('shareLink', t.id);
    if (!link) throw new AuthError(503, 'the share link was made but this manager has not caught up yet; reload');
    return { ...shareLinkBody(link), url: `/share/${t.token}` };
  }

  async removeShareLink(id: string): Promise<void> {
    if (!this.view.get('shareLink', id)) throw new AuthError(404, `no such share link: ${id}`);
    await this.write({ op: 'removeShareLink', id });
  }

  /** `/share/<token>`: the link it names, if valid now; its use is noted (LastUsedAt at most once a minute). */
  async redeem(token: string, peer: string): Promise<Resolved | undefined> {
    const r = this.resolve(token);
    if (!r || r.kind !== 'share-link') return undefined;
    this.ctx.audit?.note({
      actor: actorOf(r.principal),
      action: 'open share link',
      target: `share link ${r.link.Name}`,
      result: `ok (from ${peer})`,
    });
    const now = this.ctx.clock.now();
    const last = Math.max(this.touched.get(r.link.ID) ?? 0, Date.parse(r.link.LastUsedAt ?? '') || 0);
    if (now - last >= LINK_TOUCH_MS) {
      this.touched.set(r.link.ID, now);
      if (this.touched.size > 1000) this.touched.delete(this.touched.keys().next().value!);
      await this.write({ op: 'touchShareLink', id: r.link.ID, at: new Date(now).toISOString() }).catch(() => undefined);
    }
    return r;
  }
}
