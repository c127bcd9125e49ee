import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import type { AuditListBody, AuditRecordBody } from '../../api/audit';
import { AuditNoteBuffer } from '../../audit/note-buffer';
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
  const server = http.createServer((req, res) => void handleConsoleApi(req, res, ctx));
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  cleanups.push(() => new Promise<void>((r) => server.close(() => r())));
  const base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  return { store: opened.store, base };
}

const ann = { kind: 'account', id: 'a1', name: 'ann', role: 'admin' } as const;

describe('console audit API', () => {
  it('searches the log newest first and exports the matches as JSON lines', async () => {
    const { store, base } = await setup();
    const svc = makeService();
    await runAs({ actor: ann, action: 'POST /api/services' }, () => store.update((tx) => tx.create('service', svc)));
    const cur = store.view.get('service', svc.ID)!;
    await runAs({ actor: { kind: 'control-loop', name: 'updater' } }, () =>
      store.update((tx) => tx.update('service', { ...cur, Spec: { ...cur.Spec, Labels: { x: '1' } } })),
    );
    const r = await fetch(`${base}/api/audit`);
    expect(r.status).toBe(200);
    const body = (await r.json()) as AuditListBody;
    expect(body.records.map((x) => x.actor.kind).slice(0, 2)).toEqual(['control-loop', 'account']);
    expect(body.total).toBe(body.records.length);
    const mine = (await (await fetch(`${base}/api/audit?actor=ann&result=ok`)).json()) as AuditListBody;
    expect(mine.records).toEqual([
      expect.objectContaining({ actor: ann, action: 'POST /api/services', target: 'service web' }),
    ]);

    const e = await fetch(`${base}/api/audit/export?q=service`);
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
  });

  it('names a bad filter in a 400, and refuses writes to the log', async () => {
    const { base } = await setup();
    const r = await fetch(`${base}/api/audit?result=perhaps`);
    expect(r.status).toBe(400);
    expect(((await r.json()) as { message: string }).message).toMatch(/^result: must be ok or failed/);
    expect((await fetch(`${base}/api/audit`, { method: 'DELETE' })).status).toBe(405);
  });

  it('notes a refused write, once, and not a read', async () => {
    const { store, base } = await setup();
    const r = await fetch(`${base}/api/services/nope/scale`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ replicas: 2 }),
    });
    expect(r.status).toBe(404);
    await fetch(`${base}/api/audit?result=nonsense`);
    const notes = () => store.view.audit.list().filter((x) => x.changes === undefined);
    await until('the refusal noted', () => notes().length > 0, 5_000, 20);
    expect(notes()).toEqual([
      expect.objectContaining({
        actor: { kind: 'system', name: 'console client 127.0.0.1 (no session)' },
        action: 'POST /api/services/nope/scale',
        result: expect.stringMatching(/^refused \(404\): .*nope/),
      }),
    ]);
  });
});
