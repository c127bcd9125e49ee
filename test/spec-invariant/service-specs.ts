// Service specs for the invariant test: a valid spec as the CLI sends it,
// then 0–3 mutations of random fields — a wrong JSON type, a boundary number,
// an odd but valid value, or a value Docker refuses. Each mutation records
// the words a refusal should name (the field, or Docker's word for it).

import type { Gen } from './gen';
import { BOUNDARY_NUMBERS, ODD_STRINGS, setPath, wrongType } from './gen';

export interface SpecCase {
  body: Record<string, unknown>;
  /** Lower-case words, one of which a refusal's message must contain. */
  words: string[];
  /** What was done, for the failure report. */
  notes: string[];
}

type Path = (string | number)[];
interface Field {
  path: Path;
  words: string[];
  /** A value for the field: valid, odd, boundary or wrong. */
  value(g: Gen): unknown;
}

const CS: Path = ['TaskTemplate', 'ContainerSpec'];
const TT: Path = ['TaskTemplate'];

const stringField = (path: Path, words: string[], extra: readonly unknown[] = []): Field => ({
  path,
  words,
  value: (g) => (g.chance(0.6) ? g.pick([...ODD_STRINGS, ...extra]) : wrongType(g, 'string')),
});
const stringsField = (path: Path, words: string[]): Field => ({
  path,
  words,
  value: (g) =>
    g.pick([
      () => [],
      () => [g.pick(ODD_STRINGS), g.pick(ODD_STRINGS)],
      () => Array.from({ length: g.int(1, 40) }, (_, i) => `V${i}=${g.pick(ODD_STRINGS)}`),
      () => wrongType(g, 'array'),
      () => [g.pick([1, true, {}, null])],
    ])(),
});
const mapField = (path: Path, words: string[]): Field => ({
  path,
  words,
  value: (g) =>
    g.pick([
      () => ({}),
      () => ({ [g.pick(['com.example/x', 'ünï', 'k'.repeat(100), 'a.b-c_d'])]: g.pick(ODD_STRINGS) }),
      () => ({ a: g.pick([1, true, [], {}, null]) }),
      () => wrongType(g, 'object'),
    ])(),
});
const boolField = (path: Path, words: string[]): Field => ({
  path,
  words,
  value: (g) => (g.chance(0.5) ? g.chance(0.5) : wrongType(g, 'boolean')),
});
const numberField = (path: Path, words: string[], domain: readonly number[] = []): Field => ({
  path,
  words,
  value: (g) => (g.chance(0.8) ? g.pick([...BOUNDARY_NUMBERS, ...domain]) : wrongType(g, 'number')),
});
const enumField = (path: Path, words: string[], values: readonly string[]): Field => ({
  path,
  words,
  value: (g) =>
    g.pick([
      () => g.pick(values),
      () => g.pick(values).toUpperCase(),
      () => '',
      () => g.pick(['bogus', 'any-thing', 'NONE ']),
      () => wrongType(g, 'string'),
    ])(),
});

const SECOND = 1e9;
const DURATIONS = [SECOND, 5 * SECOND, 999_999, 1e6, -SECOND];
const PORTS = [0, 80, 8080, 65535, 65536, -1, 30000, 1.5];

