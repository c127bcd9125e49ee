// Console logins across real manager processes (issue #12 §1): a first start
// without SWARMDECK_ADMIN_PASSWORD prints a setup link that still works after
// a restart, once; pages without a session go to /login; a share link opens
// the wall; and sessions and links live in raft, so when the leader is
// stopped the same cookies work on the managers that are left, and a logout
// on one is refused on another.

import { io as connect } from 'socket.io-client';
import { afterAll, describe, expect, it } from 'vitest';
import type { SnapshotFrame } from '../server/api/realtime';
import { readyLeader, startThreeManagers, until, type ManagerProc } from './cluster-harness';
import { startServer, tempDir, freePorts, type RunningServer } from './integration/harness';
import { consoleLogin, consoleRequest, TEST_ADMIN } from './manager-http';

const SETUP_LINK = /Open (http:\/\/127\.0\.0\.1:\d+)\/setup\?token=([A-Za-z0-9_-]+) to create the first admin account/g;

describe('first start of a console without SWARMDECK_ADMIN_PASSWORD', () => {
  const data = tempDir('swarmdeck-setup-');
  let server: RunningServer | undefined;
  afterAll(async () => {
    await server?.stop();
    data.remove();
  });

  it('prints a setup link that survives a restart and works once; pages need a session', async () => {
    const ports = await freePorts();
    const start = () =>
      startServer({
        dataDir: data.path,
        ports,
        simWorkers: 0,
        console: true,
        as: { env: { SWARMDECK_ADMIN_PASSWORD: '' } },
        readyTimeoutMs: 90_000,
      });
    server = await start();
    const base = `http://127.0.0.1:${ports.console}`;
    const links = [...server.output().matchAll(SETUP_LINK)];
    expect(links).toHaveLength(1);
    expect(links[0]![1]).toBe(base);
    const token = links[0]![2]!;
    expect((await consoleRequest(base, undefined, 'GET', '/api/setup')).json).toEqual({ needed: true });

    await server.stop();
    server = await start();
    expect([...server.output().matchAll(SETUP_LINK)].map((m) => m[2])).toEqual([token]);

    const bad = await consoleRequest(base, undefined, 'POST', '/api/setup', {
      token: 'x'.repeat(43),
      name: 'root',
      password: 'long enough',
    });
    expect(bad.status).toBe(403);
    const done = await consoleRequest(base, undefined, 'POST', '/api/setup', {
      token,
      name: 'root',
      password: 'long enough',
    });
    expect(done.status, JSON.stringify(done.json)).toBe(200);
    expect(done.json).toMatchObject({ principal: { kind: 'account', name: 'root', role: 'admin' } });
    const setCookie = done.headers.get('set-cookie') ?? '';
    expect(setCookie).toMatch(/^swarmdeck_session=[^;]+; Path=\/; HttpOnly; SameSite=Strict; Max-Age=\d+$/);
    const cookie = setCookie.split(';')[0]!;
    const again = await consoleRequest(base, undefined, 'POST', '/api/setup', {
      token,
      name: 'root2',
      password: 'long enough',
    });
    expect(again).toMatchObject({ status: 409, json: { message: 'the console is already set up; log in instead' } });

    // pages: none without a session (login and setup excepted), all with one
    const page = (path: string, c?: string) =>
      fetch(base + path, {
        headers: { accept: 'text/html', ...(c ? { cookie: c } : {}) },
        redirect: 'manual',
      });
    const redirected = await page('/services?x=1');
    expect(redirected.status).toBe(302);
    expect(redirected.headers.get('location')).toBe('/login?next=%2Fservices%3Fx%3D1');
    expect((await page('/login')).status).not.toBe(302);
    expect((await page('/services', cookie)).status).toBe(200);
    expect((await consoleRequest(base, undefined, 'GET', '/api/swarm/join-tokens')).status).toBe(401);
    expect((await consoleRequest(base, cookie, 'GET', '/api/swarm/join-tokens')).status).toBe(200);

    // a restart after the setup prints no link, and the session lives on (it is in raft)
    await server.stop();
    server = await start();
    expect([...server.output().matchAll(SETUP_LINK)]).toEqual([]);
    expect((await consoleRequest(base, cookie, 'GET', '/api/session')).status).toBe(200);

    // a share link opens the wall, read-only; once revoked it opens nothing
    const created = await consoleRequest(base, cookie, 'POST', '/api/share-links', { name: 'lobby', ttlHours: 1 });
    expect(created.status).toBe(201);
    const url = (created.json as { url: string }).url;
    const opened = await page(url);
    expect(opened.status).toBe(200);
    expect(await opened.text()).toContain('<meta http-equiv="refresh" content="0;url=/wall">');
    const linkCookie = (opened.headers.get('set-cookie') ?? '').split(';')[0]!;
    expect((await consoleRequest(base, linkCookie, 'GET', '/api/session')).json).toMatchObject({
      principal: { kind: 'share-link', name: 'lobby', role: 'viewer' },
    });
    expect(await consoleRequest(base, linkCookie, 'POST', '/api/services/x/scale', { replicas: 1 })).toMatchObject({
      status: 403,
      json: { message: 'permission denied: viewer may not scale a service (needs operator)' },
    });
    const id = (created.json as { ID: string }).ID;
    expect((await consoleRequest(base, cookie, 'DELETE', `/api/share-links/${id}`)).status).toBe(200);
    expect((await consoleRequest(base, linkCookie, 'GET', '/api/state')).status).toBe(401);
    expect((await page(url)).status).toBe(403);
  }, 240_000);
});

