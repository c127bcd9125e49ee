import { describe, expect, it } from 'vitest';
import { SwarmError } from '../errors';
import type { ServiceSpec } from '../types';
import { parseServiceSpec } from './service-spec';

const rpc = (desc: string) => `rpc error: code = InvalidArgument desc = ${desc}`;

type Over = Record<string, unknown>;
const spec = (over: Over = {}, container: Over = {}, task: Over = {}) => ({
  Name: 'web',
  TaskTemplate: { ContainerSpec: { Image: 'nginx:alpine', ...container }, ...task },
  ...over,
});

function refusal(input: unknown): [number, string] {
  try {
    parseServiceSpec(input);
  } catch (e) {
    if (e instanceof SwarmError) return [e.status, e.message];
    throw e;
  }
  throw new Error(`accepted ${JSON.stringify(input)}`);
}

/** A spec with every field moby's ServiceSpec has, as `docker service inspect` would print it. */
const everything = (): ServiceSpec => ({
  Name: 'full',
  Labels: { team: 'a' },
  TaskTemplate: {
    ContainerSpec: {
      Image: 'registry.example:5000/team/app:1.2@sha256:' + 'a'.repeat(64),
      Labels: { l: 'v' },
      Command: ['/bin/sh'],
      Args: ['-c', 'sleep 1'],
      Hostname: '{{.Service.Name}}-{{.Task.Slot}}',
      Env: ['A=1'],
      Dir: '/w',
      User: '1000',
      Groups: ['10'],
      Privileges: {
        CredentialSpec: { Registry: 'r' },
        SELinuxContext: { Disable: false, User: 'u', Role: 'r', Type: 't', Level: 'l' },
        Seccomp: { Mode: 'custom', Profile: 'e30=' },
        AppArmor: { Mode: 'disabled' },
        NoNewPrivileges: true,
      },
      Init: true,
      StopSignal: 'SIGINT',
      TTY: true,
      OpenStdin: true,
      ReadOnly: true,
      Mounts: [
        { Type: 'tmpfs', Target: '/tmp', TmpfsOptions: { SizeBytes: 1 << 20, Mode: 0o1777, Options: [['noexec']] } },
        { Type: 'bind', Source: '/a', Target: '/b', BindOptions: { Propagation: 'rslave', NonRecursive: true } },
        {
          Type: 'volume',
          Source: 'v',
          Target: '/v',
          Consistency: 'cached',
          VolumeOptions: { NoCopy: true, Labels: { x: 'y' }, Subpath: 's', DriverConfig: { Name: 'local' } },
        },
      ],
      StopGracePeriod: 3e9,
      Healthcheck: {
        Test: ['CMD', 'true'],
        Interval: 1e9,
        Timeout: 2e9,
        Retries: 3,
        StartPeriod: 0,
        StartInterval: 1e6,
      },
      Hosts: ['1.2.3.4 a'],
      DNSConfig: { Nameservers: ['1.1.1.1'], Search: ['x'], Options: ['ndots:1'] },
      Secrets: [{ File: { Name: 's', UID: '0', GID: '0', Mode: 0o444 }, SecretID: 'sid', SecretName: 's' }],
      Configs: [
        { File: { Name: 'c', UID: '0', GID: '0', Mode: 0o444 }, ConfigID: 'cid', ConfigName: 'c' },
        { Runtime: {}, ConfigID: 'cred', ConfigName: 'cred' },
      ],
      Isolation: 'default',
      Sysctls: { 'net.core.somaxconn': '100' },
      CapabilityAdd: ['CAP_NET_ADMIN'],
      CapabilityDrop: ['CAP_MKNOD'],
      Ulimits: [{ Name: 'nofile', Hard: 200, Soft: 100 }],
      OomScoreAdj: -500,
    },
    Resources: {
      Limits: { NanoCPUs: 5e8, MemoryBytes: 64 << 20, Pids: 100 },
      Reservations: {
        NanoCPUs: 1e8,
        MemoryBytes: 32 << 20,
        GenericResources: [
          { DiscreteResourceSpec: { Kind: 'gpu', Value: 1 } },
          { NamedResourceSpec: { Kind: 'ssd', Value: 'a' } },
        ],
      },
    },
    RestartPolicy: { Condition: 'on-failure', Delay: 5e9, MaxAttempts: 3, Window: 1e10 },
    Placement: {
      Constraints: ['node.role==worker', 'engine.labels.zone != b'],
      Preferences: [{ Spread: { SpreadDescriptor: 'node.labels.zone' } }],
      MaxReplicas: 2,
      Platforms: [{ Architecture: 'amd64', OS: 'linux' }],
    },
    Networks: [{ Target: 'net', Aliases: ['a'], DriverOpts: { o: 'v' } }],
    LogDriver: { Name: 'json-file', Options: { 'max-size': '1m' } },
    ForceUpdate: 2,
    Runtime: 'container',
  },
  Mode: { Replicated: { Replicas: 3 } },
  UpdateConfig: {
    Parallelism: 2,
    Delay: 1e9,
    FailureAction: 'rollback',
    Monitor: 5e9,
    MaxFailureRatio: 0.5,
    Order: 'start-first',
  },
  RollbackConfig: { Parallelism: 1, FailureAction: 'pause', Monitor: 2e9, MaxFailureRatio: 0, Order: 'stop-first' },
  Networks: [{ Target: 'old-style' }],
  EndpointSpec: {
    Mode: 'vip',
    Ports: [
      { Name: 'http', Protocol: 'tcp', TargetPort: 80, PublishedPort: 8080, PublishMode: 'ingress' },
      { Protocol: 'udp', TargetPort: 53, PublishedPort: 53, PublishMode: 'host' },
    ],
  },
});

