import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Node, Service, Task } from '../../api/types';
import { makeService, makeTask } from '../../store/test-support';
import { SELF, startTestEngine, type Reply, type TestEngine } from './test-support';

let engine: TestEngine;
let opened: TestEngine['opened'];
const call = (method: string, path: string, body?: unknown, headers: Record<string, string> = {}): Promise<Reply> =>
  engine.call(method, path, body, headers);

const q = (filters: object) => encodeURIComponent(JSON.stringify(filters));

// what `docker service create --name web --replicas 2 nginx:alpine` posts
const cliSpec = {
  Name: 'web',
  Labels: {},
  TaskTemplate: {
    ContainerSpec: { Image: 'nginx:alpine', Init: false, DNSConfig: {} },
    Resources: { Limits: {}, Reservations: {} },
    Placement: {},
    ForceUpdate: 0,
  },
  Mode: { Replicated: { Replicas: 2 } },
  UpdateConfig: { Parallelism: 1, FailureAction: 'pause', Monitor: 5e9, MaxFailureRatio: 0, Order: 'stop-first' },
  EndpointSpec: { Mode: 'vip' },
};

beforeAll(async () => {
  engine = await startTestEngine(['worker1', 'worker2']);
  opened = engine.opened;
});

afterAll(() => engine.close());

describe('connection and versions', () => {
  it('answers HEAD and GET /_ping with the negotiation headers', async () => {
    for (const method of ['HEAD', 'GET']) {
      const r = await call(method, '/_ping');
      expect(r.status).toBe(200);
      expect(r.headers['api-version']).toBe('1.50');
      expect(r.headers['ostype']).toBe('linux');
      expect(r.headers['docker-experimental']).toBe('false');
      expect(r.headers['swarm']).toBe('active/manager');
      expect(r.headers['server']).toBe('Docker/28.2.2 (linux)');
      expect(r.headers['cache-control']).toBe('no-cache, no-store, must-revalidate');
      expect(r.text).toBe(method === 'GET' ? 'OK' : '');
    }
  });

  it('accepts /v1.24../v1.50 and unprefixed paths, refuses newer versions', async () => {
    expect((await call('GET', '/v1.24/version')).status).toBe(200);
    expect((await call('GET', '/v1.50/version')).status).toBe(200);
    const v = await call('GET', '/version');
    expect(v.json).toMatchObject({ ApiVersion: '1.50', Components: [{ Name: 'Engine', Version: '28.2.2' }] });
    const r = await call('GET', '/v1.51/version');
    expect(r.status).toBe(400);
    expect(r.json).toEqual({ message: 'client version 1.51 is too new. Maximum supported API version is 1.50' });
  });

  it('unknown routes are 404 page not found with an exact JSON content type', async () => {
    const r = await call('GET', '/v1.50/nonsense');
    expect(r.status).toBe(404);
    expect(r.headers['content-type']).toBe('application/json');
    expect(r.json).toEqual({ message: 'page not found' });
    expect(r.headers['api-version']).toBe('1.50');
  });

  it("a container engine's families say this is a swarm-only engine after Docker's text", async () => {
    const ps = await call('GET', '/v1.50/containers/json?all=1');
    expect([ps.status, ps.headers['content-type']]).toEqual([404, 'application/json']);
    expect(ps.json).toEqual({
      message: 'page not found: this is a swarm-only engine; `docker ps` (containers) is not supported',
    });
    expect((await call('GET', '/volumes')).json).toEqual({
      message: 'page not found: this is a swarm-only engine; `docker volume` (volumes) is not supported',
    });
    expect(((await call('POST', '/v1.50/images/create?fromImage=x')).json as { message: string }).message).toMatch(
      /^page not found: this is a swarm-only engine; `docker images`/,
    );
  });
});

