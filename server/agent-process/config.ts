// `swarmdeck agent` flags, each also an environment variable SWARMDECK_AGENT_<NAME>.
import { parseGenericResources } from '../api/generic-resources';
import { DEFAULT_DATA_PATH_PORT } from '../api/network-view';
import type { GenericResource } from '../api/types';
import { DEFAULT_DRAIN_DELAY_MS } from '../agent/mesh/drain';
import { parseDurationMs } from '../agent/executor/sim-config';
import { readTokenFile } from '../token-file';

import { redactSecrets } from '../util/redact';

export interface AgentConfig {
  /** A manager's cluster address (host:port) to join through; any manager will do. */
  join: string;
  /** The worker join token (needed only until the agent holds its certificate). */
  token: string;
  /** A file holding the token (so it need not show in `ps`); read into `token`. */
  tokenFile: string;
  hostname: string;
  /** Engine labels (`--label k=v`, repeatable): constraints match them as `engine.labels.k`. */
  labels: Record<string, string>;
  /** `--generic-resource kind=value` (repeatable; dockerd's node-generic-resources): `gpu=2`, or `gpu=UUID` per device. */
  genericResources: GenericResource[];
  dataDir: string;
  executor: 'process' | 'sim';
  /** The address managers and the routing mesh reach this node at. */
  advertiseAddr: string;
  /** A JSON image catalog searched before the built-in one (see server/agent/executor/PROCESS.md). */
  imageCatalog: string;
  /** The routing mesh's node-to-node tunnel port (TCP, mutual TLS) on the advertise address; 0: no mesh. */
  dataPathPort: number;
  /** How long a stopping task refuses new mesh connections before SIGTERM (ms). */
  drainDelayMs: number;
  /** `auto`: netns mode where rootless namespaces work, else host mode; `host`: always host mode. */
  networkMode: 'auto' | 'host';
  /** Where the embedded DNS sends names it does not know, `ip[:port]` comma-separated; empty: the host's resolv.conf. */
  dnsUpstreams: string;
}

/** A bad flag or variable; any join token in what it echoes is hidden. */
export class AgentConfigError extends Error {
  constructor(message: string) {
    super(redactSecrets(message));
  }
}

/** Variables that may hold a secret: removed once read, so no task inherits them. */
export const AGENT_SECRET_ENV = ['SWARMDECK_AGENT_TOKEN'];

const HELP: [string, string][] = [
  ['--join HOST:PORT', "a manager's cluster address (its --cluster-port, default 2377)"],
  ['--token TOKEN', 'the worker join token (`docker swarm join-token worker`); not needed once joined'],
  ['--token-file PATH', 'read the token from this file instead (or set SWARMDECK_AGENT_TOKEN): it stays out of `ps`'],
  ['--hostname NAME', 'the node name shown in `docker node ls` (default: this host name)'],
  ['--label KEY=VALUE', 'an engine label, repeatable (constraint `engine.labels.KEY`)'],
  [
    '--generic-resource K=V',
    'a generic resource the node has, repeatable: gpu=2 (a count) or gpu=UUID (one named device each)',
  ],
  ['--data-dir DIR', 'node identity, key and task state (default ./data-agent)'],
  ['--executor KIND', 'process (default: tasks are real processes) or sim (simulated tasks)'],
  ['--advertise-addr ADDR', 'the address other nodes reach this one at (default 127.0.0.1)'],
  ['--image-catalog FILE', 'extra image → command mappings (JSON)'],
  [
    '--data-path-port PORT',
    `the routing mesh's node-to-node port (TCP, mutual TLS; default ${DEFAULT_DATA_PATH_PORT}, 0 = no mesh)`,
  ],
  ['--drain-delay DURATION', 'how long a stopping task takes no new mesh connections before SIGTERM (default 1s)'],
  ['--network-mode MODE', 'auto (default: own network namespace per task where possible) or host'],
  ['--dns-upstream LIST', "the tasks' DNS forwards unknown names here, ip[:port],… (default: the host's resolv.conf)"],
];

export function agentUsage(): string {
  const lines = HELP.map(([f, h]) => `  ${f.padEnd(24)} ${h}`);
  return (
    'usage: swarmdeck agent --join HOST:PORT --token SWMTKN-1-… [flags]\n\n' +
    'Starts a worker node: it joins the swarm, keeps a session with the leader and runs its tasks.\n' +
    '`swarmdeck agent leave [--data-dir DIR]` makes the agent running on DIR leave its swarm (docker swarm leave).\n\n' +
    `${lines.join('\n')}\n`
  );
}

const ENV: Record<string, keyof AgentConfig> = {
  JOIN: 'join',
  TOKEN: 'token',
  TOKEN_FILE: 'tokenFile',
  HOSTNAME: 'hostname',
  DATA_DIR: 'dataDir',
  EXECUTOR: 'executor',
  ADVERTISE_ADDR: 'advertiseAddr',
  IMAGE_CATALOG: 'imageCatalog',
  DATA_PATH_PORT: 'dataPathPort',
  DRAIN_DELAY: 'drainDelayMs',
  NETWORK_MODE: 'networkMode',
  DNS_UPSTREAM: 'dnsUpstreams',
};

