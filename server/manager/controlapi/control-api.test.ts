import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { SwarmError } from '../../api/errors';
import type { Node, ServiceSpec, Task } from '../../api/types';
import type { AppliedEvent } from '../../store/batch';
import { makeNode, makeTask, openTempStore } from '../../store/test-support';
import { ManualClock } from '../../util/clock';
import { initCluster } from '../bootstrap';
import { createControlApi, type ControlApi } from './index';
import { MAX_SERVICE_SPEC_BYTES } from './services';
import { wireBytes } from '../../store/split-batch';

type Opened = Awaited<ReturnType<typeof openTempStore>>;

const SELF = 'selfmanager00000000000001';

const spec = (over: Partial<ServiceSpec> = {}): ServiceSpec => ({
  Name: 'web',
  Labels: {},
  TaskTemplate: { ContainerSpec: { Image: 'nginx:alpine' }, ForceUpdate: 0 },
  Mode: { Replicated: { Replicas: 3 } },
  ...over,
});

async function rejection(p: Promise<unknown> | (() => unknown)): Promise<SwarmError> {
  try {
    await (typeof p === 'function' ? p() : p);
  } catch (e) {
    if (e instanceof SwarmError) return e;
    throw e;
  }
  throw new Error('expected a SwarmError');
}

let opened: Opened;
let api: ControlApi;
let workers: Node[];

beforeEach(async () => {
  opened = await openTempStore();
  const { store } = opened;
  await initCluster(store, {
    nodeID: SELF,
    description: makeNode({ hostname: 'manager1' }).Description,
    addr: '127.0.0.1',
  });
  workers = [makeNode({ hostname: 'worker1' }), makeNode({ hostname: 'worker2' }), makeNode({ hostname: 'worker3' })];
  await store.update((tx) => workers.forEach((w) => tx.create('node', w)));
  api = createControlApi(store, {
    selfNodeID: SELF,
    managerAddr: '127.0.0.1:2377',
    isLeader: () => true,
    clock: new ManualClock(),
  });
});
afterEach(async () => {
  await opened.close();
});

