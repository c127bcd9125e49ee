import { describe, expect, it } from 'vitest';
import { SwarmError } from '../../api/errors';
import type { ServiceSpec } from '../../api/types';
import { interpolateServiceSpec } from './defaults';
import { normaliseServiceSpec } from './service-spec';

// What `docker service create --name web nginx:alpine` sends (CLI 28.2.2).
const cliSpec = () => ({
  Name: 'web',
  Labels: {},
  TaskTemplate: {
    ContainerSpec: { Image: 'nginx:alpine', Init: false, DNSConfig: {} },
    Resources: { Limits: {}, Reservations: {} },
    Placement: {},
    ForceUpdate: 0,
  },
  Mode: { Replicated: {} },
  UpdateConfig: { Parallelism: 1, FailureAction: 'pause', Monitor: 5e9, MaxFailureRatio: 0, Order: 'stop-first' },
  RollbackConfig: { Parallelism: 1, FailureAction: 'pause', Monitor: 5e9, MaxFailureRatio: 0, Order: 'stop-first' },
  EndpointSpec: { Mode: 'vip' },
});

function errorOf(fn: () => unknown): SwarmError {
  try {
    fn();
  } catch (e) {
    if (e instanceof SwarmError) return e;
    throw e;
  }
  throw new Error('expected a SwarmError');
}

