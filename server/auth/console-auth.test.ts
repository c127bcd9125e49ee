import { mkdtempSync, readFileSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import type { AuditNote } from '../api/audit';
import { createControlApi } from '../manager/controlapi';
import type { ManagerContext } from '../manager/context';
import { openTempStore } from '../store/test-support';
import { ManualClock } from '../util/clock';
import { AuthError } from './auth-error';
import { ConsoleAuth, WRONG_LOGIN } from './console-auth';
import { startAuthHousekeeping } from './housekeeping';
import { SESSION_TTL_MS } from './lifetimes';
import { LoginLimiter } from './login-limiter';
import { SETUP_TOKEN_FILE, SetupToken } from './setup-token';

const cleanups: (() => Promise<void> | void)[] = [];
afterEach(async () => {
  while (cleanups.length) await cleanups.pop()!();
});

async function setup(opts: { limiter?: LoginLimiter; dataDir?: string } = {}) {
  const clock = new ManualClock(Date.parse('2026-06-01T00:00:00Z'));
  const opened = await openTempStore({ clock: () => clock.now() });
  cleanups.push(() => opened.close());
  const notes: AuditNote[] = [];
  const ctx = {
    store: opened.store,
    clock,
    control: createControlApi(opened.store, {
      selfNodeID: 'm',
      managerAddr: '127.0.0.1:2377',
      isLeader: () => true,
      clock,
    }),
    audit: { note: (n: AuditNote) => notes.push(n) },
  } satisfies Pick<ManagerContext, 'store' | 'control' | 'clock' | 'audit'>;
  const dataDir = opts.dataDir ?? mkdtempSync(join(tmpdir(), 'swarmdeck-auth-'));
  if (!opts.dataDir) cleanups.push(() => rmSync(dataDir, { recursive: true, force: true }));
  const setupToken = new SetupToken(dataDir);
  const auth = new ConsoleAuth(ctx, setupToken, opts.limiter);
  return { ctx, auth, clock, store: opened.store, notes, dataDir, setupToken };
}

async function refusal(p: Promise<unknown>): Promise<{ status: number; message: string }> {
  try {
    await p;
  } catch (err) {
    if (err instanceof AuthError) return { status: err.status, message: err.message };
    throw err;
  }
  throw new Error('not refused');
}

describe('ConsoleAuth: logging in and out', () => {
  it('logs in with the right password only (name in any case), keeps hashes only, notes every try', async () => {
    const { auth, store, notes } = await setup();
    expect(await auth.createFirstAdmin('Admin', 'correct horse')).toBe(true);
    const account = store.view.accountByName('admin')!;
    expect(account.PasswordHash).toMatch(/^\$argon2id\$/);
    expect(JSON.stringify(store.view.image())).not.toContain('correct horse');

    expect(await refusal(auth.login('admin', 'wrong horse', '10.0.0.1'))).toEqual({
      status: 401,
      message: WRONG_LOGIN,
    });
    // an unknown name gets the same answer
    expect(await refusal(auth.login('nobody', 'correct horse', '10.0.0.1'))).toEqual({
      status: 401,
      message: WRONG_LOGIN,
    });
    const done = await auth.login('ADMIN', 'correct horse', '10.0.0.1');
    expect(done.body.principal).toEqual({ kind: 'account', id: account.ID, name: 'Admin', role: 'admin' });
    const session = store.view.list('session')[0]!;
    expect(done.token.startsWith(`${session.ID}.`)).toBe(true);
    expect(JSON.stringify(store.view.image())).not.toContain(done.token.split('.')[1]);
    expect(auth.resolve(done.token)?.principal.name).toBe('Admin');
    expect(auth.resolve(done.token.slice(0, -1) + (done.token.endsWith('A') ? 'B' : 'A'))).toBeUndefined();
    expect(notes.map((n) => `${n.action} ${n.result}`)).toEqual([
      `login ${WRONG_LOGIN}`,
      `login ${WRONG_LOGIN}`,
      'login ok (from 10.0.0.1)',
    ]);

    await auth.logout(auth.resolve(done.token)!);
    expect(store.view.list('session')).toEqual([]);
    expect(auth.resolve(done.token)).toBeUndefined();
    expect(notes.at(-1)).toMatchObject({ action: 'logout', actor: { kind: 'account', name: 'Admin' } });
  });

  it('rate limits failed logins per name and per address (429 before the password is checked)', async () => {
    const { auth } = await setup({
      limiter: new LoginLimiter(() => Date.now(), { windowMs: 60_000, perName: 2, perPeer: 3, maxKeys: 100 }),
    });
    await auth.createFirstAdmin('admin', 'correct horse');
    for (let i = 0; i < 2; i++) expect((await refusal(auth.login('admin', 'nope', 'p1'))).status).toBe(401);
    const limited = await refusal(auth.login('admin', 'correct horse', 'p2'));
    expect(limited.status).toBe(429);
    expect(limited.message).toMatch(/^too many login attempts; try again in \d+ seconds$/);
    // another name from a fresh address is not held back; the third failure from p1 locks the address
    expect((await refusal(auth.login('someone', 'nope', 'p1'))).status).toBe(401);
    expect((await refusal(auth.login('other', 'x', 'p1'))).status).toBe(429);
  });

  it('expires sessions; renews one past half of its life, once', async () => {
    const { auth, clock, store } = await setup();
    await auth.createFirstAdmin('admin', 'correct horse');
    const done = await auth.login('admin', 'correct horse', 'p');
    clock.advance(SESSION_TTL_MS / 2 - 60_000);
    expect(await auth.renewIfDue(auth.resolve(done.token)!)).toBeUndefined();
    clock.advance(120_000);
    const renewed = await auth.renewIfDue(auth.resolve(done.token)!);
    expect(renewed).toBe(clock.now() + SESSION_TTL_MS);
    expect(Date.parse(store.view.list('session')[0]!.ExpiresAt)).toBe(renewed);
    expect(await auth.renewIfDue(auth.resolve(done.token)!)).toBeUndefined();
    clock.advance(SESSION_TTL_MS);
    expect(auth.resolve(done.token)).toBeUndefined();
  });

  it('a password change ends every other session of the account', async () => {
    const { auth } = await setup();
    await auth.createFirstAdmin('admin', 'correct horse');
    const a = await auth.login('admin', 'correct horse', 'p');
    const b = await auth.login('admin', 'correct horse', 'p');
    const me = auth.resolve(a.token)!;
    expect(await refusal(auth.changePassword(me, 'wrong', 'new password!', 'p'))).toEqual({
      status: 403,
      message: 'the current password is wrong',
    });
    await auth.changePassword(me, 'correct horse', 'new password!', 'p');
    expect(auth.resolve(a.token)).toBeDefined();
    expect(auth.resolve(b.token)).toBeUndefined();
    expect((await refusal(auth.login('admin', 'correct horse', 'p'))).status).toBe(401);
    await auth.login('admin', 'new password!', 'p');
  });
});

describe('ConsoleAuth: accounts', () => {
  it('keeps names unique in any case and never loses its last admin', async () => {
    const { auth, store } = await setup();
    await auth.createFirstAdmin('admin', 'correct horse');
    const by = auth.resolve((await auth.login('admin', 'correct horse', 'p')).token)!;
    const op = await auth.createAccount({ name: 'ops', role: 'operator', password: 'operator pw' });
    expect(op).toMatchObject({ Name: 'ops', Role: 'operator' });
    expect(op).not.toHaveProperty('PasswordHash');
    expect(await refusal(auth.createAccount({ name: 'OPS', role: 'viewer', password: 'whatever1' }))).toEqual({
      status: 409,
      message: 'account OPS already exists',
    });
    const admin = store.view.accountByName('admin')!;
    expect(await refusal(auth.updateAccount(admin.ID, { role: 'viewer' }, by))).toEqual({
      status: 409,
      message: 'account admin is the last admin: make another admin first',
    });
    expect((await refusal(auth.removeAccount(admin.ID))).status).toBe(409);
    // the apply-time guard holds even when the door's check is passed by (two writes at once)
    await expect(store.update((tx) => tx.delete('account', admin.ID))).rejects.toThrow(/last admin/);

    await auth.updateAccount(op.ID, { role: 'admin' }, by);
    await auth.updateAccount(admin.ID, { role: 'viewer' }, by);
    expect(auth.listAccounts().map((a) => `${a.Name}:${a.Role}`)).toEqual(['admin:viewer', 'ops:admin']);
    // removing an account ends its sessions in the same entry
    await auth.updateAccount(admin.ID, { role: 'admin' }, by);
    const s = await auth.login('ops', 'operator pw', 'p');
    await auth.removeAccount(op.ID);
    expect(auth.resolve(s.token)).toBeUndefined();
    expect(store.view.list('session').filter((x) => x.AccountID === op.ID)).toEqual([]);
  });
});

describe('ConsoleAuth: share links', () => {
  it('opens a link until it expires or is revoked; its use is noted and stamped at most once a minute', async () => {
    const { auth, clock, store, notes } = await setup();
    await auth.createFirstAdmin('admin', 'correct horse');
    const by = auth.resolve((await auth.login('admin', 'correct horse', 'p')).token)!;
    const link = await auth.createShareLink({ name: 'lobby', ttlHours: 2 }, by);
    expect(link.url).toMatch(/^\/share\/[0-9a-z]{25}\.[A-Za-z0-9_-]{43}$/);
    expect(auth.listShareLinks()[0]).not.toHaveProperty('url');
    const token = link.url.slice('/share/'.length);
    const r = await auth.redeem(token, 'wall-pc');
    expect(r?.principal).toEqual({ kind: 'share-link', id: link.ID, name: 'lobby', role: 'viewer' });
    const used = store.view.get('shareLink', link.ID)!.LastUsedAt;
    expect(used).toBe(new Date(clock.now()).toISOString());
    const index = store.view.index;
    clock.advance(10_000);
    await auth.redeem(token, 'wall-pc');
    expect(store.view.index).toBe(index);
    expect(notes.filter((n) => n.action === 'open share link')).toHaveLength(2);
    // a session's token is not a share link
    const s = await auth.login('admin', 'correct horse', 'p');
    expect(await auth.redeem(s.token, 'x')).toBeUndefined();

    clock.advance(2 * 3_600_000);
    expect(await auth.redeem(token, 'wall-pc')).toBeUndefined();
    expect(auth.listShareLinks()).toEqual([]);

    const again = await auth.createShareLink({ name: 'lobby', ttlHours: 1 }, by);
    await auth.removeShareLink(again.ID);
    expect(await auth.redeem(again.url.slice(7), 'wall-pc')).toBeUndefined();
    expect((await refusal(auth.removeShareLink(again.ID))).status).toBe(404);
  });
});

describe('first start', () => {
  it('prints a setup link whose token survives a restart and works once', async () => {
    const first = await setup();
    const lines: string[] = [];
    const hk = startAuthHousekeeping(first.ctx, first.auth, first.setupToken, {
      consoleUrl: 'http://127.0.0.1:3000',
      log: (l) => lines.push(l),
    });
    await hk.firstTick;
    hk.stop();
    expect(lines).toHaveLength(1);
    const token =
      /^Open http:\/\/127\.0\.0\.1:3000\/setup\?token=([A-Za-z0-9_-]{43}) to create the first admin account$/.exec(
        lines[0]!,
      )![1]!;
    const file = join(first.dataDir, SETUP_TOKEN_FILE);
    expect(statSync(file).mode & 0o777).toBe(0o600);

    // a restart (a new process on the same data dir) prints the same link
    const again = await setup({ dataDir: first.dataDir });
    const lines2: string[] = [];
    const hk2 = startAuthHousekeeping(again.ctx, again.auth, again.setupToken, {
      consoleUrl: 'http://127.0.0.1:3000',
      log: (l) => lines2.push(l),
    });
    await hk2.firstTick;
    hk2.stop();
    expect(lines2).toEqual(lines);
    expect(readFileSync(file, 'utf8').trim()).toBe(token);

    expect(await refusal(again.auth.setup('wrong'.padEnd(43, 'x'), 'root', 'long enough', 'p'))).toMatchObject({
      status: 403,
    });
    const done = await again.auth.setup(token, 'root', 'long enough', 'p');
    expect(done.body.principal).toMatchObject({ name: 'root', role: 'admin' });
    expect(() => statSync(file)).toThrow();
    expect(await refusal(again.auth.setup(token, 'root2', 'long enough', 'p'))).toEqual({
      status: 409,
      message: 'the console is already set up; log in instead',
    });
    expect(again.store.view.count('account')).toBe(1);
  });

  it('creates the admin from SWARMDECK_ADMIN_PASSWORD once and prints no link', async () => {
    const { ctx, auth, setupToken, store } = await setup();
    const lines: string[] = [];
    for (let i = 0; i < 2; i++) {
      const hk = startAuthHousekeeping(ctx, auth, setupToken, {
        consoleUrl: 'http://127.0.0.1:3000',
        adminName: 'ops-admin',
        adminPassword: 'from the env',
        log: (l) => lines.push(l),
      });
      await hk.firstTick;
      hk.stop();
    }
    expect(lines).toEqual(["swarmdeck: created the console's admin account ops-admin from SWARMDECK_ADMIN_PASSWORD"]);
    expect(store.view.list('account').map((a) => `${a.Name}:${a.Role}`)).toEqual(['ops-admin:admin']);
    await auth.login('ops-admin', 'from the env', 'p');
  });

  it('the leader removes expired sessions and links in the background', async () => {
    const { ctx, auth, clock, store, setupToken } = await setup();
    await auth.createFirstAdmin('admin', 'correct horse');
    const by = auth.resolve((await auth.login('admin', 'correct horse', 'p')).token)!;
    await auth.createShareLink({ name: 'short', ttlHours: 1 }, by);
    const hk = startAuthHousekeeping(ctx, auth, setupToken, { consoleUrl: 'x', log: () => undefined });
    cleanups.push(() => hk.stop());
    await hk.firstTick;
    expect(store.view.count('session')).toBe(1);
    clock.advance(SESSION_TTL_MS + 60_000);
    await expect.poll(() => store.view.count('session') + store.view.count('shareLink')).toBe(0);
    expect(store.view.count('account')).toBe(1);
  });
});
