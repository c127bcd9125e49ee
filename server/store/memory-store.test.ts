import { describe, expect, it } from 'vitest';
import type { Account, Network, Secret, Service, Session, ShareLink } from '../api/types';
import type { AppliedEvent, Batch } from './batch';
import { MemoryStore } from './memory-store';
import { batchShapeError, objectShapeError } from './shape';
import { makeNode, makeService, makeTask } from './test-support';

const svc = makeService({ ID: 'svc-1' });
const good: Batch = { ops: [{ op: 'create', kind: 'service', object: svc }] };

function storeWith(batch: Batch = good): { s: MemoryStore; seen: AppliedEvent[] } {
  const s = new MemoryStore();
  const seen: AppliedEvent[] = [];
  s.watch((e) => seen.push(e));
  s.apply(1, batch);
  return { s, seen };
}

/** Batches that must be refused as a whole, with the text that says why. */
const MALFORMED: [string, unknown, RegExp][] = [
  ['not an object', 'ops', /not an object/],
  ['ops not a list', { ops: { 0: 1 } }, /no list of ops/],
  ['an op that is not an object', { ops: [null] }, /op 0: not an object/],
  ['an unknown kind', { ops: [{ op: 'create', kind: 'volume', object: svc }] }, /unknown kind "volume"/],
  ['an unknown op', { ops: [{ op: 'upsert', kind: 'service', object: svc }] }, /unknown op "upsert"/],
  ['an object without ID', { ops: [{ op: 'create', kind: 'service', object: { ...svc, ID: 7 } }] }, /has no ID/],
  [
    'a service without a name',
    { ops: [{ op: 'create', kind: 'service', object: { ...svc, Spec: { ...svc.Spec, Name: 5 } } }] },
    /Spec.Name is not a string/,
  ],
  [
    'a service whose Mode is a number',
    { ops: [{ op: 'create', kind: 'service', object: { ...svc, Spec: { ...svc.Spec, Mode: 3 } } }] },
    /Spec.Mode is not an object/,
  ],
  ['an update without a version', { ops: [{ op: 'update', kind: 'service', object: svc, expect: '1' }] }, /expect/],
  ['a delete without id', { ops: [{ op: 'delete', kind: 'task', expect: 1 }] }, /delete without an id/],
  [
    'a task with a string slot',
    { ops: [{ op: 'create', kind: 'task', object: { ...makeTask(svc), Slot: '1' } }] },
    /Slot is not a non-negative integer/,
  ],
  [
    'a task with an unknown state',
    { ops: [{ op: 'create', kind: 'task', object: makeTask(svc, { DesiredState: 'flying' as 'running' }) }] },
    /DesiredState is not a task state/,
  ],
  [
    'a task without a status',
    { ops: [{ op: 'create', kind: 'task', object: { ...makeTask(svc), Status: null } }] },
    /Status is not an object/,
  ],
  [
    'a node without a description',
    { ops: [{ op: 'create', kind: 'node', object: { ...makeNode(), Description: [] } }] },
    /Description is not an object/,
  ],
  // one bad op spoils the batch: nothing of it is applied
  [
    'a good op then a bad one',
    { ops: [good.ops[0], { op: 'create', kind: 'task', object: { ID: 't' } }] },
    /op 1: task t: ServiceID/,
  ],
];