describe('normaliseServiceSpec', () => {
  it('takes job modes as the CLI sends them, and refuses a job with an update config with a 400', () => {
    // the CLI sends no update config for a job
    const job = (Mode: object, extra: object = {}) =>
      normaliseServiceSpec({ ...cliSpec(), Mode, UpdateConfig: undefined, ...extra });
    expect(job({ ReplicatedJob: { TotalCompletions: 2 } }).Mode).toEqual({
      ReplicatedJob: { MaxConcurrent: 1, TotalCompletions: 2 },
    });
    expect(job({ GlobalJob: {} }).Mode).toEqual({ GlobalJob: {} });
    const e = errorOf(() => job({ GlobalJob: {} }, { UpdateConfig: { Parallelism: 1 } }));
    expect(e.status).toBe(400);
    expect(e.message).toContain('Jobs may not have an update config');
  });

  it('fills Replicas 1, Isolation, Runtime and keeps the CLI fields', () => {
    const s = normaliseServiceSpec(cliSpec());
    expect(s.Mode).toEqual({ Replicated: { Replicas: 1 } });
    expect(s.TaskTemplate.ContainerSpec.Isolation).toBe('default');
    expect(s.TaskTemplate.Runtime).toBe('container');
    expect(s.TaskTemplate.ForceUpdate).toBe(0);
    expect(s.TaskTemplate.ContainerSpec.DNSConfig).toEqual({});
    expect(s.EndpointSpec).toEqual({ Mode: 'vip' });
  });

  it('round-trips: the normalised spec normalises to itself', () => {
    const once = normaliseServiceSpec(cliSpec());
    expect(normaliseServiceSpec(JSON.parse(JSON.stringify(once)))).toEqual(once);
  });

  it('applies the enum defaults stack deploy relies on', () => {
    const s = normaliseServiceSpec({
      ...cliSpec(),
      Mode: undefined,
      UpdateConfig: { Parallelism: 1, Delay: 2e9, MaxFailureRatio: 0, Order: '' },
      EndpointSpec: { Ports: [{ TargetPort: 80, PublishedPort: 8080 }] },
      TaskTemplate: { ContainerSpec: { Image: 'nginx', Privileges: { CredentialSpec: null } }, RestartPolicy: {} },
    });
    expect(s.Mode).toEqual({ Replicated: { Replicas: 1 } });
    expect(s.UpdateConfig).toEqual({
      Parallelism: 1,
      Delay: 2e9,
      MaxFailureRatio: 0,
      Order: 'stop-first',
      FailureAction: 'pause',
    });
    expect(s.EndpointSpec).toEqual({
      Mode: 'vip',
      Ports: [{ TargetPort: 80, PublishedPort: 8080, Protocol: 'tcp', PublishMode: 'ingress' }],
    });
    expect(s.TaskTemplate.RestartPolicy).toEqual({ Condition: 'any' });
    // null members are dropped, as Go's decoder does
    expect(s.TaskTemplate.ContainerSpec.Privileges).toEqual({});
  });

  it('omits a zero Monitor and keeps global mode', () => {
    const s = normaliseServiceSpec({ ...cliSpec(), Mode: { Global: {} }, UpdateConfig: { Monitor: 0 } });
    expect(s.Mode).toEqual({ Global: {} });
    expect(s.UpdateConfig && 'Monitor' in s.UpdateConfig).toBe(false);
  });

  it.each([
    ['web.1', 'rpc error: code = InvalidArgument desc = name must be valid as a DNS name component'],
    ['-web', 'rpc error: code = InvalidArgument desc = name must be valid as a DNS name component'],
    ['a'.repeat(64), 'rpc error: code = InvalidArgument desc = name must be 63 characters or fewer'],
  ])('rejects the name %s', (Name, message) => {
    const e = errorOf(() => normaliseServiceSpec({ ...cliSpec(), Name }));
    expect(e.status).toBe(400);
    expect(e.message).toBe(message);
  });

  it('gives an unnamed service a generated name', () => {
    expect(normaliseServiceSpec({ ...cliSpec(), Name: '' }).Name).toMatch(/^[a-z]+_[a-z]+$/);
  });

  it('requires an image', () => {
    const e = errorOf(() => normaliseServiceSpec({ ...cliSpec(), TaskTemplate: { ContainerSpec: {} } }));
    expect(e.message).toBe('rpc error: code = InvalidArgument desc = ContainerSpec: image reference must be provided');
    expect(errorOf(() => normaliseServiceSpec({ Name: 'x' })).status).toBe(400);
  });

  it('enforces resource minimums and non-negative durations', () => {
    const withTask = (t: object) => ({ ...cliSpec(), TaskTemplate: { ContainerSpec: { Image: 'nginx' }, ...t } });
    expect(
      errorOf(() => normaliseServiceSpec(withTask({ Resources: { Reservations: { NanoCPUs: 1000 } } }))).message,
    ).toBe('rpc error: code = InvalidArgument desc = invalid cpu value 1e-06: Must be at least 0.001');
    expect(
      errorOf(() => normaliseServiceSpec(withTask({ Resources: { Limits: { MemoryBytes: 1024 } } }))).message,
    ).toBe('rpc error: code = InvalidArgument desc = invalid memory value 1024: Must be at least 4MiB');
    expect(() =>
      normaliseServiceSpec(withTask({ Resources: { Reservations: { NanoCPUs: 1e8, MemoryBytes: 64 << 20 } } })),
    ).not.toThrow();
    expect(errorOf(() => normaliseServiceSpec(withTask({ RestartPolicy: { Delay: -1 } }))).message).toContain(
      'restart-delay cannot be negative',
    );
    expect(errorOf(() => normaliseServiceSpec({ ...cliSpec(), UpdateConfig: { Delay: -5 } })).message).toContain(
      'update-delay cannot be negative',
    );
    expect(errorOf(() => normaliseServiceSpec({ ...cliSpec(), UpdateConfig: { MaxFailureRatio: 2 } })).status).toBe(
      400,
    );
  });

  it('validates health checks like swarmkit: durations 0 or at least 1 ms, retries not negative', () => {
    const withHealth = (Healthcheck: object) => ({
      ...cliSpec(),
      TaskTemplate: { ContainerSpec: { Image: 'nginx', Healthcheck }, ForceUpdate: 0 },
    });
    // What `--health-cmd "test -f /tmp/ok" --health-interval 1s --health-timeout 1s --health-retries 2 --health-start-period 0s` sends.
    const cli = { Test: ['CMD-SHELL', 'test -f /tmp/ok'], Interval: 1e9, Timeout: 1e9, Retries: 2 };
    expect(normaliseServiceSpec(withHealth(cli)).TaskTemplate.ContainerSpec.Healthcheck).toEqual(cli);
    expect(() => normaliseServiceSpec(withHealth({ Test: ['NONE'] }))).not.toThrow();
    expect(() =>
      normaliseServiceSpec(withHealth({ Test: ['CMD', 'true'], Interval: 1e6, StartPeriod: 0 })),
    ).not.toThrow();
    for (const field of ['Interval', 'Timeout', 'StartPeriod', 'StartInterval']) {
      for (const ns of [999_999, -1e9]) {
        const e = errorOf(() => normaliseServiceSpec(withHealth({ Test: ['CMD', 'true'], [field]: ns })));
        expect(e.status).toBe(400);
        expect(e.code).toBe('InvalidArgument');
        expect(e.message).toBe(
          `rpc error: code = InvalidArgument desc = ContainerSpec: ${field} in HealthConfig cannot be less than 1ms`,
        );
      }
    }
    const retries = errorOf(() => normaliseServiceSpec(withHealth({ Test: ['CMD', 'true'], Retries: -1 })));
    expect(retries.message).toBe(
      'rpc error: code = InvalidArgument desc = ContainerSpec: Retries in HealthConfig cannot be negative',
    );
    expect(errorOf(() => normaliseServiceSpec(withHealth({ Test: 'true' }))).status).toBe(400);
  });

  it('validates placement constraints', () => {
    const spec = (c: string[]) => ({
      ...cliSpec(),
      TaskTemplate: { ContainerSpec: { Image: 'nginx' }, Placement: { Constraints: c } },
    });
    expect(() => normaliseServiceSpec(spec(['node.role==worker']))).not.toThrow();
    const e = errorOf(() => normaliseServiceSpec(spec(['node.role>worker'])));
    expect(e.status).toBe(400);
    expect(e.message).toMatch(/^rpc error: code = InvalidArgument desc = /);
  });

  it('rejects ingress ports with dnsrr and duplicate published ports', () => {
    const ports = [{ TargetPort: 80, PublishedPort: 8080 }];
    expect(
      errorOf(() => normaliseServiceSpec({ ...cliSpec(), EndpointSpec: { Mode: 'dnsrr', Ports: ports } })).message,
    ).toContain("port published with ingress mode can't be used with dnsrr mode");
    expect(
      errorOf(() =>
        normaliseServiceSpec({
          ...cliSpec(),
          EndpointSpec: { Ports: [...ports, { TargetPort: 81, PublishedPort: 8080 }] },
        }),
      ).message,
    ).toContain('duplicate published ports provided');
  });
});

