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
  it('refuses job modes with 501 until a jobs orchestrator exists', () => {
    for (const Mode of [{ ReplicatedJob: { TotalCompletions: 2 } }, { GlobalJob: {} }]) {
      const e = errorOf(() => normaliseServiceSpec({ ...cliSpec(), Mode }));
      expect(e.status).toBe(501);
      expect(e.message).toContain('not supported yet');
    }
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
