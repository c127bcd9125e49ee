import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import type { AuditListBody, AuditRecordBody } from '../../api/audit';
import { AuditNoteBuffer } from '../../audit/note-buffer';
import { ConsoleAuth } from '../../auth/console-auth';
import { loggedIn } from '../../auth/test-support';
import type { ManagerContext } from '../../manager/context';
import { createControlApi } from '../../manager/controlapi';
import { runAs } from '../../store/audit-context';
import { makeService, openTempStore } from '../../store/test-support';
import { systemClock } from '../../util/clock';
import { until } from '../../../test/until';
import { handleConsoleApi } from './api';

const cleanups: (() => Promise<void>)[] = [];
afterEach(async () => {
  while (cleanups.length) await cleanups.pop()!();
});

async function setup() {
  const opened = await openTempStore();
  cleanups.push(() => opened.close());
  const audit = new AuditNoteBuffer((notes) => opened.store.note(notes), systemClock, { coalesceMs: 20 });
  cleanups.push(() => audit.close());
  const ctx = {
    store: opened.store,
    control: createControlApi(opened.store, {
      selfNodeID: 'none',
      managerAddr: '127.0.0.1:2377',
      isLeader: () => true,
      clock: systemClock,
    }),
    clock: systemClock,
    selfNodeID: 'none',
    clusterAddr: 'x',
    audit,
  } as unknown as ManagerContext;
  const auth = new ConsoleAuth(ctx);
  const admin = await loggedIn(opened.store, 'ann', 'admin');
  const operator = await loggedIn(opened.store, 'otto', 'operator');
  const server = http.createServer((req, res) => void handleConsoleApi(req, res, ctx, auth));
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  cleanups.push(() => new Promise<void>((r) => server.close(() => r())));
  const base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  const call = (method: string, path: string, opts: { cookie?: string; body?: unknown } = {}) =>
    fetch(base + path, {
      method,
      headers: {
        ...(opts.cookie ? { cookie: opts.cookie } : {}),
        ...(opts.body !== undefined ? { 'content-type': 'application/json' } : {}),
      },
      body: opts.body === undefined ? undefined : JSON.stringify(opts.body),
    });
  const notes = () => opened.store.view.audit.list().filter((x) => x.changes === undefined);
  return { store: opened.store, call, admin, operator, notes };
}

const ann = (id: string) => ({ kind: 'account', id, name: 'ann', role: 'admin' }) as const;

describe('console audit API', () => {
  it('searches the log newest first and exports the matches as JSON lines (admins only)', async () => {
    const { store, call, admin, operator } = await setup();
    const svc = makeService();
    await runAs({ actor: ann(admin.account.id), action: 'POST /api/services' }, () =>
      store.update((tx) => tx.create('service', svc)),
    );
    const cur = store.view.get('service', svc.ID)!;
    await runAs({ actor: { kind: 'control-loop', name: 'updater' } }, () =>
      store.update((tx) => tx.update('service', { ...cur, Spec: { ...cur.Spec, Labels: { x: '1' } } })),
    );
    const r = await call('GET', '/api/audit', { cookie: admin.cookie });
    expect(r.status).toBe(200);
    const body = (await r.json()) as AuditListBody;
    expect(body.records.map((x) => x.actor.kind).slice(0, 2)).toEqual(['control-loop', 'account']);
    expect(body.total).toBe(body.records.length);
    const mine = (await (
      await call('GET', '/api/audit?actor=ann&result=ok', { cookie: admin.cookie })
    ).json()) as AuditListBody;
    expect(mine.records).toEqual([
      expect.objectContaining({ actor: ann(admin.account.id), action: 'POST /api/services', target: 'service web' }),
    ]);

    const e = await call('GET', '/api/audit/export?q=service', { cookie: admin.cookie });
    expect(e.status).toBe(200);
    expect(e.headers.get('content-type')).toMatch(/^application\/x-ndjson/);
    expect(e.headers.get('content-disposition')).toBe('attachment; filename="swarmdeck-audit.jsonl"');
    const text = await e.text();
    expect(text.endsWith('\n')).toBe(true);
    const lines = text
      .trimEnd()
      .split('\n')
      .map((l) => JSON.parse(l) as AuditRecordBody);
    // oldest first, as a log file reads
    expect(lines.map((l) => l.actor.kind)).toEqual(['account', 'control-loop']);

    for (const path of ['/api/audit', '/api/audit/export']) {
      expect((await call('GET', path, { cookie: operator.cookie })).status).toBe(403);
      expect((await call('GET', path)).status).toBe(401);
    }
  });

  it('names a bad filter in a 400, and takes no writes', async () => {
    const { call, admin } = await setup();
    const r = await call('GET', '/api/audit?result=perhaps', { cookie: admin.cookie });
    expect(r.status).toBe(400);
    expect(((await r.json()) as { message: string }).message).toMatch(/^result: must be ok or failed/);
    expect((await call('DELETE', '/api/audit', { cookie: admin.cookie })).status).toBe(405);
  });

  it("records an account's write as that account, and notes its refused writes once, with the refusal", async () => {
    const { store, call, admin, operator, notes } = await setup();
    const svc = makeService();
    await store.update((tx) => tx.create('service', svc));
    const ok = await call('POST', `/api/services/${svc.ID}/scale`, { cookie: operator.cookie, body: { replicas: 3 } });
    expect(ok.status).toBe(200);
    expect(store.view.audit.list().at(-1)).toMatchObject({
      actor: { kind: 'account', name: 'otto', role: 'operator' },
      action: `POST /api/services/${svc.ID}/scale`,
      target: 'service web',
      result: 'ok',
    });

    expect(
      (await call('POST', '/api/services/nope/scale', { cookie: admin.cookie, body: { replicas: 2 } })).status,
    ).toBe(404);
    expect((await call('DELETE', `/api/services/${svc.ID}`, { cookie: operator.cookie })).status).toBe(403);
    expect((await call('POST', '/api/services/nope/scale', { body: { replicas: 2 } })).status).toBe(401);
    // reads are not noted, refused or not; a failed login is noted once, by the login itself
    expect((await call('GET', '/api/audit', { cookie: operator.cookie })).status).toBe(403);
    expect((await call('POST', '/api/session', { body: { name: 'ann', password: 'wrong-password' } })).status).toBe(
      401,
    );
    await until('the refusals noted', () => notes().length >= 4, 5_000, 20);
    await new Promise((r) => setTimeout(r, 100)); // nothing more comes
    expect(notes()).toEqual([
      expect.objectContaining({
        actor: { kind: 'account', id: admin.account.id, name: 'ann', role: 'admin' },
        action: 'POST /api/services/nope/scale',
        result: expect.stringMatching(/^refused \(404\): .*nope/),
      }),
      expect.objectContaining({
        actor: { kind: 'account', id: operator.account.id, name: 'otto', role: 'operator' },
        action: `DELETE /api/services/${svc.ID}`,
        result: 'refused (403): permission denied: operator may not remove a service (needs admin)',
      }),
      expect.objectContaining({
        actor: { kind: 'system', name: expect.stringMatching(/^console visitor from .*127\.0\.0\.1/) },
        action: 'POST /api/services/nope/scale',
        result: 'refused (401): log in first',
      }),
      expect.objectContaining({ action: 'login', target: 'account ann', result: 'wrong name or password' }),
    ]);
  });
});