describe('update and rollback configs (§5.1)', () => {
  const withConfigs = (UpdateConfig: object | undefined, RollbackConfig?: object) => ({
    ...cliSpec(),
    UpdateConfig,
    RollbackConfig,
  });
  const rpc = (desc: string) => `rpc error: code = InvalidArgument desc = ${desc}`;

  it('keeps what `--update-* --rollback-*` send, exactly as the CLI reads it back', () => {
    // docker service create --update-parallelism 2 --update-delay 2s --update-failure-action rollback
    //   --update-monitor 3s --update-max-failure-ratio 0.25 --update-order start-first
    //   --rollback-parallelism 0 --rollback-delay 500ms --rollback-failure-action continue
    //   --rollback-monitor 1s --rollback-max-failure-ratio 1 --rollback-order start-first
    const update = {
      Parallelism: 2,
      Delay: 2e9,
      FailureAction: 'rollback',
      Monitor: 3e9,
      MaxFailureRatio: 0.25,
      Order: 'start-first',
    };
    const rollback = {
      Parallelism: 0,
      Delay: 5e8,
      FailureAction: 'continue',
      Monitor: 1e9,
      MaxFailureRatio: 1,
      Order: 'start-first',
    };
    const s = normaliseServiceSpec(withConfigs(update, rollback));
    expect(s.UpdateConfig).toEqual(update);
    expect(s.RollbackConfig).toEqual(rollback);
    expect(normaliseServiceSpec(JSON.parse(JSON.stringify(s)))).toEqual(s);
  });

  it('fills the enum defaults and leaves zero durations out, as moby returns them', () => {
    const s = normaliseServiceSpec(withConfigs({ Delay: 0, Monitor: 0 }, { FailureAction: '', Order: '' }));
    expect(s.UpdateConfig).toEqual({ Parallelism: 0, FailureAction: 'pause', MaxFailureRatio: 0, Order: 'stop-first' });
    expect(s.RollbackConfig).toEqual({
      Parallelism: 0,
      FailureAction: 'pause',
      MaxFailureRatio: 0,
      Order: 'stop-first',
    });
    // no config stays no config: the CLI shows UpdateConfig/RollbackConfig only when present
    const none = normaliseServiceSpec(withConfigs(undefined));
    expect(none).not.toHaveProperty('UpdateConfig');
    expect(none).not.toHaveProperty('RollbackConfig');
  });

  it.each([
    ['UpdateConfig', { Delay: -1 }, rpc('TaskSpec: update-delay cannot be negative')],
    ['UpdateConfig', { Monitor: -1e9 }, rpc('TaskSpec: update-monitor cannot be negative')],
    [
      'UpdateConfig',
      { MaxFailureRatio: 1.5 },
      rpc('TaskSpec: update-maxfailureratio cannot be less than 0 or bigger than 1'),
    ],
    [
      'UpdateConfig',
      { MaxFailureRatio: -0.1 },
      rpc('TaskSpec: update-maxfailureratio cannot be less than 0 or bigger than 1'),
    ],
    ['RollbackConfig', { Delay: -1 }, rpc('TaskSpec: rollback-delay cannot be negative')],
    ['RollbackConfig', { Monitor: -1 }, rpc('TaskSpec: rollback-monitor cannot be negative')],
    [
      'RollbackConfig',
      { MaxFailureRatio: 2 },
      rpc('TaskSpec: rollback-maxfailureratio cannot be less than 0 or bigger than 1'),
    ],
  ])('%s %j is InvalidArgument (400)', (field, cfg, message) => {
    const e = errorOf(() => normaliseServiceSpec({ ...cliSpec(), [field]: cfg }));
    expect([e.status, e.code, e.message]).toEqual([400, 'InvalidArgument', message]);
  });

  it.each([
    ['UpdateConfig', { FailureAction: 'retry' }, 'unrecognized update failure action retry'],
    ['UpdateConfig', { Order: 'random' }, 'unrecognized update order random'],
    // moby converts both configs with the same function, so the words are the same
    ['RollbackConfig', { FailureAction: 'ROLLBACK' }, 'unrecognized update failure action ROLLBACK'],
    ['RollbackConfig', { Order: 'first' }, 'unrecognized update order first'],
    [
      'UpdateConfig',
      { Parallelism: -1 },
      'invalid JSON: json: cannot unmarshal number -1 into Go struct field UpdateConfig.UpdateConfig.Parallelism of type uint64',
    ],
    [
      'RollbackConfig',
      { Parallelism: 1.5 },
      'invalid JSON: json: cannot unmarshal number 1.5 into Go struct field UpdateConfig.RollbackConfig.Parallelism of type uint64',
    ],
    [
      'UpdateConfig',
      { Delay: 0.5 },
      'invalid JSON: json: cannot unmarshal number 0.5 into Go struct field UpdateConfig.UpdateConfig.Delay of type time.Duration',
    ],
  ])("%s %j is a bad parameter (400) in moby's words", (field, cfg, message) => {
    const e = errorOf(() => normaliseServiceSpec({ ...cliSpec(), [field]: cfg }));
    expect([e.status, e.message]).toEqual([400, message]);
  });

  it('accepts the bounds themselves: zero parallelism (all at once), ratio 0 and 1, zero delay and monitor', () => {
    for (const cfg of [{ Parallelism: 0 }, { MaxFailureRatio: 0 }, { MaxFailureRatio: 1 }, { Delay: 0, Monitor: 0 }])
      expect(() => normaliseServiceSpec(withConfigs(cfg, cfg))).not.toThrow();
  });

  it("refuses an update config on a job with swarmkit's message", () => {
    for (const Mode of [{ ReplicatedJob: { TotalCompletions: 2 } }, { GlobalJob: {} }]) {
      const e = errorOf(() => normaliseServiceSpec({ ...cliSpec(), Mode, RollbackConfig: undefined }));
      expect([e.status, e.message]).toEqual([400, rpc('Jobs may not have an update config')]);
    }
  });
});

describe('interpolateServiceSpec (insertDefaults)', () => {
  it('fills swarmkit defaults without touching set values', () => {
    const spec = normaliseServiceSpec({
      ...cliSpec(),
      UpdateConfig: { Parallelism: 3, Monitor: 0 },
      RollbackConfig: undefined,
    });
    const out: ServiceSpec = interpolateServiceSpec(spec);
    expect(out.TaskTemplate.ContainerSpec.StopGracePeriod).toBe(10e9);
    expect(out.TaskTemplate.RestartPolicy).toEqual({ Condition: 'any', Delay: 5e9, MaxAttempts: 0 });
    expect(out.UpdateConfig).toMatchObject({ Parallelism: 3, Monitor: 5e9 });
    expect(out.RollbackConfig).toEqual({
      Parallelism: 1,
      FailureAction: 'pause',
      Monitor: 5e9,
      MaxFailureRatio: 0,
      Order: 'stop-first',
    });
    expect(spec.TaskTemplate.ContainerSpec.StopGracePeriod).toBeUndefined();
  });
});