describe('ServiceSpec: every field moby has is kept', () => {
  it('keeps a spec with every field exactly, and parses its own output to itself', () => {
    const full = everything();
    const once = parseServiceSpec(JSON.parse(JSON.stringify(full)));
    expect(once).toEqual(full);
    expect(parseServiceSpec(JSON.parse(JSON.stringify(once)))).toEqual(once);
  });

  it('fills the output defaults moby returns (Isolation, Runtime, ForceUpdate, Replicas 1, vip, port protocol and mode)', () => {
    const s = parseServiceSpec({
      TaskTemplate: { ContainerSpec: { Image: 'nginx' } },
      Mode: { Replicated: {} },
      EndpointSpec: { Ports: [{ TargetPort: 80 }] },
    });
    expect(s).toEqual({
      Name: '',
      Labels: {},
      TaskTemplate: { ContainerSpec: { Image: 'nginx', Isolation: 'default' }, ForceUpdate: 0, Runtime: 'container' },
      Mode: { Replicated: { Replicas: 1 } },
      EndpointSpec: {
        Mode: 'vip',
        Ports: [{ TargetPort: 80, PublishedPort: 0, Protocol: 'tcp', PublishMode: 'ingress' }],
      },
    });
  });

  it('fills a replicated job’s counts as moby does (MaxConcurrent 1, TotalCompletions = MaxConcurrent) and keeps a global job', () => {
    const mode = (m: object) => parseServiceSpec(spec({ Mode: m })).Mode;
    expect(mode({ ReplicatedJob: {} })).toEqual({ ReplicatedJob: { MaxConcurrent: 1, TotalCompletions: 1 } });
    expect(mode({ ReplicatedJob: { MaxConcurrent: 3 } })).toEqual({
      ReplicatedJob: { MaxConcurrent: 3, TotalCompletions: 3 },
    });
    expect(mode({ ReplicatedJob: { MaxConcurrent: 2, TotalCompletions: 6 } })).toEqual({
      ReplicatedJob: { MaxConcurrent: 2, TotalCompletions: 6 },
    });
    expect(mode({ GlobalJob: {} })).toEqual({ GlobalJob: {} });
  });

  it('takes the values moby looks up case-insensitively and keeps them lower-case', () => {
    const s = parseServiceSpec(
      spec(
        { EndpointSpec: { Ports: [{ TargetPort: 80, Protocol: 'UDP', PublishMode: 'Host' }] } },
        { Isolation: 'HyperV', Mounts: [{ Type: 'BIND', Target: '/x', BindOptions: { Propagation: 'RSHARED' } }] },
      ),
    );
    expect(s.EndpointSpec?.Ports?.[0]).toMatchObject({ Protocol: 'udp', PublishMode: 'host' });
    expect(s.TaskTemplate.ContainerSpec.Isolation).toBe('hyperv');
    expect(s.TaskTemplate.ContainerSpec.Mounts?.[0]).toMatchObject({
      Type: 'bind',
      BindOptions: { Propagation: 'rshared' },
    });
  });

  it('drops what moby drops: non-spread preferences, the other runtimes’ specs', () => {
    const s = parseServiceSpec(
      spec({}, {}, { Placement: { Preferences: [{}] }, PluginSpec: { name: 'x' }, NetworkAttachmentSpec: {} }),
    );
    expect(s.TaskTemplate.Placement).toEqual({});
    expect(s.TaskTemplate).not.toHaveProperty('PluginSpec');
    expect(s.TaskTemplate).not.toHaveProperty('NetworkAttachmentSpec');
  });
});