const FIELDS: Field[] = [
  stringField(['Name'], ['name'], ['a', 'a-b_c', 'x'.repeat(63), 'x'.repeat(64), 'a.b', '-a', 'ü']),
  mapField(['Labels'], ['labels']),
  stringField(
    [...CS, 'Image'],
    ['image', 'repository'],
    ['nginx', 'nginx:1.27', 'localhost:5000/a/b:tag', 'busybox@sha256:' + 'a'.repeat(64), 'Nginx', 'a b', ':tag'],
  ),
  stringsField([...CS, 'Env'], ['env']),
  stringsField([...CS, 'Command'], ['command']),
  stringsField([...CS, 'Args'], ['args']),
  stringField([...CS, 'Hostname'], ['hostname']),
  stringField([...CS, 'Dir'], ['dir']),
  stringField([...CS, 'User'], ['user']),
  stringsField([...CS, 'Groups'], ['groups']),
  boolField([...CS, 'Init'], ['init']),
  boolField([...CS, 'TTY'], ['tty']),
  boolField([...CS, 'ReadOnly'], ['readonly']),
  stringField([...CS, 'StopSignal'], ['stopsignal']),
  numberField([...CS, 'StopGracePeriod'], ['stopgraceperiod'], DURATIONS),
  stringsField([...CS, 'Healthcheck', 'Test'], ['healthcheck', 'test']),
  numberField([...CS, 'Healthcheck', 'Interval'], ['healthcheck', 'interval'], DURATIONS),
  numberField([...CS, 'Healthcheck', 'Retries'], ['healthcheck', 'retries']),
  stringsField([...CS, 'Hosts'], ['hosts']),
  stringsField([...CS, 'DNSConfig', 'Nameservers'], ['dnsconfig', 'nameservers']),
  enumField([...CS, 'Isolation'], ['isolation'], ['default', 'process', 'hyperv']),
  mapField([...CS, 'Sysctls'], ['sysctls']),
  stringsField([...CS, 'CapabilityAdd'], ['capabilityadd']),
  numberField([...CS, 'OomScoreAdj'], ['oom'], [-1000, 1000, 1001]),
  enumField([...CS, 'Privileges', 'Seccomp', 'Mode'], ['seccomp'], ['default', 'unconfined', 'custom']),
  {
    path: [...CS, 'Mounts'],
    words: ['mount'],
    value: (g) =>
      Array.from({ length: g.int(0, 3) }, () => ({
        Type: g.pick(['bind', 'volume', 'tmpfs', 'BIND', 'nfs', '', 3]),
        Source: g.pick(['/a', 'vol', '', 7]),
        Target: g.pick(['/a', '/b', '/a', '']),
        ...(g.chance(0.3) ? { BindOptions: { Propagation: g.pick(['rprivate', 'RSHARED', 'up', 1]) } } : {}),
      })),
  },
  {
    path: [...CS, 'Ulimits'],
    words: ['ulimit', 'soft', 'hard'],
    value: (g) => [{ Name: 'nofile', Soft: g.pick(BOUNDARY_NUMBERS), Hard: g.pick([100, '200', 2 ** 63]) }],
  },
  {
    path: [...CS, 'Secrets'],
    words: ['secret'],
    value: (g) => [
      { SecretID: g.pick(['sid', '', 5]), SecretName: g.pick(['s', '']), File: { Name: g.pick(['f', '']) } },
    ],
  },
  numberField([...TT, 'Resources', 'Limits', 'NanoCPUs'], ['cpu']),
  numberField([...TT, 'Resources', 'Limits', 'MemoryBytes'], ['memory']),
  numberField([...TT, 'Resources', 'Limits', 'Pids'], ['pids']),
  numberField([...TT, 'Resources', 'Reservations', 'NanoCPUs'], ['cpu']),
  numberField([...TT, 'Resources', 'Reservations', 'MemoryBytes'], ['memory']),
  {
    path: [...TT, 'Resources', 'Reservations', 'GenericResources'],
    words: ['genericresources', 'discreteresourcespec', 'value', 'kind'],
    value: (g) => [{ DiscreteResourceSpec: { Kind: g.pick(['gpu', 3]), Value: g.pick([1, -1, 1.5, 'x']) } }],
  },
  enumField([...TT, 'RestartPolicy', 'Condition'], ['restartcondition', 'condition'], ['none', 'on-failure', 'any']),
  numberField([...TT, 'RestartPolicy', 'Delay'], ['restart-delay', 'delay'], DURATIONS),
  numberField([...TT, 'RestartPolicy', 'MaxAttempts'], ['maxattempts']),
  numberField([...TT, 'RestartPolicy', 'Window'], ['restart-window', 'window'], DURATIONS),
  {
    path: [...TT, 'Placement', 'Constraints'],
    words: ['constraint', 'key', 'value', 'operator'],
    value: (g) =>
      Array.from(
        { length: g.int(1, 3) },
        () =>
          `${g.pick(['node.role', 'node.labels.zone', 'engine.labels.x', 'node.ip', 'bad key', ''])}${g.pick(['==', '!=', ' == ', '=', '>'])}${g.pick(['worker', 'zone-a', '10.0.0.0/8', '<x>', ''])}`,
      ),
  },
  {
    path: [...TT, 'Placement', 'Preferences'],
    words: ['preference', 'spread'],
    value: (g) => [
      g.pick([
        {
          Spread: {
            SpreadDescriptor: g.pick(['node.labels.zone', 'Engine.Labels.az', 'node.hostname', '', 'node.labels.']),
          },
        },
        { Spread: { SpreadDescriptor: 7 } },
        {},
      ]),
    ],
  },
  numberField([...TT, 'Placement', 'MaxReplicas'], ['maxreplicas']),
  stringField([...TT, 'LogDriver', 'Name'], ['logdriver', 'name']),
  mapField([...TT, 'LogDriver', 'Options'], ['logdriver', 'options']),
  numberField([...TT, 'ForceUpdate'], ['forceupdate']),
  enumField([...TT, 'Runtime'], ['runtime', 'spec'], ['container', 'plugin', 'attachment']),
  numberField(['Mode', 'Replicated', 'Replicas'], ['replicas'], [19, 20, 21]),
  {
    path: ['Mode'],
    words: ['mode', 'replicas', 'job'],
    value: (g) =>
      g.pick([{ Global: {} }, { Replicated: {}, Global: {} }, { ReplicatedJob: {} }, { GlobalJob: {} }, {}, 'global']),
  },
  numberField(['UpdateConfig', 'Parallelism'], ['parallelism']),
  numberField(['UpdateConfig', 'Delay'], ['update-delay', 'delay'], DURATIONS),
  enumField(['UpdateConfig', 'FailureAction'], ['failure action', 'failureaction'], ['pause', 'continue', 'rollback']),
  numberField(['UpdateConfig', 'MaxFailureRatio'], ['maxfailureratio'], [0, 0.25, 1, 1.01]),
  enumField(['UpdateConfig', 'Order'], ['order'], ['stop-first', 'start-first']),
  numberField(['RollbackConfig', 'Monitor'], ['rollback-monitor', 'monitor'], DURATIONS),
  enumField(['EndpointSpec', 'Mode'], ['resolution mode', 'endpointspec', 'mode'], ['vip', 'dnsrr']),
  {
    path: ['EndpointSpec', 'Ports'],
    words: ['port', 'protocol', 'publish'],
    value: (g) =>
      Array.from({ length: g.int(1, 3) }, () => ({
        TargetPort: g.pick(PORTS),
        PublishedPort: g.pick(PORTS),
        Protocol: g.pick(['tcp', 'UDP', 'sctp', 'http', '', 6]),
        PublishMode: g.pick(['ingress', 'host', 'Host', 'public', '']),
      })),
  },
  { path: ['Bogus'], words: [], value: (g) => g.pick([1, 'x', {}]) },
  {
    path: ['taskTemplate'],
    words: ['tasktemplate', 'containerspec', 'spec', 'image'],
    value: (g) => g.pick([{ ContainerSpec: { Image: 'busybox' } }, null, 3]),
  },
];