export function parseAgentConfig(
  argv: string[],
  env: Record<string, string | undefined> = process.env,
  defaultHostname = 'localhost',
  readFile: (path: string) => string = readTokenFile,
): AgentConfig {
  const cfg: AgentConfig = {
    join: '',
    token: '',
    tokenFile: '',
    hostname: defaultHostname,
    labels: {},
    genericResources: [],
    dataDir: './data-agent',
    executor: 'process',
    advertiseAddr: '127.0.0.1',
    imageCatalog: '',
    dataPathPort: DEFAULT_DATA_PATH_PORT,
    drainDelayMs: DEFAULT_DRAIN_DELAY_MS,
    networkMode: 'auto',
    dnsUpstreams: '',
  };
  const set = (key: keyof AgentConfig, value: string) => {
    let v: string | number = value;
    if (key === 'dataPathPort') {
      v = /^\d{1,5}$/.test(value) ? Number(value) : NaN;
      if (!(v >= 0 && v <= 65535)) throw new AgentConfigError(`--data-path-port: "${value}" is not a port (0-65535)`);
    } else if (key === 'drainDelayMs') {
      v = parseDurationMs(value) ?? NaN;
      if (!(v >= 0 && v <= 60_000))
        throw new AgentConfigError(`--drain-delay: "${value}" is not a duration up to 1m (e.g. 1s, 500ms)`);
    }
    (cfg as unknown as Record<string, unknown>)[key] = v;
  };
  for (const [name, key] of Object.entries(ENV)) {
    const v = env[`SWARMDECK_AGENT_${name}`];
    if (v) set(key, v);
  }
  const flags: Record<string, keyof AgentConfig> = {
    join: 'join',
    token: 'token',
    'token-file': 'tokenFile',
    hostname: 'hostname',
    'data-dir': 'dataDir',
    executor: 'executor',
    'advertise-addr': 'advertiseAddr',
    'image-catalog': 'imageCatalog',
    'data-path-port': 'dataPathPort',
    'drain-delay': 'drainDelayMs',
    'network-mode': 'networkMode',
    'dns-upstream': 'dnsUpstreams',
  };
  let tokenFlag = false;
  const generic: string[] = env.SWARMDECK_AGENT_GENERIC_RESOURCE?.split(',').filter(Boolean) ?? [];
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i]!;
    if (!arg.startsWith('--')) throw new AgentConfigError(`unexpected argument "${arg}"`);
    const [name, inline] = arg.slice(2).split(/=(.*)/s, 2) as [string, string | undefined];
    const value = inline ?? argv[++i];
    if (value === undefined || value === '') throw new AgentConfigError(`--${name} needs a value`);
    if (name === 'label') {
      const eq = value.indexOf('=');
      const key = eq < 0 ? value : value.slice(0, eq);
      if (!/^[A-Za-z0-9][A-Za-z0-9._/-]*$/.test(key))
        throw new AgentConfigError(`--label: "${value}" is not KEY=VALUE`);
      cfg.labels[key] = eq < 0 ? '' : value.slice(eq + 1);
      continue;
    }
    if (name === 'generic-resource') {
      generic.push(value);
      continue;
    }
    const key = flags[name];
    if (!key) throw new AgentConfigError(`unknown flag --${name} (see swarmdeck agent --help)`);
    if (key === 'token') tokenFlag = true;
    set(key, value);
  }
  try {
    cfg.genericResources = parseGenericResources(generic);
  } catch (err) {
    throw new AgentConfigError(`--generic-resource: ${(err as Error).message}`);
  }
  if (cfg.tokenFile) {
    if (tokenFlag) throw new AgentConfigError('--token and --token-file: give one of them');
    try {
      cfg.token = readFile(cfg.tokenFile);
    } catch (err) {
      throw new AgentConfigError(`--token-file: ${(err as Error).message}`);
    }
  }
  if (cfg.executor !== 'process' && cfg.executor !== 'sim')
    throw new AgentConfigError(`--executor: "${String(cfg.executor)}" is not an executor (process or sim)`);
  if (cfg.networkMode !== 'auto' && cfg.networkMode !== 'host')
    throw new AgentConfigError(`--network-mode: "${String(cfg.networkMode)}" is not a mode (auto or host)`);
  for (const up of cfg.dnsUpstreams ? cfg.dnsUpstreams.split(',') : [])
    if (!/^\d{1,3}(\.\d{1,3}){3}(:\d{1,5})?$|^\[?[0-9a-fA-F:]+\]?(:\d{1,5})?$/.test(up.trim()))
      throw new AgentConfigError(`--dns-upstream: "${up}" is not an address (ip or ip:port)`);
  if (cfg.join && !/^[^:\s]+:\d{1,5}$/.test(cfg.join))
    throw new AgentConfigError(`--join: "${cfg.join}" is not HOST:PORT`);
  if (!/^[A-Za-z0-9][A-Za-z0-9.-]{0,62}$/.test(cfg.hostname))
    throw new AgentConfigError(`--hostname: "${cfg.hostname}" is not a host name`);
  return cfg;
}
