// The service update endpoint as `docker service update/rollback` use it:
// query values, the response shape, and update/rollback configs that come
// back exactly as they went in (the CLI re-posts whatever GET returned).
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Service } from '../../../api/types';
import { startTestEngine, type TestEngine } from '../test-support';

let engine: TestEngine;
const call = async (method: string, path: string, body?: unknown) => {
  const r = await engine.call(method, path, body);
  return { status: r.status, json: r.json };
};

const get = async (ref: string, insertDefaults = false) =>
  (await call('GET', `/v1.50/services/${ref}?insertDefaults=${insertDefaults}`)).json as Service;

/** POST back what GET returned, edited, the way the CLI's update does. */
const update = (s: Service, spec: unknown, query = 'registryAuthFrom=spec') =>
  call('POST', `/v1.50/services/${s.ID}/update?${query}&version=${s.Version.Index}`, spec);

// `docker service create --name api --replicas 2 --update-parallelism 2 --update-delay 2s
//   --update-failure-action rollback --update-monitor 3s --update-max-failure-ratio 0.2
//   --update-order start-first --rollback-parallelism 0 --rollback-delay 500ms
//   --rollback-failure-action continue --rollback-max-failure-ratio 1 --rollback-order start-first
//   nginx:alpine` (CLI 28.2.2; --rollback-monitor not given, so the CLI's 5 s default)
const UPDATE = {
  Parallelism: 2,
  Delay: 2e9,
  FailureAction: 'rollback',
  Monitor: 3e9,
  MaxFailureRatio: 0.2,
  Order: 'start-first',
};
const ROLLBACK = {
  Parallelism: 0,
  Delay: 5e8,
  FailureAction: 'continue',
  Monitor: 5e9,
  MaxFailureRatio: 1,
  Order: 'start-first',
};
const createBody = {
  Name: 'api',
  Labels: {},
  TaskTemplate: {
    ContainerSpec: { Image: 'nginx:alpine', Init: false, DNSConfig: {} },
    Resources: { Limits: {}, Reservations: {} },
    Placement: {},
    ForceUpdate: 0,
  },
  Mode: { Replicated: { Replicas: 2 } },
  UpdateConfig: UPDATE,
  RollbackConfig: ROLLBACK,
  EndpointSpec: { Mode: 'vip' },
};

beforeAll(async () => {
  engine = await startTestEngine();
  const created = await call('POST', '/v1.50/services/create', createBody);
  expect(created.status).toBe(201);
});

afterAll(() => engine.close());