describe('MemoryStore.apply is total', () => {
  it.each(MALFORMED)('refuses %s as a whole: failed, index moved, tables and watchers untouched', (_, batch, why) => {
    const { s, seen } = storeWith();
    const before = s.image();
    const r = s.apply(2, batch as Batch);
    expect(r.failed).toMatch(why);
    expect(r.error).toBeUndefined();
    expect(r.event.changes).toEqual([]);
    expect(s.index).toBe(2);
    expect(s.image()).toEqual({ ...before, index: 2 });
    expect(seen.map((e) => e.index)).toEqual([1]);
    // and the store carries on
    s.apply(3, { ops: [{ op: 'create', kind: 'task', object: makeTask(svc, { ID: 'ok' }) }] });
    expect(s.get('task', 'ok')?.Version.Index).toBe(3);
  });

  it('undoes the ops before one whose write throws (a getter that throws), indexes included', () => {
    const { s, seen } = storeWith();
    const before = s.image();
    const poisoned = makeTask(svc, { ID: 'p', Slot: 2 });
    Object.defineProperty(poisoned, 'Labels', {
      enumerable: true,
      get: () => {
        throw new TypeError('poisoned');
      },
    });
    const r = s.apply(2, {
      ops: [
        { op: 'create', kind: 'task', object: makeTask(svc, { ID: 'first', Slot: 1, NodeID: 'n1' }) },
        { op: 'update', kind: 'service', object: { ...svc, Spec: { ...svc.Spec, Name: 'renamed' } }, expect: 1 },
        { op: 'create', kind: 'task', object: poisoned },
      ],
    });
    expect(r.failed).toBe('applying the batch threw: TypeError: poisoned');
    expect(s.image()).toEqual({ ...before, index: 2 });
    expect(s.tasksByService(svc.ID)).toEqual([]);
    expect(s.tasksByNode('n1')).toEqual([]);
    expect(s.serviceByName('web')?.ID).toBe(svc.ID);
    expect(s.serviceByName('renamed')).toBeUndefined();
    expect(seen).toHaveLength(1);
  });

  it('still skips a stale batch as a validation error, not a failure', () => {
    const { s } = storeWith();
    const r = s.apply(2, { ops: [{ op: 'update', kind: 'service', object: svc, expect: 7 }] });
    expect(r.failed).toBeUndefined();
    expect(r.error?.message).toMatch(/out of sequence/);
  });

  it('restores an image without its malformed objects, and says which', () => {
    const s = new MemoryStore();
    const bad = { ...makeService({ ID: 'bad' }), Spec: 'x' } as unknown as Service;
    const { skipped } = s.restore({
      index: 9,
      objects: {
        service: [svc, bad],
        task: [makeTask(svc, { ID: 't1' }), { ID: 't2' }],
        node: 'nope',
      } as never,
    });
    expect(s.index).toBe(9);
    expect(s.list('service').map((x) => x.ID)).toEqual([svc.ID]);
    expect(s.tasksByService(svc.ID).map((t) => t.ID)).toEqual(['t1']);
    expect(skipped).toEqual([
      'node: not a list',
      'service bad: Spec is not an object',
      'task t2: ServiceID is not a string',
    ]);
  });
});

describe('shape checks', () => {
  it('accept what the control loops and the API write', () => {
    const s = makeService();
    expect(batchShapeError({ ops: [] })).toBeUndefined();
    expect(objectShapeError('service', s)).toBeUndefined();
    expect(objectShapeError('task', makeTask(s))).toBeUndefined();
    expect(objectShapeError('node', makeNode())).toBeUndefined();
  });
});

describe('network references at apply (a service create racing a network removal)', () => {
  const net = (ID: string, over: Partial<Network['Spec']> = {}): Network => ({
    ID,
    Version: { Index: 0 },
    CreatedAt: '2024-01-01T00:00:00.000Z',
    UpdatedAt: '2024-01-01T00:00:00.000Z',
    Spec: { Name: ID, Labels: {}, DriverConfiguration: { Name: 'overlay' }, ...over },
  });
  const on = (ID: string, nets: string[], name = ID): Service =>
    makeService({
      ID,
      Spec: {
        ...makeService().Spec,
        Name: name,
        TaskTemplate: { ...makeService().Spec.TaskTemplate, Networks: nets.map((Target) => ({ Target })) },
      },
    });
  const withNets = () => {
    const s = new MemoryStore();
    s.apply(1, {
      ops: [
        { op: 'create', kind: 'network', object: net('appnet') },
        { op: 'create', kind: 'network', object: net('backnet') },
      ],
    });
    return s;
  };
  const removal = (id: string): Batch => ({ ops: [{ op: 'delete', kind: 'network', id, expect: 1 }] });

  it('refuses a service created after its network was removed, on every replica alike', () => {
    const replicas = [withNets(), withNets()];
    // both were checked against a store that still had appnet: the removal commits first
    const results = replicas.map((s) => [
      s.apply(2, removal('appnet')),
      s.apply(3, { ops: [{ op: 'create', kind: 'service', object: on('web', ['appnet']) }] }),
    ]);
    for (const [rm, create] of results) {
      expect(rm!.error).toBeUndefined();
      expect([create!.error?.status, create!.error?.message, create!.failed]).toEqual([
        404,
        'network appnet not found',
        undefined,
      ]);
      expect(create!.event.changes).toEqual([]);
    }
    expect(replicas.map((s) => s.list('service'))).toEqual([[], []]);
  });

  it('refuses the removal when the service committed first', () => {
    const s = withNets();
    expect(
      s.apply(2, { ops: [{ op: 'create', kind: 'service', object: on('web', ['appnet']) }] }).error,
    ).toBeUndefined();
    const r = s.apply(3, removal('appnet'));
    expect([r.error?.status, r.error?.message]).toEqual([
      400,
      'rpc error: code = FailedPrecondition desc = network appnet is in use by service web',
    ]);
    expect(s.get('network', 'appnet')).toBeDefined();
  });

  it('refuses an update that adds a removed network, and keeps one a service already named', () => {
    const s = withNets();
    s.apply(2, { ops: [{ op: 'create', kind: 'service', object: on('web', ['backnet']) }] });
    s.apply(3, removal('appnet'));
    const add = s.apply(4, {
      ops: [{ op: 'update', kind: 'service', object: on('web', ['backnet', 'appnet']), expect: 2 }],
    });
    expect(add.error?.message).toBe('network appnet not found');
    // a service stored naming a network that is gone (an older version, a snapshot) stays writable
    s.restore({
      ...s.image(),
      objects: { ...s.image().objects, service: [{ ...on('old', ['gone']), Version: { Index: 4 } }] },
    });
    const kept = s.apply(5, { ops: [{ op: 'update', kind: 'service', object: on('old', ['gone']), expect: 4 }] });
    expect(kept.error).toBeUndefined();
  });

  it('takes a network created and a service on it in one batch, and a removal with the service that used it', () => {
    const s = withNets();
    const both = s.apply(2, {
      ops: [
        { op: 'create', kind: 'network', object: net('newnet') },
        { op: 'create', kind: 'service', object: on('web', ['newnet']) },
      ],
    });
    expect(both.error).toBeUndefined();
    const together = s.apply(3, {
      ops: [
        { op: 'delete', kind: 'service', id: 'web', expect: 2 },
        { op: 'delete', kind: 'network', id: 'newnet', expect: 2 },
      ],
    });
    expect(together.error).toBeUndefined();
    expect(s.get('network', 'newnet')).toBeUndefined();
  });

  it('refuses removing a network a live task holds, and ingress while a service publishes', () => {
    const s = new MemoryStore();
    const web = makeService({ ID: 'web' });
    const t = makeTask(web, { ID: 't1', DesiredState: 'running' });
    s.apply(1, {
      ops: [
        { op: 'create', kind: 'network', object: net('appnet') },
        { op: 'create', kind: 'network', object: net('ingress', { Ingress: true }) },
        { op: 'create', kind: 'task', object: { ...t, Spec: { ...t.Spec, Networks: [{ Target: 'appnet' }] } } },
        {
          op: 'create',
          kind: 'service',
          object: { ...web, Spec: { ...web.Spec, EndpointSpec: { Mode: 'vip', Ports: [{ TargetPort: 80 }] } } },
        },
      ],
    });
    expect(s.apply(2, removal('appnet')).error?.message).toBe(
      'rpc error: code = FailedPrecondition desc = network appnet is in use by task t1',
    );
    expect(s.apply(3, removal('ingress')).error?.message).toBe(
      'rpc error: code = FailedPrecondition desc = ingress network cannot be removed because service web depends on it',
    );
  });
});