describe('services', () => {
  it('refuses a spec too large to be updated later, and updates and rolls back one just under the limit', async () => {
    // labels of `x`: one byte each on the wire; the last pads the spec to `bytes` as an entry carries it
    const sized = (bytes: number, mark: string, extra: Partial<ServiceSpec> = {}): ServiceSpec => {
      const labels: Record<string, string> = {};
      for (let i = 0; wireBytes(spec({ Labels: labels, ...extra })) + 70_000 < bytes; i++)
        labels[`l${i}`] = 'x'.repeat(60_000);
      labels.mark = mark;
      const base = wireBytes(spec({ Labels: labels, ...extra }));
      labels.mark = mark + 'x'.repeat(bytes - base);
      const out = spec({ Labels: labels, ...extra });
      expect(wireBytes(out)).toBe(bytes);
      return out;
    };
    const over = await rejection(api.createService(sized(MAX_SERVICE_SPEC_BYTES + 1, 'a')));
    expect(over.status).toBe(400);
    // measured as stored (defaults filled in)
    expect(over.message).toMatch(
      new RegExp(
        `^rpc error: code = InvalidArgument desc = service spec is too large: 3769\\d\\d bytes encoded, the limit is ${MAX_SERVICE_SPEC_BYTES} \\(an update must fit the old and the new spec in one raft entry\\)$`,
      ),
    );
    expect(api.listServices()).toEqual([]);
    // the largest spec allowed, published ports and all, goes through every later change
    const ports = { EndpointSpec: { Ports: [{ Protocol: 'tcp' as const, TargetPort: 80, PublishedPort: 8080 }] } };
    const s = await api.createService(sized(MAX_SERVICE_SPEC_BYTES - 200, 'a', ports));
    expect(wireBytes(opened.store.view.get('service', s.ID)!.Spec)).toBeGreaterThan(MAX_SERVICE_SPEC_BYTES - 200);
    const u = await api.updateService('web', s.Version.Index, sized(MAX_SERVICE_SPEC_BYTES - 200, 'b', ports));
    expect(u.Spec.Labels.mark![0]).toBe('b');
    const r = await api.updateService('web', u.Version.Index, u.Spec, { rollback: true });
    expect(r.Spec.Labels.mark![0]).toBe('a');
    const again = await rejection(api.updateService('web', r.Version.Index, sized(MAX_SERVICE_SPEC_BYTES + 1, 'c')));
    expect(again.message).toMatch(/service spec is too large/);
  });

  it('creates with defaults, resolves by ID, name (any case) and prefix', async () => {
    const s = await api.createService(spec({ Mode: { Replicated: {} } }));
    expect(s.Spec.Mode.Replicated?.Replicas).toBe(1);
    expect(s.SpecVersion).toEqual({ Index: 0 });
    expect(s.Endpoint.Spec).toEqual({ Mode: 'vip' });
    expect(s.Version.Index).toBeGreaterThan(0);
    expect(api.getService(s.ID).ID).toBe(s.ID);
    expect(api.getService('WEB').ID).toBe(s.ID);
    expect(api.getService(s.ID.slice(0, 5)).ID).toBe(s.ID);
    const e = await rejection(() => api.getService('nosuch'));
    expect([e.status, e.message]).toEqual([404, 'service nosuch not found']);
  });

  it('reports an ambiguous prefix', async () => {
    const ids: string[] = [];
    for (let i = 0; i < 40; i++) ids.push((await api.createService(spec({ Name: `s${i}` }))).ID);
    // 40 IDs over 36 first characters: some first character repeats
    const first = ids.map((id) => id[0]!).find((c, i, all) => all.indexOf(c) !== i)!;
    const n = ids.filter((id) => id.startsWith(first)).length;
    const e = await rejection(() => api.getService(first));
    expect([e.status, e.message]).toEqual([400, `service ${first} is ambiguous (${n} matches found)`]);
  });

  it('refuses a duplicate name with the swarmkit message', async () => {
    await api.createService(spec());
    const e = await rejection(api.createService(spec({ Name: 'Web' })));
    expect(e.status).toBe(409);
    expect(e.message).toBe(
      'rpc error: code = AlreadyExists desc = name conflicts with an existing object: service Web already exists',
    );
  });

  it('update keeps PreviousSpec, stamps SpecVersion, clears UpdateStatus, checks the version', async () => {
    const s = await api.createService(spec());
    await opened.store.update((tx) => {
      const cur = tx.get('service', s.ID)!;
      tx.update('service', { ...cur, UpdateStatus: { State: 'completed', Message: 'update completed' } });
    });
    const before = api.getService('web');
    const newSpec = {
      ...before.Spec,
      TaskTemplate: { ...before.Spec.TaskTemplate, ContainerSpec: { Image: 'nginx:1.27' } },
    };
    const u = await api.updateService('web', before.Version.Index, newSpec);
    expect(u.Spec.TaskTemplate.ContainerSpec.Image).toBe('nginx:1.27');
    expect(u.PreviousSpec?.TaskTemplate.ContainerSpec.Image).toBe('nginx:alpine');
    expect(u.SpecVersion).toEqual({ Index: before.Version.Index });
    expect(u.PreviousSpecVersion).toEqual({ Index: 0 });
    expect(u.UpdateStatus).toBeUndefined();

    const stale = await rejection(api.updateService('web', before.Version.Index, newSpec));
    expect([stale.status, stale.message]).toEqual([409, 'rpc error: code = Unknown desc = update out of sequence']);
  });

  it('accepts back exactly what GET returned (round trip), and a scale changes only Replicas', async () => {
    await api.createService(spec());
    const got = api.getService('web');
    const scaled = { ...got.Spec, Mode: { Replicated: { Replicas: 6 } } };
    const u = await api.updateService('web', got.Version.Index, JSON.parse(JSON.stringify(scaled)));
    expect(u.Spec).toEqual(scaled);
    expect(u.Spec.TaskTemplate).toEqual(got.Spec.TaskTemplate);
  });

  it("refuses mode changes and renames in swarmkit's words, as a 400 (dockerd: 501; a refused input is never 5xx here)", async () => {
    const s = await api.createService(spec());
    const e1 = await rejection(api.updateService(s.ID, s.Version.Index, { ...s.Spec, Mode: { Global: {} } }));
    expect([e1.status, e1.message]).toEqual([
      400,
      'rpc error: code = Unimplemented desc = service mode change is not allowed',
    ]);
    const e2 = await rejection(api.updateService(s.ID, s.Version.Index, { ...s.Spec, Name: 'other' }));
    expect([e2.status, e2.message]).toEqual([
      400,
      'rpc error: code = Unimplemented desc = renaming services is not supported',
    ]);
  });

  it('gives a job JobStatus at iteration 0, and every update (a bare --force too) starts the next one', async () => {
    const s = await api.createService(spec({ Name: 'batch', Mode: { ReplicatedJob: { TotalCompletions: 4 } } }));
    expect(s.JobStatus?.JobIteration).toEqual({ Index: 0 });
    expect(s.JobStatus?.LastExecution).toBeTruthy();
    const forced = { ...s.Spec, TaskTemplate: { ...s.Spec.TaskTemplate, ForceUpdate: 1 } };
    const u = await api.updateService('batch', s.Version.Index, forced);
    expect(u.JobStatus?.JobIteration).toEqual({ Index: 1 });
    const again = await api.updateService('batch', u.Version.Index, u.Spec);
    expect(again.JobStatus?.JobIteration).toEqual({ Index: 2 });
    // a service that is not a job has none
    expect((await api.createService(spec())).JobStatus).toBeUndefined();
  });

  it('rollback swaps Spec and PreviousSpec, or fails without one', async () => {
    const s = await api.createService(spec());
    const e = await rejection(api.updateService('web', s.Version.Index, s.Spec, { rollback: true }));
    expect([e.status, e.message]).toEqual([
      400,
      `rpc error: code = FailedPrecondition desc = service ${s.ID} does not have a previous spec`,
    ]);
    const u = await api.updateService('web', s.Version.Index, { ...s.Spec, Mode: { Replicated: { Replicas: 5 } } });
    const r = await api.updateService('web', u.Version.Index, u.Spec, { rollback: true });
    expect(r.Spec.Mode.Replicated?.Replicas).toBe(3);
    expect(r.PreviousSpec?.Mode.Replicated?.Replicas).toBe(5);
    expect(r.SpecVersion).toEqual(u.PreviousSpecVersion);
    expect(r.PreviousSpecVersion).toEqual(u.SpecVersion);
    expect(r.UpdateStatus).toMatchObject({ State: 'rollback_started', Message: 'manually requested rollback' });
    expect(r.UpdateStatus?.StartedAt).toBeTruthy();
  });

  it('lists with id/name prefix, label and mode filters', async () => {
    await api.createService(spec({ Labels: { 'com.docker.stack.namespace': 'app' } }));
    await api.createService(spec({ Name: 'worker', Mode: { Global: {} } }));
    const names = (f: Record<string, string[]>) =>
      api
        .listServices(f)
        .map((s) => s.Spec.Name)
        .sort();
    expect(names({})).toEqual(['web', 'worker']);
    expect(names({ name: ['w'] })).toEqual(['web', 'worker']);
    expect(names({ name: ['wo'] })).toEqual(['worker']);
    expect(names({ label: ['com.docker.stack.namespace=app'] })).toEqual(['web']);
    expect(names({ label: ['com.docker.stack.namespace'] })).toEqual(['web']);
    expect(names({ mode: ['global'] })).toEqual(['worker']);
    expect((await rejection(() => api.listServices({ bogus: ['x'] }))).message).toBe("invalid filter 'bogus'");
  });

  it('removes the service object', async () => {
    await api.createService(spec());
    await api.removeService('web');
    expect(api.listServices()).toEqual([]);
    expect((await rejection(api.removeService('web'))).status).toBe(404);
  });

  it("sets the service's tasks to desired REMOVE in the entry that deletes it", async () => {
    const svc = await api.createService(spec());
    const tasks = [
      makeTask(svc, { Slot: 1 }),
      makeTask(svc, { Slot: 2, Status: { Timestamp: 'T', State: 'running', Message: 'started' } }),
      makeTask(svc, { Slot: 3, DesiredState: 'shutdown' }),
    ];
    const other = makeTask(await api.createService(spec({ Name: 'other' })));
    await opened.store.update((tx) => [...tasks, other].forEach((t) => tx.create('task', t)));
    const entries: AppliedEvent[] = [];
    const stop = opened.store.view.watch((e) => entries.push(e));
    await api.removeService('web');
    stop();
    const removal = entries.find((e) => e.changes.some((c) => c.kind === 'service' && c.action === 'delete'))!;
    const marked = removal.changes.filter((c) => c.kind === 'task').map((c) => c.object as Task);
    expect(marked.map((t) => [t.ID, t.DesiredState]).sort()).toEqual(tasks.map((t) => [t.ID, 'remove']).sort());
    expect(opened.store.view.get('task', other.ID)!.DesiredState).toBe('running');
  });

  it("marks the rest in further writes when the tasks do not fit the removal's entry", async () => {
    // 24 tasks of about 100 KB each: more than one proposal holds
    const svc = await api.createService(spec());
    const pad = { a: 'x'.repeat(50_000), b: 'y'.repeat(50_000) };
    const tasks = Array.from({ length: 24 }, (_, i) => makeTask(svc, { Slot: i + 1, Labels: pad }));
    for (const t of tasks) await opened.store.update((tx) => tx.create('task', t));
    const entries: AppliedEvent[] = [];
    const stop = opened.store.view.watch((e) => entries.push(e));
    await api.removeService('web');
    stop();
    const first = entries.find((e) => e.changes.some((c) => c.kind === 'service' && c.action === 'delete'))!;
    const inFirst = first.changes.filter((c) => c.kind === 'task').length;
    expect(inFirst).toBeGreaterThan(0);
    expect(inFirst).toBeLessThan(tasks.length);
    expect(tasks.map((t) => opened.store.view.get('task', t.ID)!.DesiredState)).toEqual(tasks.map(() => 'remove'));
  });
});