describe('swarm and info', () => {
  it('GET /swarm has the cluster and join tokens; /info embeds it without tokens', async () => {
    const s = (await call('GET', '/v1.50/swarm')).json as { JoinTokens: { Worker: string }; Spec: { Name: string } };
    expect(s.Spec.Name).toBe('default');
    expect(s.JoinTokens.Worker).toMatch(/^SWMTKN-1-/);
    const info = (await call('GET', '/v1.50/info')).json as { Swarm: Record<string, unknown> };
    expect(info.Swarm).toMatchObject({
      NodeID: SELF,
      NodeAddr: '127.0.0.1',
      LocalNodeState: 'active',
      ControlAvailable: true,
      Nodes: 3,
      Managers: 1,
      RemoteManagers: [{ NodeID: SELF, Addr: '127.0.0.1:2377' }],
    });
    expect((info.Swarm.Cluster as Record<string, unknown>).JoinTokens).toBeUndefined();
  });

  it("counts this node's tasks as dockerd counts its containers, not the swarm's", async () => {
    const svc = makeService();
    const at = (NodeID: string, State: Task['Status']['State']) =>
      makeTask(svc, { NodeID, Status: { State, Message: State, Timestamp: 'x' } });
    const tasks = [at(SELF, 'running'), at(SELF, 'complete'), at(SELF, 'failed'), at('elsewhere', 'running')];
    await opened.store.update((tx) => tasks.forEach((t) => tx.create('task', t)));
    try {
      const info = (await call('GET', '/v1.50/info')).json as Record<string, number>;
      expect([info.Containers, info.ContainersRunning, info.ContainersStopped]).toEqual([3, 1, 2]);
    } finally {
      await opened.store.update((tx) => tasks.forEach((t) => tx.delete('task', t.ID)));
    }
  });

  it('shows the root CA as TLSInfo, and never its key or the blacklist', async () => {
    const stored = engine.opened.store.view.list('cluster')[0]!;
    const swarm = await call('GET', '/v1.50/swarm');
    const info = await call('GET', '/v1.50/info');
    for (const r of [swarm, info]) {
      expect(r.text).not.toContain('PRIVATE KEY');
      expect(r.text).not.toContain(JSON.stringify(stored.RootCA!.CAKey).slice(1, 40));
      expect(r.text).not.toMatch(/RootCA"|CAKey|Blacklisted/);
    }
    const s = swarm.json as { TLSInfo: Record<string, string>; RootRotationInProgress: boolean };
    expect(s.TLSInfo.TrustRoot).toBe(stored.RootCA!.CACert);
    expect(s.TLSInfo.CertIssuerSubject).toBe('MBMxETAPBgNVBAMTCHN3YXJtLWNh'); // DER of CN=swarm-ca, as swarm's
    expect(s.TLSInfo.CertIssuerPublicKey).toMatch(/^MFkwEwYHKoZIzj0CAQYIKoZIzj0DAQcDQgAE/); // a P-256 key
    expect(s.RootRotationInProgress).toBe(false);
    expect((info.json as { Swarm: { Cluster: unknown } }).Swarm.Cluster).toMatchObject({ TLSInfo: s.TLSInfo });
  });

  it('swarm init is refused: this node is already in a swarm', async () => {
    const r = await call('POST', '/v1.50/swarm/init', { ListenAddr: '0.0.0.0:2377' });
    expect(r.status).toBe(503);
    expect(r.json).toEqual({
      message:
        'This node is already part of a swarm. Use "docker swarm leave" to leave this swarm and join another one.',
    });
  });

  it('swarm update checks the version and rotates the worker token', async () => {
    const before = (await call('GET', '/v1.50/swarm')).json as {
      Version: { Index: number };
      Spec: { Orchestration: object };
      JoinTokens: { Worker: string; Manager: string };
    };
    const spec = { ...before.Spec, Orchestration: { TaskHistoryRetentionLimit: 3 } };
    const r = await call(
      'POST',
      `/v1.50/swarm/update?rotateManagerToken=false&rotateManagerUnlockKey=false&rotateWorkerToken=true&version=${before.Version.Index}`,
      spec,
    );
    expect(r.status).toBe(200);
    const after = (await call('GET', '/v1.50/swarm')).json as typeof before;
    expect(after.Spec.Orchestration).toEqual({ TaskHistoryRetentionLimit: 3 });
    expect(after.JoinTokens.Worker).not.toBe(before.JoinTokens.Worker);
    expect(after.JoinTokens.Manager).toBe(before.JoinTokens.Manager);
    const stale = await call('POST', `/v1.50/swarm/update?version=${before.Version.Index}`, spec);
    expect(stale.status).toBe(409);
    expect((await call('POST', '/v1.50/swarm/update?version=abc', spec)).status).toBe(400);
  });
});

describe('nodes', () => {
  it('lists nodes with ManagerStatus on the manager and filters', async () => {
    const nodes = (await call('GET', '/v1.50/nodes')).json as Node[];
    expect(nodes).toHaveLength(3);
    expect(nodes.find((n) => n.ID === SELF)?.ManagerStatus).toEqual({
      Leader: true,
      Reachability: 'reachable',
      Addr: '127.0.0.1:2377',
    });
    const workers = (await call('GET', `/v1.50/nodes?filters=${q({ role: { worker: true } })}`)).json as Node[];
    expect(workers.map((n) => n.Description.Hostname).sort()).toEqual(['worker1', 'worker2']);
    const legacy = (await call('GET', `/v1.50/nodes?filters=${q({ role: ['manager'] })}`)).json as Node[];
    expect(legacy.map((n) => n.ID)).toEqual([SELF]);
    const bad = await call('GET', '/v1.50/nodes?filters=%7Bnot-json');
    expect(bad.status).toBe(400);
    expect(bad.headers['content-type']).toBe('application/json');
  });

  it('updates a node by hostname with the version from GET; stale versions get 409 (dockerd: 500)', async () => {
    const n = (await call('GET', '/v1.50/nodes/worker1')).json as Node;
    const body = { Labels: { zone: 'a' }, Role: 'worker', Availability: 'drain' };
    const r = await call('POST', `/v1.50/nodes/${n.ID}/update?version=${n.Version.Index}`, body);
    expect(r.status).toBe(200);
    const after = (await call('GET', `/v1.50/nodes/${n.ID}`)).json as Node;
    expect(after.Spec).toEqual(body);
    const stale = await call('POST', `/v1.50/nodes/${n.ID}/update?version=${n.Version.Index}`, body);
    expect(stale.status).toBe(409);
    expect(stale.json).toEqual({ message: 'rpc error: code = Unknown desc = update out of sequence' });
  });

  it('node rm of a ready node without force is refused', async () => {
    const n = (await call('GET', '/v1.50/nodes/worker2')).json as Node;
    const r = await call('DELETE', '/v1.50/nodes/worker2');
    expect(r.status).toBe(400);
    expect(r.json).toEqual({
      message: `rpc error: code = FailedPrecondition desc = node ${n.ID} is not down and can't be removed`,
    });
    expect((await call('GET', '/v1.50/nodes/nosuch')).json).toEqual({ message: 'node nosuch not found' });
  });
});

describe('services and tasks', () => {
  let id = '';

  it('creates a service: 201 with ID and Warnings', async () => {
    const r = await call('POST', '/v1.50/services/create', cliSpec);
    expect(r.status).toBe(201);
    id = (r.json as { ID: string }).ID;
    expect(r.json).toEqual({ ID: id, Warnings: [] });
    const dup = await call('POST', '/v1.50/services/create', cliSpec);
    expect(dup.status).toBe(409);
  });

  it('refuses bad JSON and invalid specs with 400 JSON errors', async () => {
    const r = await call('POST', '/v1.50/services/create', '{"Name":');
    expect(r.status).toBe(400);
    expect(r.headers['content-type']).toBe('application/json');
    expect((r.json as { message: string }).message).toMatch(/^invalid JSON: /);
    const noImage = await call('POST', '/v1.50/services/create', { Name: 'x', TaskTemplate: { ContainerSpec: {} } });
    expect(noImage.status).toBe(400);
    expect(noImage.json).toEqual({
      message: 'rpc error: code = InvalidArgument desc = ContainerSpec: image reference must be provided',
    });
  });

  it('GET /services/{name} returns the spec with output additions; insertDefaults fills defaults', async () => {
    const s = (await call('GET', '/v1.50/services/web?insertDefaults=false')).json as Service;
    expect(s.ID).toBe(id);
    expect(s.Spec.TaskTemplate.ContainerSpec).toMatchObject({ Image: 'nginx:alpine', Isolation: 'default' });
    expect(s.Spec.TaskTemplate.Runtime).toBe('container');
    expect(s.Spec.Labels).toEqual({});
    expect(s.Spec.Mode).toEqual({ Replicated: { Replicas: 2 } });
    const d = (await call('GET', '/v1.50/services/web?insertDefaults=true')).json as Service;
    expect(d.Spec.TaskTemplate.RestartPolicy).toEqual({ Condition: 'any', Delay: 5e9, MaxAttempts: 0 });
    expect(d.Spec.RollbackConfig?.Monitor).toBe(5e9);
    const nf = await call('GET', '/v1.50/services/nosuch');
    expect([nf.status, nf.json]).toEqual([404, { message: 'service nosuch not found' }]);
  });

  it('update round-trips the spec; rollback=previous swaps; bad rollback values are refused', async () => {
    const s = (await call('GET', '/v1.50/services/web')).json as Service;
    const spec = { ...s.Spec, Mode: { Replicated: { Replicas: 4 } } };
    const r = await call('POST', `/v1.50/services/${s.ID}/update?version=${s.Version.Index}`, spec);
    expect([r.status, r.json]).toEqual([200, { Warnings: [] }]);
    const u = (await call('GET', '/v1.50/services/web')).json as Service;
    expect(u.Spec).toEqual(spec);
    expect(u.PreviousSpec?.Mode).toEqual({ Replicated: { Replicas: 2 } });
    const rb = await call(
      'POST',
      `/v1.50/services/${s.ID}/update?rollback=previous&version=${u.Version.Index}`,
      u.Spec,
    );
    expect(rb.status).toBe(200);
    const after = (await call('GET', '/v1.50/services/web')).json as Service;
    expect(after.Spec.Mode).toEqual({ Replicated: { Replicas: 2 } });
    expect(after.UpdateStatus?.State).toBe('rollback_started');
    const bad = await call(
      'POST',
      `/v1.50/services/${s.ID}/update?rollback=later&version=${after.Version.Index}`,
      u.Spec,
    );
    // dockerd: a plain error (500); a refused input is a 400 here
    expect([bad.status, bad.json]).toEqual([400, { message: 'unrecognized rollback option later' }]);
  });

  it('lists services with ServiceStatus when status=true', async () => {
    const svc = opened.store.view.get('service', id)!;
    const running = makeTask(svc, { Slot: 1, Status: { State: 'running', Message: 'started', Timestamp: 'x' } });
    const pending = makeTask(svc, { Slot: 2 });
    await opened.store.update((tx) => [running, pending].forEach((t) => tx.create('task', t)));
    const list = (await call('GET', '/v1.50/services?status=true')).json as (Service & { ServiceStatus: object })[];
    expect(list).toHaveLength(1);
    expect(list[0]!.ServiceStatus).toEqual({ RunningTasks: 1, DesiredTasks: 2, CompletedTasks: 0 });
    const plain = (await call('GET', '/v1.50/services?status=0')).json as object[];
    expect(plain[0]).not.toHaveProperty('ServiceStatus');
    const byName = (await call('GET', `/v1.50/services?filters=${q({ name: { we: true } })}`)).json as Service[];
    expect(byName.map((s) => s.ID)).toEqual([id]);
  });

  it('lists tasks with service, desired-state and _up-to-date filters, and gets one task', async () => {
    const all = (await call('GET', `/v1.50/tasks?filters=${q({ service: { web: true } })}`)).json as Task[];
    expect(all).toHaveLength(2);
    const running = (
      await call('GET', `/v1.50/tasks?filters=${q({ service: { web: true }, 'desired-state': { running: true } })}`)
    ).json as Task[];
    expect(running).toHaveLength(2);
    const upToDate = (
      await call('GET', `/v1.50/tasks?filters=${q({ '_up-to-date': { true: true }, service: { [id]: true } })}`)
    ).json as Task[];
    expect(upToDate).toHaveLength(2);
    const bad = await call('GET', `/v1.50/tasks?filters=${q({ 'desired-state': { x: true } })}`);
    expect([bad.status, bad.json]).toEqual([400, { message: "Invalid desired-state filter: 'x'" }]);
    const one = (await call('GET', `/v1.50/tasks/${all[0]!.ID}`)).json as Task;
    expect(one.Spec.ContainerSpec.Image).toBe('nginx:alpine');
  });

  it('resolves images quietly offline', async () => {
    const r = await call('GET', '/v1.50/distribution/docker.io/library/nginx:alpine/json');
    expect([r.status, r.json]).toEqual([200, { Descriptor: { mediaType: '', digest: '', size: 0 }, Platforms: [] }]);
  });

  it('removes a service', async () => {
    expect((await call('DELETE', '/v1.50/services/web')).status).toBe(200);
    expect((await call('GET', '/v1.50/services/web')).status).toBe(404);
  });
});