describe('secrets and configs at apply (names, and references racing a removal)', () => {
  const secret = (ID: string, Name = ID): Secret => ({
    ID,
    Version: { Index: 0 },
    CreatedAt: '2024-01-01T00:00:00.000Z',
    UpdatedAt: '2024-01-01T00:00:00.000Z',
    Spec: { Name, Labels: {}, Data: 'eA==' },
  });
  const using = (ID: string, secrets: string[]): Service =>
    makeService({
      ID,
      Spec: {
        ...makeService().Spec,
        Name: ID,
        TaskTemplate: {
          ...makeService().Spec.TaskTemplate,
          ContainerSpec: {
            Image: 'busybox',
            Secrets: secrets.map((id) => ({ SecretID: id, SecretName: id, File: { Name: id } })),
          },
        },
      },
    });
  const withSecret = () => {
    const s = new MemoryStore();
    s.apply(1, { ops: [{ op: 'create', kind: 'secret', object: secret('pw') }] });
    return s;
  };
  const removal: Batch = { ops: [{ op: 'delete', kind: 'secret', id: 'pw', expect: 1 }] };

  it('refuses a second secret whose name differs only in case, also within one batch; configs apart', () => {
    const s = withSecret();
    const taken = s.apply(2, { ops: [{ op: 'create', kind: 'secret', object: secret('other', 'PW') }] });
    expect([taken.error?.status, taken.error?.message]).toEqual([
      409,
      'rpc error: code = AlreadyExists desc = secret PW already exists',
    ]);
    const twice = s.apply(3, {
      ops: [
        { op: 'create', kind: 'secret', object: secret('a', 'dup') },
        { op: 'create', kind: 'secret', object: secret('b', 'Dup') },
      ],
    });
    expect(twice.error?.message).toBe('rpc error: code = AlreadyExists desc = secret Dup already exists');
    // a config may share a secret's name; a removed secret's name is free again
    expect(s.apply(4, { ops: [{ op: 'create', kind: 'config', object: secret('cfg', 'pw') }] }).error).toBeUndefined();
    expect(s.apply(5, removal).error).toBeUndefined();
    expect(s.apply(6, { ops: [{ op: 'create', kind: 'secret', object: secret('new', 'Pw') }] }).error).toBeUndefined();
    expect(s.payloadByName('secret', 'PW')?.ID).toBe('new');
  });

  it('refuses a service written after its secret was removed, and a removal after the service', () => {
    const first = withSecret();
    first.apply(2, removal);
    const late = first.apply(3, { ops: [{ op: 'create', kind: 'service', object: using('web', ['pw']) }] });
    expect([late.error?.status, late.error?.message]).toEqual([
      400,
      'rpc error: code = InvalidArgument desc = secret not found: pw',
    ]);
    const second = withSecret();
    second.apply(2, { ops: [{ op: 'create', kind: 'service', object: using('web', ['pw']) }] });
    const r = second.apply(3, removal);
    expect(r.error?.message).toBe(
      "rpc error: code = InvalidArgument desc = secret 'pw' is in use by the following service: web",
    );
    expect(second.get('secret', 'pw')).toBeDefined();
    // the service and the secret go together
    const both = second.apply(4, {
      ops: [
        { op: 'delete', kind: 'service', id: 'web', expect: 2 },
        { op: 'delete', kind: 'secret', id: 'pw', expect: 1 },
      ],
    });
    expect(both.error).toBeUndefined();
  });
});

