import { describe, expect, it } from 'vitest';
import type { Secret } from '../api/types';
import { auditRecords, describeOps, stampShapeError } from './audit-record';
import type { Op } from './batch';
import { makeNode, makeService, makeTask } from './test-support';

const T = 1_765_000_000_000;
const none = () => undefined;

describe('audit records', () => {
  it('count the ops and name the first objects, never their bodies', () => {
    const svc = makeService({ Spec: { ...makeService().Spec, Name: 'web' } });
    svc.Spec.TaskTemplate.ContainerSpec.Env = ['DB_PASSWORD=hunter2'];
    const secret: Secret = {
      ID: 's1',
      Version: { Index: 0 },
      CreatedAt: '',
      UpdatedAt: '',
      Spec: { Name: 'db_pass', Labels: {}, Data: Buffer.from('s3cret-value').toString('base64') },
    };
    const ops: Op[] = [
      { op: 'update', kind: 'service', object: svc, expect: 3 },
      ...[1, 2, 3, 4].map((slot): Op => ({ op: 'create', kind: 'task', object: makeTask(svc, { Slot: slot }) })),
      { op: 'create', kind: 'secret', object: secret },
    ];
    const d = describeOps(ops, none);
    expect(d.changes).toBe('update service, create task ×4, create secret');
    expect(d.target).toBe('service web, task web.1, task web.2 +3 more');
    const [r] = auditRecords(9, T, { ops, audit: { actor: { kind: 'control-loop', name: 'x' } } }, 'ok', none);
    const text = JSON.stringify(r);
    expect(text).not.toContain('hunter2');
    expect(text).not.toContain(secret.Spec.Data);
    expect(text).not.toContain('s3cret');
  });

  it('name an account or share link by its name', () => {
    const account = { ID: 'acc1', Version: { Index: 0 }, CreatedAt: '', UpdatedAt: '', Name: 'ann', Role: 'admin' };
    const d = describeOps([{ op: 'create', kind: 'account', object: account } as unknown as Op], none);
    expect(d).toEqual({ changes: 'create account', target: 'account ann' });
  });

  it('name a deleted object as it was, a node by its hostname', () => {
    const node = makeNode({ hostname: 'edge-1' });
    const d = describeOps([{ op: 'delete', kind: 'node', id: node.ID, expect: 4 }], (k, id) =>
      k === 'node' && id === node.ID ? node : undefined,
    );
    expect(d).toEqual({ changes: 'delete node', target: 'node edge-1' });
  });

  it('stamp the actor and action, the time and the result; without a stamp the write is unattributed', () => {
    const svc = makeService();
    const ops: Op[] = [{ op: 'create', kind: 'service', object: svc }];
    const actor = {
      kind: 'engine-client',
      subject: 'CN=ann,OU=operator',
      role: 'operator',
      peer: '127.0.0.1:5',
    } as const;
    expect(auditRecords(7, T, { ops, audit: { actor, action: 'POST /services/create' } }, 'ok', none)).toEqual([
      {
        index: 7,
        seq: 0,
        time: T,
        actor,
        action: 'POST /services/create',
        target: 'service web',
        changes: 'create service',
        result: 'ok',
      },
    ]);
    const [r] = auditRecords(8, T, { ops }, 'update out of sequence', none);
    expect(r).toMatchObject({ actor: { kind: 'system', name: 'unattributed' }, action: 'create service' });
    expect(r!.result).toBe('update out of sequence');
  });

  it('drop a stamp or note that is not sound, and anything an actor should not carry', () => {
    const ops: Op[] = [{ op: 'create', kind: 'service', object: makeService() }];
    for (const bad of [
      { actor: { kind: 'root', name: 'x' } },
      { actor: { kind: 'account', id: 'a', name: 'ann', role: 'god' } },
      { actor: { kind: 'agent' } },
      { actor: { kind: 'control-loop', name: 'x' }, action: 'y'.repeat(301) },
      'nobody',
    ]) {
      expect(stampShapeError(bad)).toBeDefined();
      expect(auditRecords(1, T, { ops, audit: bad as never }, 'ok', none)).toEqual([]);
    }
    const sneaky = { kind: 'control-loop', name: 'scheduler', token: 'SWMTKN-1-abc' };
    const [r] = auditRecords(1, T, { ops, audit: { actor: sneaky as never } }, 'ok', none);
    expect(r!.actor).toEqual({ kind: 'control-loop', name: 'scheduler' });
    const notes = [
      {
        actor: { kind: 'system', name: 'console' },
        action: 'login',
        target: 'account ann',
        result: 'wrong name or password',
      },
      { actor: { kind: 'system', name: 'console' }, action: '', result: 'x' },
      { actor: { kind: 'system' }, action: 'login', result: 'ok' },
      { actor: { kind: 'system', name: 'console' }, action: 'login' },
    ];
    const out = auditRecords(5, T, { ops: [], notes: notes as never }, 'ok', none);
    expect(out).toEqual([
      {
        index: 5,
        seq: 0,
        time: T,
        actor: { kind: 'system', name: 'console' },
        action: 'login',
        target: 'account ann',
        result: 'wrong name or password',
      },
    ]);
  });
});
