import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { ServiceSpec } from '../api/types';
import { makeNode, openTempStore } from '../store/test-support';
import { ManualClock } from '../util/clock';
import { initCluster } from './bootstrap';
import { createControlApi, type ControlApi } from './controlapi';
import { MAX_UPDATE_EVENTS, SPEC_HISTORY_LABEL, currentVersion, recordRollout, versionsOf } from './spec-history';

type Opened = Awaited<ReturnType<typeof openTempStore>>;
let opened: Opened;
let api: ControlApi;

const spec = (image: string): ServiceSpec => ({
  Name: 'web',
  Labels: {},
  TaskTemplate: { ContainerSpec: { Image: image }, ForceUpdate: 0 },
  Mode: { Replicated: { Replicas: 2 } },
});

beforeEach(async () => {
  opened = await openTempStore();
  await initCluster(opened.store, { nodeID: 'm1', description: makeNode().Description, addr: '127.0.0.1' });
  api = createControlApi(opened.store, {
    selfNodeID: 'm1',
    managerAddr: '127.0.0.1:2377',
    isLeader: () => true,
    clock: new ManualClock(),
  });
});
afterEach(async () => {
  await opened.close();
});

const view = () => opened.store.view;
const update = async (ref: string, image: string) => {
  const s = api.getService(ref);
  return api.updateService(s.ID, s.Version.Index, spec(image));
};

describe('spec history', () => {
  it('records every spec a service becomes: create, updates, a manual rollback, a restore', async () => {
    const s = await api.createService(spec('nginx:1'));
    await update(s.ID, 'nginx:2');
    await update(s.ID, 'nginx:3');
    let cur = api.getService(s.ID);
    await api.updateService(s.ID, cur.Version.Index, cur.Spec, { rollback: true });
    const first = versionsOf(view(), s.ID)[0]!;
    cur = api.getService(s.ID);
    await api.updateService(s.ID, cur.Version.Index, first.Spec, { cause: 'restore', restoredFrom: first.SpecIndex });
    const vs = versionsOf(view(), s.ID);
    expect(vs.map((v) => [v.Cause, v.Spec.TaskTemplate.ContainerSpec.Image])).toEqual([
      ['create', 'nginx:1'],
      ['update', 'nginx:2'],
      ['update', 'nginx:3'],
      ['rollback', 'nginx:2'],
      ['restore', 'nginx:1'],
    ]);
    // a rollback makes an earlier SpecIndex current again: the newest record with it is "current"
    cur = api.getService(s.ID);
    expect(currentVersion(view(), cur)!.ID).toBe(vs[4]!.ID);
    expect(vs[4]!.RestoredFrom).toBe(first.SpecIndex);
    expect(vs[3]!.SpecIndex).toBe(vs[1]!.SpecIndex);
  });

  it('keeps the newest N per service (cluster label), and forgets them with the service', async () => {
    const cluster = view().list('cluster')[0]!;
    await opened.store.update((tx) =>
      tx.update('cluster', { ...cluster, Spec: { ...cluster.Spec, Labels: { [SPEC_HISTORY_LABEL]: '3' } } }),
    );
    const s = await api.createService(spec('nginx:1'));
    for (let i = 2; i <= 6; i++) await update(s.ID, `nginx:${i}`);
    expect(versionsOf(view(), s.ID).map((v) => v.Spec.TaskTemplate.ContainerSpec.Image)).toEqual([
      'nginx:4',
      'nginx:5',
      'nginx:6',
    ]);
    await api.removeService(s.ID);
    expect(view().list('serviceVersion')).toHaveLength(0);
  });

  it('records a rollout on the current version, its events bounded', async () => {
    const s = await api.createService(spec('nginx:1'));
    const svc = view().get('service', s.ID)!;
    await opened.store.update((tx) =>
      recordRollout(tx, view(), svc, { State: 'updating', Message: 'update in progress', StartedAt: tx.now }, [
        { At: tx.now, Kind: 'started', Message: 'update in progress' },
      ]),
    );
    const many = Array.from({ length: MAX_UPDATE_EVENTS + 10 }, (_, i) => ({
      At: new Date(i).toISOString(),
      Kind: 'slot-running',
      Slot: i,
      Message: `slot ${i}`,
    }));
    await opened.store.update((tx) =>
      recordRollout(tx, view(), svc, { State: 'completed', Message: 'update completed' }, many),
    );
    const v = currentVersion(view(), svc)!;
    expect(v.Update).toMatchObject({ State: 'completed', Message: 'update completed' });
    expect(v.Update!.StartedAt).toBeDefined();
    expect(v.Update!.Events).toHaveLength(MAX_UPDATE_EVENTS);
    expect(v.Update!.Events.at(-1)!.Slot).toBe(MAX_UPDATE_EVENTS + 9);
  });
});
