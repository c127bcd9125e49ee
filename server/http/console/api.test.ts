import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import type { JoinTokensBody, ServiceVersionsBody } from '../../api/console';
import type { ObjectEventsBody, RecentEventsBody } from '../../api/events';
import { createRootCA, joinTokenFor, rootCAFrom } from '../../ca';
import type { ConsoleState } from '../../api/realtime';
import type { Cluster, ServiceVersion } from '../../api/types';

import type { ManagerContext } from '../../manager/context';
import { createControlApi } from '../../manager/controlapi';
import { currentVersion, recordRollout, versionsOf } from '../../manager/spec-history';
import type { ClusterStore } from '../../store/cluster-store';
import { makeCluster, makeNode, makeTask, openTempStore } from '../../store/test-support';
import { systemClock } from '../../util/clock';
import { ConsoleAuth } from '../../auth/console-auth';
import { loggedIn } from '../../auth/test-support';
import { handleConsoleApi } from './api';

const cleanups: (() => Promise<void>)[] = [];
afterEach(async () => {
  while (cleanups.length) await cleanups.pop()!();
});

async function setup() {
  const opened = await openTempStore();
  cleanups.push(() => opened.close());
  const node = makeNode({ hostname: 'w1' });
  await opened.store.update((tx) => tx.create('node', node));
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
  } as ManagerContext;
  const auth = new ConsoleAuth(ctx);
  const { cookie } = await loggedIn(opened.store, 'admin', 'admin');
  const server = http.createServer((req, res) => {
    void handleConsoleApi(req, res, ctx, auth).then((handled) => {
      if (!handled) res.end('next');
    });
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  cleanups.push(() => new Promise<void>((r) => server.close(() => r())));
  const base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  const call = async (method: string, path: string, body?: unknown, type = 'application/json') => {
    const r = await fetch(base + path, {
      method,
      headers: body === undefined ? { cookie } : { 'content-type': type, cookie },
      body: body === undefined ? undefined : typeof body === 'string' ? body : JSON.stringify(body),
    });
    const text = await r.text();
    return { status: r.status, body: text.startsWith('{') ? JSON.parse(text) : text };
  };
  return { store: opened.store, node, call, ctx, base, cookie };
}

describe('handleConsoleApi', () => {
  it('leaves non-/api paths to Next', async () => {
    const { call } = await setup();
    expect(await call('GET', '/services')).toEqual({ status: 200, body: 'next' });
    expect(await call('GET', '/apix')).toEqual({ status: 200, body: 'next' });
  });

  it('creates, scales, re-images and removes a service', async () => {
    const { store, call } = await setup();
    const created = await call('POST', '/api/services', {
      name: 'web',
      image: 'nginx:alpine',
      mode: 'replicated',
      replicas: 3,
    });
    expect(created.status).toBe(201);
    const id = created.body.ID as string;
    expect(store.view.get('service', id)!.Spec.Mode).toEqual({ Replicated: { Replicas: 3 } });

    expect((await call('POST', `/api/services/${id}/scale`, { replicas: 5 })).status).toBe(200);
    expect(store.view.get('service', id)!.Spec.Mode.Replicated!.Replicas).toBe(5);

    expect((await call('POST', '/api/services/web/image', { image: 'nginx:1.27' })).status).toBe(200);
    const svc = store.view.get('service', id)!;
    expect(svc.Spec.TaskTemplate.ContainerSpec.Image).toBe('nginx:1.27');
    expect(svc.Spec.Mode.Replicated!.Replicas).toBe(5);

    const state = (await call('GET', '/api/state')).body as ConsoleState;
    expect(state.index).toBe(store.view.index);
    expect(state.objects.service.map((s) => s.Spec.Name)).toEqual(['web']);

    expect((await call('DELETE', `/api/services/${id}`)).status).toBe(200);
    expect(store.view.get('service', id)).toBeUndefined();
    expect(await call('DELETE', `/api/services/${id}`)).toEqual({
      status: 404,
      body: { message: `service ${id} not found` },
    });
  });

  it("serves a service's and a node's events from the event log, tasks' included", async () => {
    const { store, node, call } = await setup();
    const id = (await call('POST', '/api/services', { name: 'web', image: 'nginx:alpine', mode: 'replicated' })).body
      .ID as string;
    expect((await call('POST', `/api/services/${id}/scale`, { replicas: 2 })).status).toBe(200);
    const task = makeTask(store.view.get('service', id)!, { NodeID: node.ID });
    await store.update((tx) => tx.create('task', task));
    expect((await call('POST', `/api/nodes/${node.ID}/availability`, { availability: 'drain' })).status).toBe(200);

    const svc = (await call('GET', `/api/events?service=${id}`)).body as ObjectEventsBody;
    expect(svc.events.map((l) => `${l.event.Type} ${l.event.Action}`)).toEqual([
      'service create',
      'service update',
      'task create',
    ]);
    expect(svc.events[1]!.event.Actor.Attributes).toMatchObject({ 'replicas.old': '1', 'replicas.new': '2' });
    const nd = (await call('GET', `/api/events?node=${node.ID}`)).body as ObjectEventsBody;
    expect(nd.events.map((l) => `${l.event.Type} ${l.event.Action}`)).toEqual([
      'node create',
      'task create',
      'node update',
    ]);
    expect((await call('GET', '/api/events')).status).toBe(400);
    expect((await call('POST', `/api/events?node=${node.ID}`)).status).toBe(405);
  });

  it("serves the cluster's newest notable events for the wall's ticker, whatever their subject", async () => {
    const { store, node, call } = await setup();
    const id = (await call('POST', '/api/services', { name: 'web', image: 'nginx:alpine', mode: 'replicated' })).body
      .ID as string;
    const task = makeTask(store.view.get('service', id)!, { NodeID: node.ID });
    await store.update((tx) => tx.create('task', task));
    // a step on the way to running is not notable; running is
    for (const state of ['assigned', 'running'] as const) {
      await store.update((tx) => {
        const t = tx.get('task', task.ID)!;
        tx.update('task', { ...t, Status: { ...t.Status, State: state } });
      });
    }
    expect((await call('POST', `/api/nodes/${node.ID}/availability`, { availability: 'drain' })).status).toBe(200);

    const all = (await call('GET', '/api/events?recent=100')).body as RecentEventsBody;
    const lines = all.events.map(
      (l) => `${l.event.Type} ${l.event.Action} ${l.event.Actor.Attributes['state.new'] ?? ''}`,
    );
    expect(lines).toContain('task update running');
    expect(lines).not.toContain('task update assigned');
    expect(lines.slice(-1)).toEqual(['node update ']);
    const two = (await call('GET', '/api/events?recent=2')).body as RecentEventsBody;
    expect(two.events).toEqual(all.events.slice(-2));
    for (const bad of ['0', '101', 'x', '-1', '2.5'])
      expect((await call('GET', `/api/events?recent=${bad}`)).status, bad).toBe(400);
    expect((await call('GET', `/api/events?recent=5&node=${node.ID}`)).status).toBe(400);
  });

  it('changes node availability', async () => {
    const { store, node, call } = await setup();
    expect((await call('POST', `/api/nodes/${node.ID}/availability`, { availability: 'drain' })).status).toBe(200);
    expect(store.view.get('node', node.ID)!.Spec.Availability).toBe('drain');
    expect((await call('POST', `/api/nodes/${node.ID}/availability`, { availability: 'off' })).status).toBe(400);
  });

  it('creates a service with a secret and a config by name, their IDs looked up; an unknown name or a bad port is a 400 naming the field', async () => {
    const { store, call, ctx } = await setup();
    const secret = await ctx.control.createSecret({ Name: 'db-pass', Labels: {}, Data: btoa('x') });
    const config = await ctx.control.createConfig({ Name: 'site', Labels: {}, Data: btoa('y') });
    const created = await call('POST', '/api/services', {
      name: 'web',
      image: 'nginx:alpine',
      mode: 'replicated',
      command: 'nginx -g "daemon off;"',
      secrets: ['db-pass'],
      configs: ['site'],
      ports: [{ target: 80, published: 8080 }],
    });
    expect(created.status, JSON.stringify(created.body)).toBe(201);
    const cs = store.view.get('service', created.body.ID as string)!.Spec.TaskTemplate.ContainerSpec;
    expect(cs.Args).toEqual(['nginx', '-g', 'daemon off;']);
    expect(cs.Secrets).toEqual([
      { File: { Name: 'db-pass', UID: '0', GID: '0', Mode: 0o444 }, SecretID: secret.ID, SecretName: 'db-pass' },
    ]);
    expect(cs.Configs?.[0]).toMatchObject({ ConfigID: config.ID, ConfigName: 'site' });

    const form = { name: 'w2', image: 'nginx', mode: 'replicated' };
    expect(await call('POST', '/api/services', { ...form, secrets: ['nope'] })).toMatchObject({
      status: 400,
      body: { message: 'secrets: secret not found: nope' },
    });
    expect(await call('POST', '/api/services', { ...form, ports: [{ target: 80, published: 'x' }] })).toMatchObject({
      status: 400,
      body: { message: expect.stringMatching(/ports\[0\]\.published must be a port number/) },
    });
  });

  it('answers errors as {message} with the right status', async () => {
    const { call } = await setup();
    expect(await call('POST', '/api/services', { name: 'x', image: '', mode: 'replicated' })).toMatchObject({
      status: 400,
      body: { message: expect.stringMatching(/image reference must be provided/) },
    });
    expect((await call('POST', '/api/services', 'name=x', 'application/x-www-form-urlencoded')).status).toBe(415);
    expect((await call('POST', '/api/services', '{nope')).status).toBe(400);
    expect((await call('GET', '/api/services')).status).toBe(405);
    expect((await call('GET', '/api/nope')).status).toBe(404);
    expect((await call('POST', '/api/services/missing/scale', { replicas: 1 })).status).toBe(404);
    expect((await call('DELETE', '/api/services/%E0%A4%A')).status).toBe(400);
  });

  it('retries a scale that loses a version race to a control loop', async () => {
    const { call, store, ctx } = await setup();
    const created = await call('POST', '/api/services', { name: 'race', image: 'nginx', mode: 'replicated' });
    const id = (created.body as { ID: string }).ID;
    // Order the race: just before the console's first write lands, a control loop writes the service
    // (as the updater does with UpdateStatus), so the version the console read is stale.
    const real = ctx.control.updateService.bind(ctx.control);
    let raced = 0;
    ctx.control.updateService = async (...args) => {
      if (raced++ === 0)
        await store.update((tx) => {
          const cur = tx.get('service', id)!;
          tx.update('service', { ...cur, UpdateStatus: { State: 'completed', Message: 'update completed' } });
        });
      return real(...args);
    };
    const res = await call('POST', `/api/services/${id}/scale`, { replicas: 4 });
    expect(res.status).toBe(200);
    expect(raced).toBe(2);
    expect(store.view.get('service', id)!.Spec.Mode.Replicated?.Replicas).toBe(4);
  });
});

async function createCluster(store: ClusterStore): Promise<Cluster> {
  const rootCA = rootCAFrom(await createRootCA());
  const cluster = makeCluster({
    JoinTokens: { Worker: joinTokenFor(rootCA.CACert), Manager: joinTokenFor(rootCA.CACert) },
    RootCA: rootCA,
  });
  await store.update((tx) => tx.create('cluster', cluster));
  return cluster;
}

describe('console API: node labels and removal', () => {
  it('adds, replaces and removes node labels like --label-add/--label-rm', async () => {
    const { store, node, call } = await setup();
    const labels = () => store.view.get('node', node.ID)!.Spec.Labels;
    expect(await call('POST', `/api/nodes/${node.ID}/labels`, { key: 'zone', value: 'a' })).toEqual({
      status: 200,
      body: { ID: node.ID },
    });
    // by hostname too, and a bare key keeps an empty value
    expect((await call('POST', '/api/nodes/w1/labels', { key: 'ssd', value: '' })).status).toBe(200);
    expect(labels()).toEqual({ zone: 'a', ssd: '' });
    expect((await call('POST', `/api/nodes/${node.ID}/labels`, { key: 'zone', value: 'b=c' })).status).toBe(200);
    expect(labels()).toEqual({ zone: 'b=c', ssd: '' });
    // the rest of the spec is kept
    expect(store.view.get('node', node.ID)!.Spec.Availability).toBe('active');

    expect((await call('DELETE', `/api/nodes/${node.ID}/labels/zone`)).status).toBe(200);
    expect(labels()).toEqual({ ssd: '' });
    expect(await call('DELETE', `/api/nodes/${node.ID}/labels/zone`)).toEqual({
      status: 404,
      body: { message: "key zone doesn't exist in node's labels" },
    });
    // keys with a slash travel encoded
    expect((await call('POST', `/api/nodes/${node.ID}/labels`, { key: 'a/b', value: '1' })).status).toBe(200);
    expect((await call('DELETE', `/api/nodes/${node.ID}/labels/${encodeURIComponent('a/b')}`)).status).toBe(200);
    expect(labels()).toEqual({ ssd: '' });
  });

  it('rejects bad labels and unknown nodes', async () => {
    const { node, call } = await setup();
    expect(await call('POST', `/api/nodes/${node.ID}/labels`, { key: '', value: 'x' })).toEqual({
      status: 400,
      body: { message: "invalid label '': empty name" },
    });
    expect(await call('POST', `/api/nodes/${node.ID}/labels`, { key: 'a b', value: 'x' })).toEqual({
      status: 400,
      body: { message: "label 'a b' contains whitespaces" },
    });
    expect((await call('POST', `/api/nodes/${node.ID}/labels`, { key: 1 })).status).toBe(400);
    expect((await call('GET', `/api/nodes/${node.ID}/labels`)).status).toBe(405);
    expect((await call('POST', '/api/nodes/nope/labels', { key: 'a', value: '' })).status).toBe(404);
  });

  it('refuses oversized labels and specs with a 400 naming the limit, writing nothing', async () => {
    const { node, call, store } = await setup();
    const index = store.view.index;
    const big = await call('POST', `/api/nodes/${node.ID}/labels`, { key: 'big', value: '"'.repeat(70_000) });
    expect(big).toEqual({
      status: 400,
      body: {
        message:
          'rpc error: code = InvalidArgument desc = Labels: the value of "big" is 70000 characters long (the limit is 65536)',
      },
    });
    // labels within the limits, one at a time, until the node no longer fits one raft entry
    let last = { status: 200, body: {} as { message?: string } };
    for (let i = 0; i < 10 && last.status === 200; i++)
      last = await call('POST', `/api/nodes/${node.ID}/labels`, { key: `l${i}`, value: '"'.repeat(65_536) });
    expect(last.status).toBe(400);
    expect(last.body.message).toMatch(/raft message is too large and can't be sent: .* the limit is 1572864$/);
    const form = { name: 'big', image: 'nginx', mode: 'replicated', replicas: 1, env: [`A=${'x'.repeat(400_000)}`] };
    const svc = await call('POST', '/api/services', form);
    expect(svc.status).toBe(400);
    expect(svc.body.message).toMatch(/service spec is too large: \d+ bytes encoded, the limit is 376832/);
    expect(store.view.list('service')).toEqual([]);
    expect(store.view.index).toBeGreaterThan(index); // the labels that fitted were written
  });

  it('retries a label edit that loses a version race, keeping both writes', async () => {
    const { call, store, ctx, node } = await setup();
    const real = ctx.control.updateNode.bind(ctx.control);
    let calls = 0;
    ctx.control.updateNode = async (...args) => {
      if (calls++ === 0)
        await store.update((tx) => {
          const cur = tx.get('node', node.ID)!;
          tx.update('node', { ...cur, Spec: { ...cur.Spec, Availability: 'pause' } });
        });
      return real(...args);
    };
    expect((await call('POST', `/api/nodes/${node.ID}/labels`, { key: 'zone', value: 'a' })).status).toBe(200);
    expect(calls).toBe(2);
    const spec = store.view.get('node', node.ID)!.Spec;
    expect(spec.Labels).toEqual({ zone: 'a' });
    expect(spec.Availability).toBe('pause');
  });

  it('removes a node: a ready one only with force, a manager never; errors verbatim', async () => {
    const { store, node, call } = await setup();
    const mgr = makeNode({
      hostname: 'm1',
      Role: 'manager',
      Spec: { Labels: {}, Role: 'manager', Availability: 'active' },
    });
    const down = makeNode({ hostname: 'gone', Status: { State: 'down', Addr: '10.0.0.9' } });
    await store.update((tx) => {
      tx.create('node', mgr);
      tx.create('node', down);
    });
    expect(await call('DELETE', `/api/nodes/${node.ID}`)).toEqual({
      status: 400,
      body: { message: `rpc error: code = FailedPrecondition desc = node ${node.ID} is not down and can't be removed` },
    });
    expect(await call('DELETE', `/api/nodes/${mgr.ID}?force=true`)).toEqual({
      status: 400,
      body: {
        message: `rpc error: code = FailedPrecondition desc = node ${mgr.ID} is a cluster manager and is a member of the raft cluster. It must be demoted to worker before removal`,
      },
    });
    expect((await call('DELETE', `/api/nodes/${down.ID}`)).status).toBe(200);
    expect((await call('DELETE', `/api/nodes/${node.ID}?force=true`)).status).toBe(200);
    expect(store.view.list('node').map((n) => n.ID)).toEqual([mgr.ID]);
    expect((await call('DELETE', `/api/nodes/${node.ID}`)).status).toBe(404);
    expect((await call('POST', `/api/nodes/${mgr.ID}`, {})).status).toBe(405);
  });
});

describe('console API: join tokens', () => {
  it('serves the tokens and the cluster address on request only, never cached', async () => {
    const { store, base, call, cookie } = await setup();
    const cluster = await createCluster(store);
    const r = await fetch(`${base}/api/swarm/join-tokens`, { headers: { cookie } });
    expect(r.status).toBe(200);
    expect(r.headers.get('cache-control')).toBe('no-store');
    expect((await r.json()) as JoinTokensBody).toEqual({ ClusterAddr: 'x', JoinTokens: cluster.JoinTokens });
    // the state the console loads (and the socket pushes) keeps them redacted
    const state = (await call('GET', '/api/state')).body as ConsoleState;
    expect(state.objects.cluster[0]!.JoinTokens).toEqual({ Worker: '', Manager: '' });
    expect((await call('POST', '/api/swarm/join-tokens', {})).status).toBe(405);
  });

  it('rotates one token at a time, keeping the CA digest and the spec', async () => {
    const { store, call } = await setup();
    const cluster = await createCluster(store);
    const rotated = await call('POST', '/api/swarm/join-tokens/rotate', { role: 'worker' });
    expect(rotated.status).toBe(200);
    const body = rotated.body as JoinTokensBody;
    expect(body.JoinTokens.Worker).toMatch(/^SWMTKN-1-/);
    expect(body.JoinTokens.Worker).not.toBe(cluster.JoinTokens.Worker);
    // same digest part, new secret
    expect(body.JoinTokens.Worker.split('-')[2]).toBe(cluster.JoinTokens.Worker.split('-')[2]);
    expect(body.JoinTokens.Manager).toBe(cluster.JoinTokens.Manager);
    expect(store.view.get('cluster', 'c1')!.JoinTokens).toEqual(body.JoinTokens);

    const again = (await call('POST', '/api/swarm/join-tokens/rotate', { role: 'manager' })).body as JoinTokensBody;
    expect(again.JoinTokens.Manager).not.toBe(cluster.JoinTokens.Manager);
    expect(again.JoinTokens.Worker).toBe(body.JoinTokens.Worker);
    expect(store.view.get('cluster', 'c1')!.Spec.Name).toBe('default');

    expect(await call('POST', '/api/swarm/join-tokens/rotate', { role: 'admin' })).toEqual({
      status: 400,
      body: { message: 'invalid role "admin": worker or manager' },
    });
  });

  it('is unavailable before the swarm exists', async () => {
    const { call } = await setup();
    expect((await call('GET', '/api/swarm/join-tokens')).status).toBe(503);
  });
});

describe('console API: swarm settings and the replica limit', () => {
  const LIMIT =
    /^rpc error: code = InvalidArgument desc = Mode\.Replicated\.Replicas: (\d+) replicas is more than this swarm's limit of (\d+) per service; raise the limit/;

  it('refuses a create or a scale past the limit with a 400 naming the field, and keeps the service as it was', async () => {
    const { store, call } = await setup();
    await createCluster(store);
    const huge = await call('POST', '/api/services', {
      name: 'web',
      image: 'nginx',
      mode: 'replicated',
      replicas: 1e9,
    });
    expect(huge.status).toBe(400);
    expect(huge.body.message).toMatch(LIMIT);
    expect(store.view.list('service')).toHaveLength(0);
    const created = await call('POST', '/api/services', {
      name: 'web',
      image: 'nginx',
      mode: 'replicated',
      replicas: 2,
    });
    const id = created.body.ID as string;
    const scaled = await call('POST', `/api/services/${id}/scale`, { replicas: 10_001 });
    expect(scaled.status).toBe(400);
    expect(scaled.body.message).toMatch(LIMIT);
    expect(store.view.get('service', id)!.Spec.Mode.Replicated!.Replicas).toBe(2);
  });

  it('sets the limits as cluster labels, checked, and the next create meets the new limit', async () => {
    const { store, call } = await setup();
    await createCluster(store);
    expect(await call('POST', '/api/swarm/settings', { maxReplicas: 0 })).toEqual({
      status: 400,
      body: { message: 'maxReplicas must be a whole number from 1 to 100000 (cluster label swarmdeck.max-replicas)' },
    });
    expect((await call('POST', '/api/swarm/settings', { maxReplicas: 3, specHistoryLimit: 40 })).status).toBe(200);
    expect(store.view.get('cluster', 'c1')!.Spec.Labels).toEqual({
      'swarmdeck.max-replicas': '3',
      'swarmdeck.spec-history-limit': '40',
    });
    const four = await call('POST', '/api/services', { name: 'web', image: 'nginx', mode: 'replicated', replicas: 4 });
    expect(four.body.message).toMatch(/limit of 3 per service/);
    expect((await call('GET', '/api/swarm/settings')).status).toBe(405);
  });
});

describe('rollout and spec history endpoints', () => {
  async function withService() {
    const s = await setup();
    const created = await s.call('POST', '/api/services', { name: 'web', image: 'nginx:alpine', mode: 'replicated' });
    return { ...s, id: created.body.ID as string };
  }

  it('starts an update with an image and update config, and lists versions without event logs', async () => {
    const { store, call, id } = await withService();
    const up = await call('POST', `/api/services/${id}/update`, {
      image: 'nginx:1.27',
      parallelism: 2,
      delaySeconds: 1.5,
      failureAction: 'rollback',
      monitorSeconds: 3,
      order: 'start-first',
    });
    expect(up.status).toBe(200);
    const svc = store.view.get('service', id)!;
    expect(svc.Spec.TaskTemplate.ContainerSpec.Image).toBe('nginx:1.27');
    expect(svc.Spec.UpdateConfig).toMatchObject({
      Parallelism: 2,
      Delay: 1_500_000_000,
      FailureAction: 'rollback',
      Monitor: 3_000_000_000,
      Order: 'start-first',
    });

    // the updater's log on the current version: the list carries counts, the version its events
    const cur = currentVersion(store.view, svc)!;
    await store.update((tx) =>
      recordRollout(tx, store.view, svc, { State: 'updating', Message: 'update in progress', StartedAt: tx.now }, [
        { At: tx.now, Kind: 'started', Message: 'update started' },
        { At: tx.now, Kind: 'task-failed', Slot: 1, TaskID: 't1', Message: 'task: non-zero exit (1)' },
      ]),
    );
    const list = await call('GET', `/api/services/web/versions`);
    expect(list.status).toBe(200);
    const body = list.body as ServiceVersionsBody;
    expect(body.ServiceID).toBe(id);
    expect(body.CurrentID).toBe(cur.ID);
    expect(body.Versions.map((v) => [v.Cause, v.Spec.TaskTemplate.ContainerSpec.Image])).toEqual([
      ['create', 'nginx:alpine'],
      ['update', 'nginx:1.27'],
    ]);
    expect(body.Versions[1]!.Update).toMatchObject({ State: 'updating', EventCount: 2, Failures: 1 });
    expect(body.Versions[1]!.Update).not.toHaveProperty('Events');

    const one = await call('GET', `/api/services/${id}/versions/${cur.ID}`);
    expect(one.status).toBe(200);
    expect((one.body as ServiceVersion).Update!.Events.map((e) => e.Kind)).toEqual(['started', 'task-failed']);
    // another service's version, or one that aged out: 404 with a message
    expect(await call('GET', `/api/services/${id}/versions/nope`)).toEqual({
      status: 404,
      body: { message: `no such version nope of service ${id} (it may have aged out)` },
    });
    expect((await call('GET', `/api/services/ghost/versions`)).status).toBe(404);
    expect((await call('POST', `/api/services/${id}/versions`)).status).toBe(405);
  });

  it("gives the first load every task, or only the services' a page draws (?services=), and refuses a bad list", async () => {
    const { store, call, id } = await withService();
    const other = (await call('POST', '/api/services', { name: 'db', image: 'redis', mode: 'replicated' })).body
      .ID as string;
    await store.update((tx) => {
      tx.create('task', makeTask(tx.get('service', id)!, { ID: 'w1' }));
      tx.create('task', makeTask(tx.get('service', other)!, { ID: 'd1' }));
    });
    const tasksOf = async (path: string) => {
      const r = (await call('GET', path)).body as ConsoleState & { tasks: unknown };
      return { ids: r.objects.task.map((t) => t.ID).sort(), scope: r.tasks, services: r.objects.service.length };
    };
    expect(await tasksOf('/api/state')).toEqual({ ids: ['d1', 'w1'], scope: 'all', services: 2 });
    expect(await tasksOf(`/api/state?services=${other}`)).toEqual({
      ids: ['d1'],
      scope: { services: [other] },
      services: 2,
    });
    expect(await tasksOf('/api/state?services=')).toEqual({ ids: [], scope: { services: [] }, services: 2 });
    expect(await call('GET', '/api/state?services=../x')).toEqual({
      status: 400,
      body: { message: 'invalid task scope: a service ID is 1 to 64 lowercase letters and digits' },
    });
  });

  it('keeps spec history out of the console state', async () => {
    const { call } = await withService();
    const state = (await call('GET', '/api/state')).body as ConsoleState;
    expect(state.objects.service).toHaveLength(1);
    expect(state.objects).not.toHaveProperty('serviceVersion');
  });

  it('rejects bad update forms with the reason', async () => {
    const { call, id } = await withService();
    const bad = async (form: unknown) => call('POST', `/api/services/${id}/update`, form);
    expect(await bad({ parallelism: -1 })).toEqual({
      status: 400,
      body: { message: 'rpc error: code = InvalidArgument desc = parallelism must be a non-negative integer' },
    });
    expect((await bad({ maxFailureRatio: 2 })).body.message).toMatch(/maxfailureratio/);
    expect((await bad({ failureAction: 'explode' })).body.message).toMatch(/invalid failure action/);
    expect((await bad({ image: '  ' })).status).toBe(400);
  });

  it('restores any recorded version as a new version with cause restore', async () => {
    const { store, call, id } = await withService();
    await call('POST', `/api/services/${id}/update`, { image: 'nginx:1.27' });
    await call('POST', `/api/services/${id}/update`, { image: 'nginx:1.28' });
    const first = versionsOf(store.view, id)[0]!;
    const r = await call('POST', `/api/services/${id}/restore`, { versionID: first.ID });
    expect(r.status).toBe(200);
    const svc = store.view.get('service', id)!;
    expect(svc.Spec.TaskTemplate.ContainerSpec.Image).toBe('nginx:alpine');
    const last = versionsOf(store.view, id).at(-1)!;
    expect(last).toMatchObject({ Cause: 'restore', RestoredFrom: first.SpecIndex });
    expect(currentVersion(store.view, svc)!.ID).toBe(last.ID);

    expect((await call('POST', `/api/services/${id}/restore`, {})).status).toBe(400);
    expect((await call('POST', `/api/services/${id}/restore`, { versionID: 'gone' })).status).toBe(404);
  });

  it('resumes or force-continues only a paused update, and rolls back', async () => {
    const { store, call, id } = await withService();
    await call('POST', `/api/services/${id}/update`, { image: 'nginx:1.27' });
    const notPaused = await call('POST', `/api/services/${id}/resume`);
    expect(notPaused.status).toBe(409);
    expect(notPaused.body.message).toMatch(/is not paused/);

    const pause = () =>
      store.update((tx) => {
        const s = tx.get('service', id)!;
        tx.update('service', {
          ...s,
          UpdateStatus: { State: 'paused', Message: 'update paused due to failure or early termination of task x' },
        });
      });
    await pause();
    const before = store.view.get('service', id)!;
    expect((await call('POST', `/api/services/${id}/resume`)).status).toBe(200);
    let svc = store.view.get('service', id)!;
    expect(svc.UpdateStatus).toBeUndefined();
    expect(svc.Spec).toEqual(before.Spec);

    await pause();
    expect((await call('POST', `/api/services/${id}/force-continue`)).status).toBe(200);
    svc = store.view.get('service', id)!;
    expect(svc.UpdateStatus).toBeUndefined();
    expect(svc.Spec.UpdateConfig?.FailureAction).toBe('continue');
    expect(svc.Spec.TaskTemplate).toEqual(before.Spec.TaskTemplate);

    expect((await call('POST', `/api/services/${id}/rollback`)).status).toBe(200);
    svc = store.view.get('service', id)!;
    expect(svc.UpdateStatus).toMatchObject({ State: 'rollback_started', Message: 'manually requested rollback' });
    expect(versionsOf(store.view, id).at(-1)!.Cause).toBe('rollback');
  });

  it('refuses a rollback without a previous spec, verbatim', async () => {
    const { call, id } = await withService();
    const r = await call('POST', `/api/services/${id}/rollback`);
    expect(r.status).toBe(400);
    expect(r.body.message).toMatch(/does not have a previous spec/);
  });
});

describe('console API: config data', () => {
  it('serves a config’s data by ID or name with its version; a secret’s never, and the state carries neither', async () => {
    const { call, ctx } = await setup();
    const data = Buffer.from('server { listen 80; }').toString('base64');
    const value = Buffer.from('the-secret-value').toString('base64');
    const config = await ctx.control.createConfig({ Name: 'nginx.conf', Labels: {}, Data: data });
    await ctx.control.createSecret({ Name: 'pw', Labels: {}, Data: value });
    for (const ref of [config.ID, 'nginx.conf'])
      expect(await call('GET', `/api/configs/${ref}/data`)).toEqual({
        status: 200,
        body: { ID: config.ID, Version: config.Version.Index, Data: data },
      });
    expect(await call('GET', '/api/configs/nope/data')).toEqual({
      status: 404,
      body: { message: 'config nope not found' },
    });
    expect((await call('GET', '/api/configs/pw/data')).status).toBe(404);
    expect((await call('POST', `/api/configs/${config.ID}/data`)).status).toBe(405);
    const state = await call('GET', '/api/state');
    const shown = state.body as ConsoleState;
    expect(shown.objects.config.map((c) => c.Spec)).toEqual([{ Name: 'nginx.conf', Labels: {} }]);
    expect(shown.objects.secret.map((c) => c.Spec)).toEqual([{ Name: 'pw', Labels: {} }]);
    expect(JSON.stringify(state.body)).not.toContain(value);
  });
});