describe('nodes', () => {
  it('decorates only managers with ManagerStatus at read time', () => {
    const nodes = api.listNodes();
    expect(nodes).toHaveLength(4);
    const mgr = api.getNode(SELF);
    expect(mgr.ManagerStatus).toEqual({ Leader: true, Reachability: 'reachable', Addr: '127.0.0.1:2377' });
    expect(api.getNode('worker1').ManagerStatus).toBeUndefined();
    expect(opened.store.view.get('node', SELF)!.ManagerStatus).toBeUndefined();
  });

  it('filters by role, name prefix, node.label and engine label', async () => {
    const w = api.getNode('worker2');
    await api.updateNode('worker2', w.Version.Index, { ...w.Spec, Labels: { zone: 'a' } });
    const hosts = (f: Record<string, string[]>) =>
      api
        .listNodes(f)
        .map((n) => n.Description.Hostname)
        .sort();
    expect(hosts({ role: ['manager'] })).toEqual(['manager1']);
    expect(hosts({ role: ['worker'] })).toEqual(['worker1', 'worker2', 'worker3']);
    expect(hosts({ name: ['worker1'] })).toEqual(['worker1']);
    expect(hosts({ 'node.label': ['zone=a'] })).toEqual(['worker2']);
    expect(hosts({ membership: ['accepted'] })).toHaveLength(4);
    expect((await rejection(() => api.listNodes({ role: ['boss'] }))).status).toBe(400);
  });

  it('updates availability and labels with a version check', async () => {
    const w = api.getNode('worker1');
    const u = await api.updateNode('worker1', w.Version.Index, {
      Labels: { ssd: '' },
      Role: 'worker',
      Availability: 'drain',
    });
    expect(u.Spec).toEqual({ Labels: { ssd: '' }, Role: 'worker', Availability: 'drain' });
    const stale = await rejection(api.updateNode('worker1', w.Version.Index, w.Spec));
    expect(stale.message).toBe('rpc error: code = Unknown desc = update out of sequence');
    const bad = await rejection(
      api.updateNode('worker1', u.Version.Index, { ...u.Spec, Availability: 'gone' as 'drain' }),
    );
    expect(bad.status).toBe(400);
  });

  it('refuses to demote the last manager', async () => {
    const m = api.getNode(SELF);
    const e = await rejection(api.updateNode(SELF, m.Version.Index, { ...m.Spec, Role: 'worker' }));
    expect([e.status, e.message]).toEqual([
      400,
      'rpc error: code = FailedPrecondition desc = attempting to demote the last manager of the swarm',
    ]);
  });

  it('removal: managers must be demoted, ready nodes need force, tasks are orphaned', async () => {
    const m = await rejection(api.removeNode(SELF, true));
    expect(m.message).toBe(
      `rpc error: code = FailedPrecondition desc = node ${SELF} is a cluster manager and is a member of the raft cluster. It must be demoted to worker before removal`,
    );
    const w = workers[0]!;
    // the expiry of the last certificate the CA issued it is on record (never shown by the API)
    const notAfter = new Date(Date.now() + 40 * 24 * 3_600_000).toISOString();
    await opened.store.update(
      (tx) => void tx.update('node', { ...tx.get('node', w.ID)!, CertificateNotAfter: notAfter }),
    );
    expect(api.getNode(w.ID)).not.toHaveProperty('CertificateNotAfter');
    const e = await rejection(api.removeNode('worker1', false));
    expect([e.status, e.message]).toEqual([
      400,
      `rpc error: code = FailedPrecondition desc = node ${w.ID} is not down and can't be removed`,
    ]);
    const s = await api.createService(spec());
    const t = makeTask(opened.store.view.get('service', s.ID)!, {
      NodeID: w.ID,
      Status: { State: 'running', Message: 'started', Timestamp: 'x' },
    });
    await opened.store.update((tx) => void tx.create('task', t));
    await api.removeNode('worker1', true);
    expect(() => api.getNode(w.ID)).toThrow(/not found/);
    expect(opened.store.view.get('task', t.ID)!.Status).toMatchObject({
      State: 'orphaned',
      Message: 'Task belonged to a node that has been deleted',
    });
    // its certificate is refused from now on, until it expires (swarmkit: the certificate's NotAfter)
    const blacklisted = opened.store.view.list('cluster')[0]!.BlacklistedCertificates!;
    expect(Object.keys(blacklisted)).toEqual([w.ID]);
    expect(blacklisted[w.ID]!.Expiry).toBe(notAfter);
  });
});