/** What `docker service create --name <name> nginx:alpine` sends, with 0–2 replicas. */
function baseSpec(g: Gen, name: string): Record<string, unknown> {
  return {
    Name: name,
    Labels: {},
    TaskTemplate: {
      ContainerSpec: { Image: 'nginx:alpine', Init: false, DNSConfig: {} },
      Resources: { Limits: {}, Reservations: {} },
      Placement: {},
      ForceUpdate: 0,
    },
    Mode: { Replicated: { Replicas: g.int(0, 2) } },
    UpdateConfig: { Parallelism: 1, FailureAction: 'pause', Monitor: 5e9, MaxFailureRatio: 0, Order: 'stop-first' },
    RollbackConfig: { Parallelism: 1, FailureAction: 'pause', Monitor: 5e9, MaxFailureRatio: 0, Order: 'stop-first' },
    EndpointSpec: { Mode: 'vip' },
  };
}

export function serviceCase(g: Gen, n: number): SpecCase {
  const body = baseSpec(g, `p${n}`);
  const words: string[] = [];
  const notes: string[] = [];
  const mutations = g.pick([0, 1, 1, 1, 2, 2, 3]);
  for (let i = 0; i < mutations; i++) {
    const f = g.pick(FIELDS);
    const value = f.value(g);
    setPath(body, f.path, value);
    words.push(...f.words, ...f.path.filter((p): p is string => typeof p === 'string').map((p) => p.toLowerCase()));
    notes.push(`${f.path.join('.')} = ${JSON.stringify(value)?.slice(0, 200)}`);
  }
  return { body, words, notes };
}
