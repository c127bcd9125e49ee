// The /networks routes as dockerd answers them: statuses, texts and exact
// Content-Type of refusals, lookups with their ambiguity texts, list filters,
// prune, and the verbose view built from the store.
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { Network, Service, Task } from '../../../api/types';
import { makeTask } from '../../../store/test-support';
import { startTestEngine, type Reply, type TestEngine } from '../test-support';

let engine: TestEngine;
beforeEach(async () => {
  engine = await startTestEngine(['worker1']);
});
afterEach(async () => {
  await engine.close();
});

const call = (method: string, path: string, body?: unknown) => engine.call(method, `/v1.50${path}`, body);

/** A refusal: the status, dockerd's {message} and the exact Content-Type the CLI compares. */
function refused(r: Reply, status: number, message: string): void {
  expect([r.status, r.json, r.headers['content-type']]).toEqual([status, { message }, 'application/json']);
}

const createOverlay = async (name: string, extra: object = {}) => {
  const r = await call('POST', '/networks/create', { Name: name, Driver: 'overlay', ...extra });
  expect(r.status).toBe(201);
  return (r.json as { Id: string }).Id;
};

describe('/networks', () => {
  it('create answers 201 {Id, Warning}; a taken name is a 409 before any other check, a predefined one a 403', async () => {
    const r = await call('POST', '/networks/create', { Name: 'appnet', Driver: 'overlay' });
    expect([r.status, r.json]).toEqual([201, { Id: expect.stringMatching(/^[0-9a-z]{25}$/), Warning: '' }]);
    refused(
      await call('POST', '/networks/create', {
        Name: 'appnet',
        Driver: 'overlay',
        IPAM: { Config: [{ Subnet: 'x' }] },
      }),
      409,
      'network with name appnet already exists',
    );
    refused(
      await call('POST', '/networks/create', { Name: 'host', Driver: 'overlay' }),
      403,
      'operation is not permitted on predefined host network ',
    );
    refused(
      await call('POST', '/networks/create', { Name: 'i2', Driver: 'overlay', Ingress: true, Attachable: true }),
      400,
      'rpc error: code = InvalidArgument desc = ingress network cannot be attachable',
    );
    refused(await call('POST', '/networks/create', '{'), 400, expect.stringMatching(/^invalid JSON/) as never);
  });

  it('lists swarm networks and the local bridge/host/none, with every dockerd filter', async () => {
    const app = await createOverlay('appnet', { Labels: { tier: 'web' } });
    await createOverlay('backnet');
    const list = (await call('GET', '/networks')).json as { Name: string; Driver: string; Scope: string; Id: string }[];
    // swarm init made the ingress network first
    expect(list.map((n) => [n.Name, n.Driver, n.Scope])).toEqual([
      ['ingress', 'overlay', 'swarm'],
      ['appnet', 'overlay', 'swarm'],
      ['backnet', 'overlay', 'swarm'],
      ['bridge', 'bridge', 'local'],
      ['host', 'host', 'local'],
      ['none', 'null', 'local'],
    ]);
    expect(list.filter((n) => n.Scope === 'local').every((n) => /^[0-9a-f]{64}$/.test(n.Id))).toBe(true);
    const names = async (filters: object) => {
      const r = await call('GET', `/networks?filters=${encodeURIComponent(JSON.stringify(filters))}`);
      expect(r.status).toBe(200);
      return (r.json as { Name: string }[]).map((n) => n.Name);
    };
    expect(await names({ driver: { overlay: true } })).toEqual(['ingress', 'appnet', 'backnet']);
    expect(await names({ name: { net: true } })).toEqual(['appnet', 'backnet']);
    expect(await names({ name: ['^b'] })).toEqual(['backnet', 'bridge']);
    expect(await names({ id: { [app.slice(0, 6)]: true } })).toEqual(['appnet']);
    expect(await names({ label: { 'tier=web': true } })).toEqual(['appnet']);
    expect(await names({ scope: { local: true } })).toEqual(['bridge', 'host', 'none']);
    expect(await names({ type: { builtin: true } })).toEqual(['bridge', 'host', 'none']);
    expect(await names({ type: { custom: true } })).toEqual(['ingress', 'appnet', 'backnet']);
    // moby's rule: not predefined, no containers, no services (ingress too, while nothing publishes)
    expect(await names({ dangling: { true: true } })).toEqual(['ingress', 'appnet', 'backnet']);
    await call('POST', '/services/create', {
      Name: 'web',
      TaskTemplate: { ContainerSpec: { Image: 'nginx' }, Networks: [{ Target: 'appnet' }] },
    });
    expect(await names({ dangling: { true: true } })).toEqual(['ingress', 'backnet']);
    expect(await names({ dangling: { false: true } })).toEqual(['appnet', 'bridge', 'host', 'none']);
    refused(await call('GET', '/networks?filters={"foo":{"x":true}}'), 400, "invalid filter 'foo'");
    refused(await call('GET', '/networks?filters={"type":{"odd":true}}'), 400, "invalid filter: 'type'='odd'");
    refused(
      await call('GET', '/networks?filters={"dangling":{"maybe":true}}'),
      400,
      `invalid value for filter 'dangling', must be "true" (or "1"), or "false" (or "0")`,
    );
    refused(
      await call('GET', '/networks?filters={"dangling":{"true":true,"false":true}}'),
      400,
      'got more than one value for filter key "dangling"',
    );
  });

  it('inspect finds by ID, name or prefix; scope=swarm hides local ones; ambiguity and absence have their texts', async () => {
    const id = await createOverlay('appnet');
    for (const ref of [id, 'appnet', id.slice(0, 4)])
      expect(((await call('GET', `/networks/${ref}`)).json as { Id: string }).Id).toBe(id);
    expect((await call('GET', '/networks/bridge')).json).toMatchObject({ Name: 'bridge', Scope: 'local' });
    refused(await call('GET', '/networks/bridge?scope=swarm'), 404, 'network bridge not found');
    refused(await call('GET', '/networks/nonet'), 404, 'network nonet not found');
    refused(
      await call('GET', '/networks/appnet?verbose=maybe'),
      400,
      'invalid value for verbose: maybe: strconv.ParseBool: parsing "maybe": invalid syntax',
    );
    // 40 networks: some first character is shared by two IDs (36 possible)
    for (let i = 0; i < 40; i++) await createOverlay(`n${i}`);
    const ids = ((await call('GET', '/networks')).json as { Id: string }[]).map((n) => n.Id[0]!);
    const shared = ids.find((c, i) => ids.indexOf(c) !== i)!;
    const count = ids.filter((c) => c === shared).length;
    refused(
      await call('GET', `/networks/${shared}`),
      400,
      `${count} matches found based on ID prefix: network ${shared} is ambiguous`,
    );
    refused(
      await call('DELETE', `/networks/${shared}`),
      400,
      `network ${shared} is ambiguous (${count} matches found based on ID prefix)`,
    );
  });

  it('verbose=true shows each service with its VIP, ingress ports and running tasks, and their nodes as peers', async () => {
    const id = await createOverlay('appnet');
    await call('POST', '/services/create', {
      Name: 'web',
      TaskTemplate: { ContainerSpec: { Image: 'nginx' }, Networks: [{ Target: 'appnet' }] },
      EndpointSpec: { Ports: [{ TargetPort: 80, PublishedPort: 8080 }] },
    });
    const { store } = engine.opened;
    const svc = store.view.serviceByName('web')!;
    const net = store.view.get('network', id)!;
    const worker = store.view.list('node').find((n) => n.Description.Hostname === 'worker1')!;
    // what the allocator writes: the service's VIP, each task's address on the network
    const attach = (addr: string) => [{ Network: net, Addresses: [addr] }];
    const task = (slot: number, state: Task['Status']['State'], addr: string): Task => {
      const t = makeTask(svc, { Slot: slot, NodeID: worker.ID, NetworksAttachments: attach(addr) });
      return { ...t, Status: { ...t.Status, State: state } };
    };
    const running = [task(2, 'running', '10.0.1.4/24'), task(1, 'running', '10.0.1.3/24')];
    await store.update((tx) => {
      tx.update('service', {
        ...svc,
        Endpoint: { ...svc.Endpoint, VirtualIPs: [{ NetworkID: id, Addr: '10.0.1.2/24' }] },
      } as Service);
      for (const t of [...running, task(3, 'starting', '10.0.1.5/24')]) tx.create('task', t);
    });
    const plain = (await call('GET', `/networks/${id}`)).json as Record<string, unknown>;
    expect(plain.Services).toBeUndefined();
    const r = await call('GET', `/networks/appnet?verbose=true`);
    const v = r.json as Network & { Services: Record<string, unknown>; Peers: unknown };
    expect(v.Services).toEqual({
      web: {
        VIP: '10.0.1.2',
        Ports: ['Target: 80, Publish: 8080'],
        LocalLBIndex: 256,
        Tasks: [1, 2].map((slot) => ({
          Name: `web.${slot}.${running[2 - slot]!.ID}`,
          EndpointID: expect.stringMatching(/^[0-9a-f]{64}$/),
          EndpointIP: `10.0.1.${slot + 2}`,
          Info: { 'Host IP': worker.Status.Addr },
        })),
      },
    });
    expect(v.Peers).toEqual([{ Name: `worker1-${worker.ID.slice(0, 12)}`, IP: worker.Status.Addr }]);
  });

  it('remove: 204, in use refused, the local ones are 403; prune removes only what nothing uses', async () => {
    const app = await createOverlay('appnet');
    await createOverlay('spare', { Labels: { keep: 'yes' } });
    await createOverlay('old');
    await call('POST', '/services/create', {
      Name: 'web',
      TaskTemplate: { ContainerSpec: { Image: 'nginx' }, Networks: [{ Target: 'appnet' }] },
    });
    const svc = engine.opened.store.view.serviceByName('web')!;
    refused(
      await call('DELETE', '/networks/appnet'),
      400,
      `rpc error: code = FailedPrecondition desc = network ${app} is in use by service ${svc.ID}`,
    );
    refused(await call('DELETE', '/networks/bridge'), 403, 'bridge is a pre-defined network and cannot be removed');
    refused(await call('DELETE', '/networks/nonet'), 404, 'network nonet not found');
    refused(await call('POST', '/networks/prune?filters={"driver":{"x":true}}'), 400, "invalid filter 'driver'");
    const pruned = await call('POST', '/networks/prune?filters={"label!":{"keep=yes":true}}');
    expect([pruned.status, pruned.json]).toEqual([200, { NetworksDeleted: ['old'] }]);
    const none = await call('POST', '/networks/prune?filters={"label!":{"keep":true}}');
    expect(none.json).toEqual({ NetworksDeleted: null });
    const del = await call('DELETE', '/networks/spare');
    expect([del.status, del.text]).toEqual([204, '']);
    const names = ((await call('GET', '/networks')).json as { Name: string }[]).map((n) => n.Name);
    expect(names).toEqual(['ingress', 'appnet', 'bridge', 'host', 'none']);
  });

  it('connect and disconnect: no container exists, so dockerd stops at the container (or, forced, the endpoint)', async () => {
    await createOverlay('appnet', { Attachable: true });
    refused(await call('POST', '/networks/appnet/connect', { Container: 'c1' }), 404, 'No such container: c1');
    refused(await call('POST', '/networks/nonet/connect', { Container: 'c1' }), 404, 'No such container: c1');
    refused(await call('POST', '/networks/appnet/connect', { Container: '' }), 400, 'invalid name or ID supplied: ""');
    refused(await call('POST', '/networks/appnet/disconnect', { Container: 'c1' }), 404, 'No such container: c1');
    refused(
      await call('POST', '/networks/appnet/disconnect', { Container: 'c1', Force: true }),
      404,
      'endpoint c1 not found',
    );
    refused(
      await call('POST', '/networks/nonet/disconnect', { Container: 'c1', Force: true }),
      404,
      'network nonet not found',
    );
  });
});