describe("ServiceSpec: Docker's rules, each refused with Docker's message", () => {
  it.each<[string, unknown, string]>([
    ['a name that is not a DNS label', spec({ Name: 'web.1' }), rpc('name must be valid as a DNS name component')],
    ['a name that starts with a dash', spec({ Name: '-web' }), rpc('name must be valid as a DNS name component')],
    ['a 64-character name', spec({ Name: 'a'.repeat(64) }), rpc('name must be 63 characters or fewer')],
    ['no task template', { Name: 'x' }, 'mismatched Runtime and *Spec fields'],
    ['no container spec', spec({ TaskTemplate: {} }), 'mismatched Runtime and *Spec fields'],
    ['an unknown runtime', spec({}, {}, { Runtime: 'attachment' }), 'unsupported runtime'],
    [
      'a plugin service',
      spec({}, {}, { Runtime: 'plugin', PluginSpec: { name: 'p' } }),
      'TaskTemplate.Runtime "plugin": plugin services are not supported by Swarmdeck',
    ],
    ['no image', spec({}, { Image: '' }), rpc('ContainerSpec: image reference must be provided')],
    ['an upper-case image', spec({}, { Image: 'Nginx' }), rpc('ContainerSpec: "Nginx" is not a valid repository/tag')],
    [
      'an image with a space',
      spec({}, { Image: 'nginx latest' }),
      rpc('ContainerSpec: "nginx latest" is not a valid repository/tag'),
    ],
    ['an unknown mount type', spec({}, { Mounts: [{ Type: 'nfs', Target: '/x' }] }), 'invalid MountType: "nfs"'],
    [
      'an env template naming an unknown field',
      spec({}, { Env: ['A={{.Service.Nmae}}'] }),
      rpc(
        'expanding env failed: expanding env "A={{.Service.Nmae}}": template: expansion: executing at <.Service.Nmae>: can\'t evaluate field Nmae in type Service',
      ),
    ],
    [
      'a hostname template that does not parse',
      spec({}, { Hostname: '{{.Node.Hostname' }),
      rpc('expanding hostname failed: template: expansion: unclosed action'),
    ],
    [
      'an unknown propagation',
      spec({}, { Mounts: [{ Target: '/x', BindOptions: { Propagation: 'up' } }] }),
      'invalid MountPropagation: "up"',
    ],
    [
      'two mounts on one target',
      spec({}, { Mounts: [{ Target: '/x' }, { Target: '/x', Type: 'tmpfs' }] }),
      rpc('ContainerSpec: duplicate mount point: /x'),
    ],
    [
      'an unknown isolation',
      spec({}, { Isolation: 'vm' }),
      'invalid isolation "vm" in ContainerSpec: default, process or hyperv',
    ],
    [
      'an oom score out of range',
      spec({}, { OomScoreAdj: 1001 }),
      'Invalid value 1001, range for oom score adj is [-1000, 1000]',
    ],
    [
      'a credential spec without a source',
      spec({}, { Privileges: { CredentialSpec: {} } }),
      'invalid CredentialSpec: must either provide "file", "registry", or "config" for credential spec',
    ],
    [
      'a credential spec with two sources',
      spec({}, { Privileges: { CredentialSpec: { File: 'a', Registry: 'b' } } }),
      'invalid CredentialSpec: cannot specify both "file" and "registry" credential specs',
    ],
    [
      'a credential spec config missing from the configs',
      spec({}, { Privileges: { CredentialSpec: { Config: 'cid' } } }),
      rpc("CredentialSpec references config 'cid', but that config isn't in config references with RuntimeTarget"),
    ],
    [
      'an unknown seccomp mode',
      spec({}, { Privileges: { Seccomp: { Mode: 'strict' } } }),
      'invalid Seccomp mode "strict" in ContainerSpec.Privileges: default, unconfined or custom',
    ],
    [
      'a secret reference without an ID',
      spec({}, { Secrets: [{ SecretName: 's', File: { Name: 's' } }] }),
      rpc('malformed secret reference'),
    ],
    [
      'a secret reference without a target',
      spec({}, { Secrets: [{ SecretID: 'i', SecretName: 's' }] }),
      rpc('malformed secret reference, no target provided'),
    ],
    [
      'two secrets on one file',
      spec(
        {},
        {
          Secrets: [
            { SecretID: 'i', SecretName: 'a', File: { Name: 'f' } },
            { SecretID: 'j', SecretName: 'b', File: { Name: 'f' } },
          ],
        },
      ),
      rpc("secret references 'a' and 'b' have a conflicting target: 'f'"),
    ],
    [
      'a config with no target',
      spec({}, { Configs: [{ ConfigID: 'i', ConfigName: 'c' }] }),
      'invalid Config: either File or Runtime should be set',
    ],
    [
      'a config with both targets',
      spec({}, { Configs: [{ ConfigID: 'i', ConfigName: 'c', File: { Name: 'f' }, Runtime: {} }] }),
      'invalid Config: cannot specify both File and Runtime',
    ],
    [
      'a health interval under 1 ms',
      spec({}, { Healthcheck: { Interval: 999_999 } }),
      rpc('ContainerSpec: Interval in HealthConfig cannot be less than 1ms'),
    ],
    [
      'negative health retries',
      spec({}, { Healthcheck: { Retries: -1 } }),
      rpc('ContainerSpec: Retries in HealthConfig cannot be negative'),
    ],
    [
      'a CPU reservation under 0.001',
      spec({}, {}, { Resources: { Reservations: { NanoCPUs: 1000 } } }),
      rpc('invalid cpu value 1e-06: Must be at least 0.001'),
    ],
    [
      'a negative CPU limit',
      spec({}, {}, { Resources: { Limits: { NanoCPUs: -1 } } }),
      rpc('invalid cpu value -1e-09: Must be at least 0.001'),
    ],
    [
      'a memory limit under 4 MiB',
      spec({}, {}, { Resources: { Limits: { MemoryBytes: 1024 } } }),
      rpc('invalid memory value 1024: Must be at least 4MiB'),
    ],
    [
      'an unknown restart condition',
      spec({}, {}, { RestartPolicy: { Condition: 'always' } }),
      'invalid RestartCondition: "always"',
    ],
    [
      'a negative restart delay',
      spec({}, {}, { RestartPolicy: { Delay: -1 } }),
      rpc('TaskSpec: restart-delay cannot be negative'),
    ],
    [
      'a negative restart window',
      spec({}, {}, { RestartPolicy: { Window: -1 } }),
      rpc('TaskSpec: restart-window cannot be negative'),
    ],
    [
      'a constraint without an operator',
      spec({}, {}, { Placement: { Constraints: ['node.role'] } }),
      rpc('constraint expected one operator from ==, !='),
    ],
    [
      'a constraint with a bad key',
      spec({}, {}, { Placement: { Constraints: ['no de==x'] } }),
      rpc("key 'no de' is invalid"),
    ],
    [
      'a constraint with a bad value',
      spec({}, {}, { Placement: { Constraints: ['node.role==<x>'] } }),
      rpc("value '<x>' is invalid"),
    ],
    [
      'a spread over something that is not a label',
      spec({}, {}, { Placement: { Preferences: [{ Spread: { SpreadDescriptor: 'node.hostname' } }] } }),
      rpc(
        'invalid placement preference spread=node.hostname: the descriptor must be node.labels.<name> or engine.labels.<name>',
      ),
    ],
    [
      'a spread with an empty label',
      spec({}, {}, { Placement: { Preferences: [{ Spread: { SpreadDescriptor: 'node.labels.' } }] } }),
      rpc(
        'invalid placement preference spread=node.labels.: the descriptor must be node.labels.<name> or engine.labels.<name>',
      ),
    ],
    ['two modes', spec({ Mode: { Replicated: {}, Global: {} } }), 'must specify only one service mode'],
    [
      'a replicated and a global job',
      spec({ Mode: { ReplicatedJob: {}, GlobalJob: {} } }),
      'must specify only one service mode',
    ],
    [
      'a concurrency past int64',
      spec({ Mode: { ReplicatedJob: { MaxConcurrent: 2 ** 63 } } }),
      rpc('Maximum concurrent jobs must not be negative'),
    ],
    [
      'completions past int64',
      spec({ Mode: { ReplicatedJob: { MaxConcurrent: 1, TotalCompletions: 2 ** 63 } } }),
      rpc('Total completed jobs must not be negative'),
    ],
    [
      'a job with an update config',
      spec({ Mode: { GlobalJob: {} }, UpdateConfig: {} }),
      rpc('Jobs may not have an update config'),
    ],
    [
      'replicas past int64',
      spec({ Mode: { Replicated: { Replicas: 2 ** 63 } } }),
      rpc('Number of replicas must be non-negative'),
    ],
    [
      'an unknown failure action',
      spec({ UpdateConfig: { FailureAction: 'retry' } }),
      'unrecognized update failure action retry',
    ],
    ['an unknown update order', spec({ RollbackConfig: { Order: 'random' } }), 'unrecognized update order random'],
    [
      'a negative update delay',
      spec({ UpdateConfig: { Delay: -1 } }),
      rpc('TaskSpec: update-delay cannot be negative'),
    ],
    [
      'a negative rollback monitor',
      spec({ RollbackConfig: { Monitor: -1 } }),
      rpc('TaskSpec: rollback-monitor cannot be negative'),
    ],
    [
      'a failure ratio over 1',
      spec({ UpdateConfig: { MaxFailureRatio: 1.01 } }),
      rpc('TaskSpec: update-maxfailureratio cannot be less than 0 or bigger than 1'),
    ],
    ['an unknown resolution mode', spec({ EndpointSpec: { Mode: 'rr' } }), 'invalid resolution mode: "rr"'],
    [
      'an unknown protocol',
      spec({ EndpointSpec: { Ports: [{ TargetPort: 80, Protocol: 'http' }] } }),
      'invalid protocol "http" in EndpointSpec.Ports: tcp, udp or sctp',
    ],
    [
      'an unknown publish mode',
      spec({ EndpointSpec: { Ports: [{ TargetPort: 80, PublishMode: 'public' }] } }),
      'invalid publish mode "public" in EndpointSpec.Ports: ingress or host',
    ],
    [
      'a target port past 65535',
      spec({ EndpointSpec: { Ports: [{ TargetPort: 65536 }] } }),
      'invalid port 65536 in EndpointSpec.Ports.TargetPort: ports are 0-65535',
    ],
    [
      'an ingress port with dnsrr',
      spec({ EndpointSpec: { Mode: 'dnsrr', Ports: [{ TargetPort: 80, PublishedPort: 80 }] } }),
      rpc("EndpointSpec: port published with ingress mode can't be used with dnsrr mode"),
    ],
    [
      'one published port twice',
      spec({
        EndpointSpec: {
          Ports: [
            { TargetPort: 80, PublishedPort: 8080 },
            { TargetPort: 81, PublishedPort: 8080 },
          ],
        },
      }),
      rpc('EndpointSpec: duplicate published ports provided'),
    ],
  ])('refuses %s', (_what, input, message) => {
    expect(refusal(input)).toEqual([400, message]);
  });

  it.each<[string, unknown]>([
    ['an empty name (named later)', spec({ Name: '' })],
    ['a 63-character name with dashes and underscores', spec({ Name: 'a-b_c' + 'x'.repeat(58) })],
    ['ports 0 and 65535', spec({ EndpointSpec: { Ports: [{ TargetPort: 0, PublishedPort: 65535 }] } })],
    [
      'one published port on tcp and udp',
      spec({
        EndpointSpec: {
          Ports: [
            { TargetPort: 53, PublishedPort: 53 },
            { TargetPort: 53, PublishedPort: 53, Protocol: 'udp' },
          ],
        },
      }),
    ],
    [
      'host ports with dnsrr',
      spec({ EndpointSpec: { Mode: 'dnsrr', Ports: [{ TargetPort: 80, PublishedPort: 80, PublishMode: 'host' }] } }),
    ],
    ['zero replicas', spec({ Mode: { Replicated: { Replicas: 0 } } })],
    [
      'a failure ratio of exactly 0 and 1',
      spec({ UpdateConfig: { MaxFailureRatio: 0 }, RollbackConfig: { MaxFailureRatio: 1 } }),
    ],
    ['health durations of 0 and 1 ms', spec({}, { Healthcheck: { Interval: 0, Timeout: 1e6 } })],
    ['exactly 0.001 CPU and 4 MiB', spec({}, {}, { Resources: { Limits: { NanoCPUs: 1e6, MemoryBytes: 4 << 20 } } })],
    [
      'an engine-label spread',
      spec({}, {}, { Placement: { Preferences: [{ Spread: { SpreadDescriptor: 'Engine.Labels.az' } }] } }),
    ],
    ['a node.ip constraint', spec({}, {}, { Placement: { Constraints: ['node.ip==10.0.0.0/8'] } })],
    ['oom scores at both ends', spec({}, { OomScoreAdj: -1000 })],
    [
      'templates swarm expands',
      spec({}, { Hostname: '{{.Node.Hostname}}-{{.Task.Slot}}', Env: ['S={{index .Service.Labels "x"}}'] }),
    ],
    ['an image by digest only', spec({}, { Image: 'nginx@sha256:' + 'f'.repeat(64) })],
    ['a registry host with a port', spec({}, { Image: 'localhost:5000/a/b' })],
  ])('accepts %s', (_what, input) => {
    expect(() => parseServiceSpec(input)).not.toThrow();
  });
});