describe('tasks', () => {
  it('filters by service name, node hostname, desired state, label and _up-to-date', async () => {
    const s1 = await api.createService(spec({ Labels: { app: 'a' } }));
    const s2 = await api.createService(spec({ Name: 'db' }));
    const stored = opened.store.view.get('service', s1.ID)!;
    const [w1, w2] = workers;
    const old = makeTask(stored, { Slot: 1, NodeID: w1!.ID, DesiredState: 'shutdown' });
    const cur = makeTask(stored, { Slot: 1, NodeID: w2!.ID });
    const other = makeTask(opened.store.view.get('service', s2.ID)!, { NodeID: w1!.ID });
    await opened.store.update((tx) => [old, cur, other].forEach((t) => tx.create('task', t)));

    const ids = (f: Record<string, string[]>) =>
      api
        .listTasks(f)
        .map((t) => t.ID)
        .sort();
    expect(ids({ service: ['web'] })).toEqual([old.ID, cur.ID].sort());
    expect(ids({ service: [s1.ID.slice(0, 6)], 'desired-state': ['running'] })).toEqual([cur.ID]);
    expect(ids({ node: ['worker1'] })).toEqual([old.ID, other.ID].sort());
    expect(ids({ label: ['app=a'] })).toEqual([old.ID, cur.ID].sort());
    expect(ids({ name: ['web.1'] })).toEqual([old.ID, cur.ID].sort());
    expect(ids({ id: [cur.ID.slice(0, 8)] })).toEqual([cur.ID]);
    expect(ids({ '_up-to-date': ['true'], service: ['web'] })).toEqual([old.ID, cur.ID].sort());
    const e = await rejection(() => api.listTasks({ 'desired-state': ['x'] }));
    expect([e.status, e.message]).toEqual([400, "Invalid desired-state filter: 'x'"]);
    expect((await rejection(() => api.listTasks({ service: ['nosuch'] }))).status).toBe(404);

    // an image change makes both tasks dirty; rolling back makes them current again
    const got = api.getService('web');
    const u = await api.updateService('web', got.Version.Index, {
      ...got.Spec,
      TaskTemplate: { ...got.Spec.TaskTemplate, ContainerSpec: { Image: 'nginx:1.27' } },
    });
    expect(ids({ '_up-to-date': ['true'], service: ['web'] })).toEqual([]);
    await api.updateService('web', u.Version.Index, u.Spec, { rollback: true });
    expect(ids({ '_up-to-date': ['true'], service: ['web'] })).toEqual([old.ID, cur.ID].sort());
  });

  it('a ForceUpdate bump makes tasks dirty even when the spec content is otherwise equal', async () => {
    const s = await api.createService(spec());
    const t = makeTask(opened.store.view.get('service', s.ID)!, { SpecVersion: undefined });
    await opened.store.update((tx) => void tx.create('task', t));
    const f = { '_up-to-date': ['1'], service: [s.ID] };
    expect(api.listTasks(f)).toHaveLength(1);
    await api.updateService(s.ID, s.Version.Index, {
      ...s.Spec,
      TaskTemplate: { ...s.Spec.TaskTemplate, ForceUpdate: 1 },
    });
    expect(api.listTasks(f)).toHaveLength(0);
  });

  it('gets a task by ID or prefix', async () => {
    const s = await api.createService(spec());
    const t = makeTask(opened.store.view.get('service', s.ID)!);
    await opened.store.update((tx) => void tx.create('task', t));
    expect(api.getTask(t.ID.slice(0, 10)).ID).toBe(t.ID);
    expect((await rejection(() => api.getTask('zzzz'))).message).toBe('task zzzz not found');
  });
});

