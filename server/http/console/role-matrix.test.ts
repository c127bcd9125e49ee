// The console API's role matrix, driven from the role table itself: every
// route, called by nobody, a viewer, a share link, an operator and an admin,
// is allowed or refused as the table says (401 "log in first", 403 naming the
// role and what it needs), and a refused call changes nothing in the store.
// The table is also the list of routes, so a route cannot be served without a
// rule; and each of its routes is served (an admin never gets "no such route").

import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { roleAtLeast, type Role } from '../../api/access';
import { ConsoleAuth } from '../../auth/console-auth';
import { addAccount, addSession, addShareLink } from '../../auth/test-support';
import type { ManagerContext } from '../../manager/context';
import { createControlApi } from '../../manager/controlapi';
import { makeCluster, makeNode, makeService, openTempStore } from '../../store/test-support';
import { systemClock } from '../../util/clock';
import { handleConsoleApi } from './api';
import { CONSOLE_ROUTES, type ConsoleRoute } from './console-roles';

type Caller = 'nobody' | 'viewer' | 'share-link' | 'operator' | 'admin';
const CALLERS: Caller[] = ['nobody', 'viewer', 'share-link', 'operator', 'admin'];
const roleOf = (c: Exclude<Caller, 'nobody'>): Role => (c === 'share-link' ? 'viewer' : c);

let opened: Awaited<ReturnType<typeof openTempStore>>;
let server: http.Server;
let base = '';
const accounts = new Map<Exclude<Caller, 'nobody' | 'share-link'>, string>();
let serviceID = '';
let nodeID = '';

beforeAll(async () => {
  opened = await openTempStore();
  const store = opened.store;
  const node = makeNode({ hostname: 'w1' });
  const svc = makeService();
  nodeID = node.ID;
  serviceID = svc.ID;
  await store.update((tx) => {
    tx.create('node', node);
    tx.create('service', svc);
    tx.create('cluster', makeCluster());
  });
  for (const role of ['viewer', 'operator', 'admin'] as const)
    accounts.set(role, (await addAccount(store, role, role)).id);
  const ctx = {
    store,
    control: createControlApi(store, {
      selfNodeID: 'none',
      managerAddr: '127.0.0.1:2377',
      isLeader: () => true,
      clock: systemClock,
    }),
    clock: systemClock,
    selfNodeID: 'none',
    clusterAddr: '127.0.0.1:2377',
  } as ManagerContext;
  const auth = new ConsoleAuth(ctx);
  server = http.createServer((req, res) => {
    void handleConsoleApi(req, res, ctx, auth).then((handled) => {
      if (!handled) res.end('next');
    });
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
});

afterAll(async () => {
  await new Promise<void>((r) => server?.close(() => r()));
  await opened?.close();
});

/** A fresh session for each call: a logout or a password change must not end the next call's. */
async function cookieFor(caller: Caller): Promise<string | undefined> {
  if (caller === 'nobody') return undefined;
  if (caller === 'share-link') return (await addShareLink(opened.store)).cookie;
  return (await addSession(opened.store, accounts.get(caller)!)).cookie;
}

/** The route with real IDs where it names one (a refused call then would have had something to change). */
function target(route: ConsoleRoute): { method: string; path: string } {
  const [method, pattern] = route.split(' ') as [string, string];
  const path = pattern
    .replace(/^\/api\/services\/:id/, `/api/services/${serviceID}`)
    .replace(/^\/api\/nodes\/:id/, `/api/nodes/${nodeID}`)
    .replace(/:[a-z]+/g, 'nosuch');
  return { method, path };
}

async function call(route: ConsoleRoute, cookie: string | undefined) {
  const { method, path } = target(route);
  const headers: Record<string, string> = cookie ? { cookie } : {};
  const hasBody = method === 'POST';
  if (hasBody) headers['content-type'] = 'application/json';
  const res = await fetch(base + path, { method, headers, body: hasBody ? '{}' : undefined, redirect: 'manual' });
  const text = await res.text();
  let message: string | undefined;
  try {
    message = (JSON.parse(text) as { message?: string }).message;
  } catch {
    message = undefined;
  }
  return { status: res.status, message };
}

const ROUTES = Object.keys(CONSOLE_ROUTES) as ConsoleRoute[];

describe('the console API role matrix', () => {
  for (const route of ROUTES) {
    const rule = CONSOLE_ROUTES[route];
    it(`${route}: ${rule.needs}`, async () => {
      for (const caller of CALLERS) {
        const cookie = await cookieFor(caller);
        // the store may move only by what an allowed call does: a refused one writes nothing
        const before = opened.store.view.index;
        const got = await call(route, cookie);
        const where = `${caller} ${route}: ${got.status} ${got.message ?? ''}`;
        if (rule.needs === 'public') {
          expect(got.status, where).not.toBe(401);
          expect(got.message ?? '', where).not.toMatch(/^permission denied/);
        } else if (caller === 'nobody') {
          expect(got, where).toEqual({ status: 401, message: 'log in first' });
          expect(opened.store.view.index, where).toBe(before);
        } else if (!roleAtLeast(roleOf(caller), rule.needs)) {
          expect(got, where).toEqual({
            status: 403,
            message: `permission denied: ${roleOf(caller)} may not ${rule.what} (needs ${rule.needs})`,
          });
          expect(opened.store.view.index, where).toBe(before);
        } else {
          expect([401, 405], where).not.toContain(got.status);
          expect(got.message ?? '', where).not.toMatch(/^permission denied|^log in first|^no such console API route/);
        }
      }
    });
  }

  it('a path the table does not name is a 404 to a principal, a 401 to anyone else; a wrong method a 405', async () => {
    const cookie = (await cookieFor('admin'))!;
    const get = (path: string, method = 'GET', c?: string) =>
      fetch(base + path, { method, headers: c ? { cookie: c } : {} }).then(async (r) => ({
        status: r.status,
        body: (await r.json()) as unknown,
      }));
    expect(await get('/api/secrets', 'GET', cookie)).toEqual({
      status: 404,
      body: { message: 'no such console API route: GET /api/secrets' },
    });
    expect(await get('/api/secrets')).toEqual({ status: 401, body: { message: 'log in first' } });
    expect((await get('/api/state', 'PUT', cookie)).status).toBe(405);
    expect((await get('/api/state', 'PUT')).status).toBe(401);
  });

  it('viewers and share links read the state without secrets; operators see their metadata', async () => {
    await opened.store.update((tx) =>
      tx.create('secret', {
        ID: 'sec-matrix',
        Version: { Index: 0 },
        CreatedAt: tx.now,
        UpdatedAt: tx.now,
        Spec: { Name: 'db_password', Labels: {}, Data: 'aHVudGVyMg==' },
      }),
    );
    for (const caller of ['viewer', 'share-link', 'operator', 'admin'] as const) {
      const r = await fetch(`${base}/api/state`, { headers: { cookie: (await cookieFor(caller))! } });
      const text = await r.text();
      expect(text).not.toContain('aHVudGVyMg==');
      expect(text.includes('db_password'), caller).toBe(caller === 'operator' || caller === 'admin');
      expect(text).not.toMatch(/PasswordHash|TokenHash|SWMTKN/);
    }
  });
});