describe('POST /services/{id}/update', () => {
  it('create with --update-*/--rollback-* flags: both configs come back exactly, with and without defaults', async () => {
    const s = await get('api');
    expect(s.Spec.UpdateConfig).toEqual(UPDATE);
    expect(s.Spec.RollbackConfig).toEqual(ROLLBACK);
    // insertDefaults fills nothing that is set (inspect --pretty reads this form)
    const d = await get('api', true);
    expect(d.Spec.UpdateConfig).toEqual(UPDATE);
    expect(d.Spec.RollbackConfig).toEqual(ROLLBACK);
    expect(s).not.toHaveProperty('UpdateStatus');
  });

  it('an unchanged spec posted back is accepted as is; the response is {"Warnings":[]}', async () => {
    const s = await get('api');
    const r = await update(s, s.Spec);
    expect([r.status, r.json]).toEqual([200, { Warnings: [] }]);
    const after = await get('api');
    expect(after.Spec).toEqual(s.Spec);
    expect(after.PreviousSpec).toEqual(s.Spec);
    expect(after.Version.Index).toBeGreaterThan(s.Version.Index);
  });

  it('update --update-delay 0s --update-monitor 0s --rollback-delay 0s: zero durations are omitted, as moby does', async () => {
    const s = await get('api');
    const spec = {
      ...s.Spec,
      UpdateConfig: { ...s.Spec.UpdateConfig, Delay: 0, Monitor: 0 },
      RollbackConfig: { ...s.Spec.RollbackConfig, Delay: 0 },
    };
    expect((await update(s, spec)).status).toBe(200);
    const u = await get('api');
    expect(u.Spec.UpdateConfig).toEqual({
      Parallelism: 2,
      FailureAction: 'rollback',
      MaxFailureRatio: 0.2,
      Order: 'start-first',
    });
    expect(u.Spec.RollbackConfig).not.toHaveProperty('Delay');
    // the inspect view shows the 5 s monitor default, as swarmkit's defaults do
    expect((await get('api', true)).Spec.UpdateConfig?.Monitor).toBe(5e9);
    // put the flags back for the tests below
    expect((await update(u, { ...u.Spec, UpdateConfig: UPDATE, RollbackConfig: ROLLBACK })).status).toBe(200);
  });

  it('--force bumps ForceUpdate, --image changes the image; both round-trip', async () => {
    const s = await get('api');
    const spec = {
      ...s.Spec,
      TaskTemplate: {
        ...s.Spec.TaskTemplate,
        ContainerSpec: { ...s.Spec.TaskTemplate.ContainerSpec, Image: 'nginx:1.27' },
        ForceUpdate: s.Spec.TaskTemplate.ForceUpdate + 1,
      },
    };
    expect((await update(s, spec)).status).toBe(200);
    const u = await get('api');
    expect(u.Spec.TaskTemplate.ForceUpdate).toBe(1);
    expect(u.Spec.TaskTemplate.ContainerSpec.Image).toBe('nginx:1.27');
    expect(u.Spec).toEqual(spec);
  });

  it('rollback=previous (docker service rollback / update --rollback) swaps Spec and PreviousSpec and ignores the body', async () => {
    const s = await get('api');
    const r = await update(s, { Name: 'ignored' }, 'registryAuthFrom=spec&rollback=previous');
    expect([r.status, r.json]).toEqual([200, { Warnings: [] }]);
    const rb = await get('api');
    expect(rb.Spec).toEqual(s.PreviousSpec);
    expect(rb.PreviousSpec).toEqual(s.Spec);
    expect(rb.Spec.TaskTemplate.ContainerSpec.Image).toBe('nginx:alpine');
    expect(rb.UpdateStatus).toMatchObject({ State: 'rollback_started', Message: 'manually requested rollback' });
    expect(Number.isNaN(Date.parse(rb.UpdateStatus!.StartedAt!))).toBe(false);
    expect(rb.UpdateStatus).not.toHaveProperty('CompletedAt');
    // a second rollback rolls forward again (docker service rollback without registryAuthFrom)
    expect((await update(rb, rb.Spec, 'rollback=previous')).status).toBe(200);
    expect((await get('api')).Spec.TaskTemplate.ContainerSpec.Image).toBe('nginx:1.27');
    // any spec update clears UpdateStatus (a stale state would end the CLI's progress loop early)
    const again = await get('api');
    expect((await update(again, again.Spec)).status).toBe(200);
    expect(await get('api')).not.toHaveProperty('UpdateStatus');
  });

  it('rollback of a service without a previous spec is FailedPrecondition (400)', async () => {
    const created = await call('POST', '/v1.50/services/create', { ...createBody, Name: 'fresh' });
    const s = await get('fresh');
    const r = await update(s, s.Spec, 'rollback=previous');
    expect([r.status, r.json]).toEqual([
      400,
      {
        message: `rpc error: code = FailedPrecondition desc = service ${(created.json as Service).ID} does not have a previous spec`,
      },
    ]);
  });

  it("refuses bad query values in moby's words, as 400s (dockerd: plain 500s; a refused input is never 5xx here)", async () => {
    const s = await get('fresh');
    const bogus = await update(s, s.Spec, 'registryAuthFrom=nowhere');
    expect([bogus.status, bogus.json]).toEqual([400, { message: 'unsupported registryAuthFrom value' }]);
    const prev = await update(s, s.Spec, 'registryAuthFrom=previous-spec');
    expect([prev.status, prev.json]).toEqual([400, { message: 'service does not have a previous spec' }]);
    const rb = await update(s, s.Spec, 'rollback=last');
    expect([rb.status, rb.json]).toEqual([400, { message: 'unrecognized rollback option last' }]);
    const none = await update(s, s.Spec, 'rollback=none');
    expect(none.status).toBe(200);
    const missing = await call('POST', `/v1.50/services/nosuch/update?registryAuthFrom=nowhere&version=1`, s.Spec);
    expect([missing.status, missing.json]).toEqual([404, { message: 'service nosuch not found' }]);
  });

  it('an invalid update or rollback config is a 400 the CLI prints as the daemon worded it', async () => {
    const s = await get('fresh');
    const cases: [object, string][] = [
      [
        { UpdateConfig: { ...UPDATE, Delay: -1e9 } },
        'rpc error: code = InvalidArgument desc = TaskSpec: update-delay cannot be negative',
      ],
      [
        { UpdateConfig: { ...UPDATE, MaxFailureRatio: 2 } },
        'rpc error: code = InvalidArgument desc = TaskSpec: update-maxfailureratio cannot be less than 0 or bigger than 1',
      ],
      [{ UpdateConfig: { ...UPDATE, FailureAction: 'explode' } }, 'unrecognized update failure action explode'],
      [{ RollbackConfig: { ...ROLLBACK, Order: 'sideways' } }, 'unrecognized update order sideways'],
      [
        { RollbackConfig: { ...ROLLBACK, Monitor: -1 } },
        'rpc error: code = InvalidArgument desc = TaskSpec: rollback-monitor cannot be negative',
      ],
    ];
    for (const [over, message] of cases) {
      const r = await update(s, { ...s.Spec, ...over });
      expect([r.status, r.json], JSON.stringify(over)).toEqual([400, { message }]);
    }
    // nothing was written
    expect((await get('fresh')).Version).toEqual(s.Version);
  });
});