describe('cluster', () => {
  it('updates the spec with a version check and rotates tokens keeping the CA digest', async () => {
    const c = api.getCluster();
    const u = await api.updateCluster(
      c.Version.Index,
      { ...c.Spec, Orchestration: { TaskHistoryRetentionLimit: 3 } },
      { workerToken: true },
    );
    expect(u.Spec.Orchestration.TaskHistoryRetentionLimit).toBe(3);
    expect(u.JoinTokens.Manager).toBe(c.JoinTokens.Manager);
    expect(u.JoinTokens.Worker).not.toBe(c.JoinTokens.Worker);
    expect(u.JoinTokens.Worker).toMatch(/^SWMTKN-1-[0-9a-z]{50}-[0-9a-z]{25}$/);
    expect(u.JoinTokens.Worker.split('-')[2]).toBe(c.JoinTokens.Worker.split('-')[2]);
    const stale = await rejection(api.updateCluster(c.Version.Index, c.Spec));
    expect(stale.status).toBe(409);
  });

  it('autolock: on makes an unlock key, a rotation replaces it, off drops it; the spec never holds it', async () => {
    const c = api.getCluster();
    expect(c.ManagerUnlockKey).toBeUndefined();
    const locked = { ...c.Spec, EncryptionConfig: { AutoLockManagers: true } };
    const on = await api.updateCluster(c.Version.Index, locked);
    expect(on.ManagerUnlockKey).toMatch(/^SWMKEY-1-[A-Za-z0-9+/]{43}$/);
    expect(JSON.stringify(on.Spec)).not.toContain('SWMKEY');
    // posting the same spec back keeps the key; asking for a rotation replaces it
    const same = await api.updateCluster(on.Version.Index, locked);
    expect(same.ManagerUnlockKey).toBe(on.ManagerUnlockKey);
    const rotated = await api.updateCluster(same.Version.Index, locked, { managerUnlockKey: true });
    expect(rotated.ManagerUnlockKey).toMatch(/^SWMKEY-1-/);
    expect(rotated.ManagerUnlockKey).not.toBe(on.ManagerUnlockKey);
    const off = await api.updateCluster(rotated.Version.Index, c.Spec, { managerUnlockKey: true });
    expect(off.Spec.EncryptionConfig.AutoLockManagers).toBe(false);
    expect(off.ManagerUnlockKey).toBeUndefined();
  });

  it('starts a root rotation when ForceRotate moves, keeping the trust root and the tokens until it ends', async () => {
    const c = api.getCluster();
    const unchanged = await api.updateCluster(c.Version.Index, c.Spec);
    expect(unchanged.RootCA).toEqual(c.RootCA);
    expect(unchanged.RootRotationInProgress).toBe(false);
    const u = await api.updateCluster(unchanged.Version.Index, {
      ...c.Spec,
      CAConfig: { ...c.Spec.CAConfig, ForceRotate: 1, NodeCertExpiry: 48 * 3600e9 },
    });
    expect(u.RootRotationInProgress).toBe(true);
    expect(u.RootCA!.CACert).toBe(c.RootCA!.CACert);
    expect(u.RootCA!.RootRotation?.CACert).toMatch(/BEGIN CERTIFICATE/);
    expect(u.RootCA!.LastForcedRotation).toBe(1);
    expect(u.JoinTokens).toEqual(c.JoinTokens);
    expect(u.Spec.CAConfig).toEqual({ NodeCertExpiry: 48 * 3600e9, ForceRotate: 1 });
    // posting the same spec back (what `docker swarm update` does) does not start another one
    const again = await api.updateCluster(u.Version.Index, u.Spec);
    expect(again.RootCA!.RootRotation!.CACert).toBe(u.RootCA!.RootRotation!.CACert);
  });

  it('never keeps a given signing key in the spec, and refuses a CA config it cannot use', async () => {
    const c = api.getCluster();
    const bad = await rejection(
      api.updateCluster(c.Version.Index, { ...c.Spec, CAConfig: { SigningCAKey: 'key only' } }),
    );
    expect([bad.status, bad.message]).toEqual([
      400,
      'rpc error: code = InvalidArgument desc = if a signing CA key is provided, the signing CA cert must also be provided',
    ]);
    const short = await rejection(
      api.updateCluster(c.Version.Index, { ...c.Spec, CAConfig: { NodeCertExpiry: 1800e9 } }),
    );
    expect(short.message).toMatch(/minimum certificate expiry time is: 1h0m0s/);
    // the current root again, with its key: accepted, and the key is not kept in the spec
    const same = await api.updateCluster(c.Version.Index, {
      ...c.Spec,
      CAConfig: { SigningCACert: c.RootCA!.CACert, SigningCAKey: c.RootCA!.CAKey },
    });
    expect(JSON.stringify(same.Spec)).not.toContain('PRIVATE KEY');
    expect(same.RootCA!.CACert).toBe(c.RootCA!.CACert);
  });
});
