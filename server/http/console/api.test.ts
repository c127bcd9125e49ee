import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import type { ConsoleState } from '../../api/realtime';

import type { ManagerContext } from '../../manager/context';
import { createControlApi } from '../../manager/controlapi';
import { makeNode, openTempStore } from '../../store/test-support';
import { systemClock } from '../../util/clock';
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
  const server = http.createServer((req, res) => {
    void handleConsoleApi(req, res, ctx).then((handled) => {
      if (!handled) res.end('next');
    });
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  cleanups.push(() => new Promise<void>((r) => server.close(() => r())));
  const base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  const call = async (method: string, path: string, body?: unknown, type = 'application/json') => {
    const r = await fetch(base + path, {
      method,
      headers: body === undefined ? {} : { 'content-type': type },
      body: body === undefined ? undefined : typeof body === 'string' ? body : JSON.stringify(body),
    });
    const text = await r.text();
    return { status: r.status, body: text.startsWith('{') ? JSON.parse(text) : text };
  };
  return { store: opened.store, node, call, ctx };
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

  it('changes node availability', async () => {
    const { store, node, call } = await setup();
    expect((await call('POST', `/api/nodes/${node.ID}/availability`, { availability: 'drain' })).status).toBe(200);
    expect(store.view.get('node', node.ID)!.Spec.Availability).toBe('drain');
    expect((await call('POST', `/api/nodes/${node.ID}/availability`, { availability: 'off' })).status).toBe(400);
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