describe('console accounts, sessions and share links at apply', () => {
  const T = '2026-01-01T00:00:00.000Z';
  const HASH = 'a'.repeat(64);
  const account = (id: string, name: string, role: Account['Role']): Account => ({
    ID: id,
    Version: { Index: 0 },
    CreatedAt: T,
    UpdatedAt: T,
    Name: name,
    Role: role,
    PasswordHash: '$argon2id$v=19$m=19456,t=2,p=1$x$y',
  });
  const session: Session = {
    ID: 's1',
    Version: { Index: 0 },
    CreatedAt: T,
    UpdatedAt: T,
    AccountID: 'a1',
    TokenHash: HASH,
    ExpiresAt: T,
  };
  const link: ShareLink = {
    ID: 'l1',
    Version: { Index: 0 },
    CreatedAt: T,
    UpdatedAt: T,
    Name: 'wall',
    TokenHash: HASH,
    ExpiresAt: T,
    CreatedBy: 'admin',
  };

  it('checks their shape: a role, a SHA-256 token hash, a parseable expiry', () => {
    expect(objectShapeError('account', account('a1', 'admin', 'admin'))).toBeUndefined();
    expect(objectShapeError('session', session)).toBeUndefined();
    expect(objectShapeError('shareLink', link)).toBeUndefined();
    expect(objectShapeError('account', { ...account('a1', 'x', 'admin'), Role: 'root' })).toMatch(/Role is not a role/);
    expect(objectShapeError('session', { ...session, TokenHash: 'secret-in-clear' })).toMatch(/TokenHash/);
    expect(objectShapeError('shareLink', { ...link, ExpiresAt: 'soon' })).toMatch(/ExpiresAt is not a time/);
  });

  it('keeps account names unique in any case and never removes or demotes the last admin', () => {
    const s = new MemoryStore();
    expect(s.apply(1, { ops: [{ op: 'create', kind: 'account', object: account('a1', 'Admin', 'admin') }] })).toEqual({
      event: expect.anything(),
    });
    expect(s.accountByName('ADMIN')?.ID).toBe('a1');
    const clash = s.apply(2, { ops: [{ op: 'create', kind: 'account', object: account('a2', 'admin', 'viewer') }] });
    expect(clash.error?.message).toMatch(/account admin already exists/);
    const demote = s.apply(3, {
      ops: [{ op: 'update', kind: 'account', object: { ...s.get('account', 'a1')!, Role: 'viewer' }, expect: 1 }],
    });
    expect(demote.error?.message).toMatch(/last admin/);
    const remove = s.apply(4, { ops: [{ op: 'delete', kind: 'account', id: 'a1', expect: 1 }] });
    expect(remove.error?.message).toMatch(/last admin/);
    // with another admin in the same entry it may go
    const handover = s.apply(5, {
      ops: [
        { op: 'create', kind: 'account', object: account('a3', 'second', 'admin') },
        { op: 'delete', kind: 'account', id: 'a1', expect: 1 },
      ],
    });
    expect(handover.error).toBeUndefined();
    expect(s.accountByName('admin')).toBeUndefined();
  });

  it('makes no Docker events of them', () => {
    const s = new MemoryStore();
    const r = s.apply(1, {
      ops: [
        { op: 'create', kind: 'account', object: account('a1', 'admin', 'admin') },
        { op: 'create', kind: 'session', object: session },
        { op: 'create', kind: 'shareLink', object: link },
      ],
      time: Date.parse(T),
    });
    expect(r.event.changes).toHaveLength(3);
    expect(r.event.events ?? []).toEqual([]);
    expect(s.events.list(() => true)).toEqual([]);
  });
});