describe('failover keeps sessions and share links', () => {
  const data = tempDir('swarmdeck-auth-failover-');
  const ms: ManagerProc[] = [];
  afterAll(async () => {
    await Promise.all(ms.map((m) => m.stop()));
    data.remove();
  });
  const consoleOf = (m: ManagerProc) => `http://127.0.0.1:${m.ports.console}`;

  it('a cookie from the old leader works on the survivors, a logout on one is refused on the other', async () => {
    // consoles on all three (`--no-console=false` undoes the harness's --no-console)
    await startThreeManagers(ms, data.path, { m1Args: ['--no-console=false'], joinerArgs: ['--no-console=false'] });
    const leader = (await readyLeader(ms))!.m;
    const cookie = await consoleLogin(consoleOf(leader));
    const link = await consoleRequest(consoleOf(leader), cookie, 'POST', '/api/share-links', {
      name: 'wall',
      ttlHours: 1,
    });
    expect(link.status).toBe(201);
    const opened = await fetch(consoleOf(leader) + (link.json as { url: string }).url, { redirect: 'manual' });
    const linkCookie = (opened.headers.get('set-cookie') ?? '').split(';')[0]!;
    expect(linkCookie).toMatch(/^swarmdeck_session=/);
    // a follower's replica has both once it applied them
    const followers = ms.filter((m) => m !== leader);
    for (const f of followers)
      await until(`${f.name} knows the session and the link`, async () => {
        const a = await consoleRequest(consoleOf(f), cookie, 'GET', '/api/session');
        const b = await consoleRequest(consoleOf(f), linkCookie, 'GET', '/api/state');
        return a.status === 200 && b.status === 200;
      });

    await leader.stop();
    await until('a new leader', () => readyLeader(followers, 3), 30_000).catch(() => undefined);
    const [a, b] = followers as [ManagerProc, ManagerProc];
    for (const f of followers) {
      const s = await consoleRequest(consoleOf(f), cookie, 'GET', '/api/session');
      expect(s.status, `${f.name}: ${JSON.stringify(s.json)}`).toBe(200);
      expect(s.json).toMatchObject({ principal: { kind: 'account', name: TEST_ADMIN.name, role: 'admin' } });
      expect((await consoleRequest(consoleOf(f), linkCookie, 'GET', '/api/state')).status).toBe(200);
    }
    // the socket takes the same cookie on a survivor
    const socket = connect(consoleOf(a), { transports: ['websocket'], reconnection: false, extraHeaders: { cookie } });
    try {
      const snap = await new Promise<SnapshotFrame>((resolve, reject) => {
        socket.once('snapshot', resolve);
        socket.once('connect_error', reject);
      });
      expect(snap.objects.node.length).toBeGreaterThan(0);
    } finally {
      socket.close();
    }

    // a write after failover: log in and out on one survivor (forwarded to the new leader), refused on the other
    const second = await until('a login on a survivor', () => consoleLogin(consoleOf(a)).catch(() => ''), 30_000);
    expect((await consoleRequest(consoleOf(a), second, 'DELETE', '/api/session')).status).toBe(200);
    await until(
      'the logout known on the other survivor',
      async () => (await consoleRequest(consoleOf(b), second, 'GET', '/api/session')).status === 401,
    );
    expect((await consoleRequest(consoleOf(b), cookie, 'GET', '/api/session')).status).toBe(200);
  }, 300_000);
});
