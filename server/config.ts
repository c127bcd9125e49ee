// Command-line flags, each also an environment variable SWARMDECK_<NAME>.
// Flags win over the environment; both win over the defaults.
import { parseGenericResources } from './api/generic-resources';
import { DEFAULT_DATA_PATH_PORT } from './api/network-view';
import type { GenericResource } from './api/types';
import { DEFAULT_DRAIN_DELAY_MS } from './agent/mesh/drain';
import { readTokenFile } from './token-file';

import { redactSecrets } from './util/redact';

export interface Config {
  consolePort: number;
  enginePort: number;
  clusterPort: number;
  listenHost: string;
  advertiseAddr: string;
  dataDir: string;
  simWorkers: number;
  /** On a brand-new swarm, create a few demo services so the console has something alive to show. */
  demo: boolean;
  /** How this manager's own node runs tasks: real OS processes (the default), or simulated. */
  executor: 'sim' | 'process';
  /** Run Next.js in development mode (hot reload). */
  dev: boolean;
  /** Serve no web console: Engine API and cluster port only (headless managers, CLI tests). */
  console: boolean;
  /** Join the swarm of the manager at this cluster address (host:port) instead of creating one. */
  join: string;
  /** The manager join token for --join. */
  token: string;
  /** A file holding the token (so it need not show in `ps`); read into `token`. */
  tokenFile: string;
  /** A brand-new data dir waits for `docker swarm join` / `swarm init` instead of creating a swarm (--no-init). */
  init: boolean;
  /** `swarm init --dispatcher-heartbeat`: the agents' heartbeat period in ms for a new swarm (0 = Swarm's 5 s). */
  dispatcherHeartbeatMs: number;
  /** This node's routing mesh tunnel port (TCP, mutual TLS) on its advertise address; 0: no mesh. */
  dataPathPort: number;
  /** How long a stopping task refuses new mesh connections before SIGTERM (ms). */
  drainDelayMs: number;
  /** This node's generic resources, `kind=value` comma-separated (dockerd's node-generic-resources); checked at parse. */
  genericResources: string;
  /** Serve the Engine API over TLS with --tlscert/--tlskey (dockerd's --tls). */
  tls: boolean;
  /** TLS and every client must present a certificate signed by --tlscacert (dockerd's --tlsverify; implies --tls). */
  tlsVerify: boolean;
  /** PEM files for the Engine API's TLS: the CA client certificates must chain to, this server's certificate and key. */
  tlsCACert: string;
  tlsCert: string;
  tlsKey: string;
  /** Let the Engine API bind a non-loopback address without TLS (anyone who reaches it controls the swarm). */
  engineInsecureBind: boolean;
}

interface FlagDef {
  key: keyof Config;
  kind: 'port' | 'port-or-0' | 'string' | 'count' | 'bool' | 'duration' | 'short-duration';
  help: string;
}

export const FLAGS: Record<string, FlagDef> = {
  'console-port': { key: 'consolePort', kind: 'port', help: 'web console and socket.io (default 3000)' },
  'engine-port': { key: 'enginePort', kind: 'port', help: 'Docker-compatible Engine API (default 2375)' },
  'cluster-port': { key: 'clusterPort', kind: 'port', help: 'agents and managers (default 2377)' },
  'listen-host': { key: 'listenHost', kind: 'string', help: 'address every listener binds (default 127.0.0.1)' },
  'advertise-addr': { key: 'advertiseAddr', kind: 'string', help: 'address other nodes reach this manager at' },
  'data-dir': { key: 'dataDir', kind: 'string', help: 'state directory: SQLite log and snapshots (default ./data)' },
  'sim-workers': { key: 'simWorkers', kind: 'count', help: 'in-process simulated worker nodes (default 0)' },
  demo: {
    key: 'demo',
    kind: 'bool',
    help: 'on first start, create a few demo services (on the simulated workers only)',
  },
  executor: {
    key: 'executor',
    kind: 'string',
    help: "this node's executor: process (default: tasks are real processes) or sim (simulated tasks)",
  },
  dev: { key: 'dev', kind: 'bool', help: 'run the console with Next.js in development mode' },
  'no-console': { key: 'console', kind: 'bool', help: 'do not serve the web console' },
  join: { key: 'join', kind: 'string', help: 'join the swarm of the manager at HOST:PORT (its cluster port)' },
  token: { key: 'token', kind: 'string', help: 'the manager join token, for --join' },
  'token-file': {
    key: 'tokenFile',
    kind: 'string',
    help: 'read the join token from this file (keeps it out of `ps`; so does SWARMDECK_TOKEN)',
  },
  'dispatcher-heartbeat': {
    key: 'dispatcherHeartbeatMs',
    kind: 'duration',
    help: 'heartbeat period of a new swarm, e.g. 1s (default 5s; later: docker swarm update --dispatcher-heartbeat)',
  },
  'data-path-port': {
    key: 'dataPathPort',
    kind: 'port-or-0',
    help: `this node's routing mesh tunnel port (TCP, mutual TLS; default ${DEFAULT_DATA_PATH_PORT}, 0 = no mesh)`,
  },
  'drain-delay': {
    key: 'drainDelayMs',
    kind: 'short-duration',
    help: 'how long a stopping task takes no new mesh connections before SIGTERM (default 1s)',
  },
  'generic-resource': {
    key: 'genericResources',
    kind: 'string',
    help: "this node's generic resources, e.g. gpu=2 or gpu=UUID1,gpu=UUID2 (services reserve them with --generic-resource)",
  },
  tls: {
    key: 'tls',
    kind: 'bool',
    help: 'serve the Engine API over TLS (--tlscert, --tlskey); implied by --tlsverify',
  },
  tlsverify: {
    key: 'tlsVerify',
    kind: 'bool',
    help: 'Engine API over TLS, and only clients with a certificate signed by --tlscacert (dockerd uses port 2376)',
  },
  tlscacert: { key: 'tlsCACert', kind: 'string', help: 'CA that Engine API client certificates must chain to (PEM)' },
  tlscert: { key: 'tlsCert', kind: 'string', help: "the Engine API's TLS certificate (PEM)" },
  tlskey: { key: 'tlsKey', kind: 'string', help: "the Engine API's TLS key (PEM)" },
  'engine-insecure-bind': {
    key: 'engineInsecureBind',
    kind: 'bool',
    help: 'let the Engine API listen beyond loopback without --tlsverify (anyone who reaches it controls the swarm)',
  },
  'no-init': {
    key: 'init',
    kind: 'bool',
    help: 'a new data dir waits for `docker swarm join` (or `swarm init`) on the Engine API',
  },
};

export const DEFAULTS: Config = {
  consolePort: 3000,
  enginePort: 2375,
  clusterPort: 2377,
  listenHost: '127.0.0.1',
  advertiseAddr: '',
  dataDir: './data',
  simWorkers: 0,
  demo: false,
  executor: 'process',
  dev: false,
  console: true,
  join: '',
  token: '',
  tokenFile: '',
  init: true,
  dispatcherHeartbeatMs: 0,
  dataPathPort: DEFAULT_DATA_PATH_PORT,
  drainDelayMs: DEFAULT_DRAIN_DELAY_MS,
  genericResources: '',
  tls: false,
  tlsVerify: false,
  tlsCACert: '',
  tlsCert: '',
  tlsKey: '',
  engineInsecureBind: false,
};

/** A bad flag or variable. Its message echoes what was given, minus any join token (it goes to the logs). */
export class ConfigError extends Error {
  constructor(message: string) {
    super(redactSecrets(message));
  }
}

/**
 * Variables that may hold a secret. The entry point removes them once read, so
 * no child process (a task's `--env NAME`, a health check) inherits them.
 */
export const SECRET_ENV = ['SWARMDECK_TOKEN'];

function envName(flag: string): string {
  return 'SWARMDECK_' + flag.replace(/^no-/, '').replace(/-/g, '_').toUpperCase();
}

function parseValue(flag: string, def: FlagDef, raw: string): Config[keyof Config] {
  switch (def.kind) {
    case 'port': {
      const n = Number(raw);
      if (!/^\d+$/.test(raw) || n < 1 || n > 65535)
        throw new ConfigError(`--${flag}: "${raw}" is not a port (1-65535)`);
      return n;
    }
    case 'port-or-0': {
      const n = Number(raw);
      if (!/^\d+$/.test(raw) || n > 65535) throw new ConfigError(`--${flag}: "${raw}" is not a port (0-65535)`);
      return n;
    }
    case 'short-duration': {
      const m = /^(\d+(?:\.\d+)?)(ms|s)$/.exec(raw);
      const ms = m ? Number(m[1]) * (m[2] === 's' ? 1_000 : 1) : NaN;
      if (!(ms >= 0 && ms <= 60_000))
        throw new ConfigError(`--${flag}: "${raw}" is not a duration up to 1m (e.g. 1s, 500ms)`);
      return Math.round(ms);
    }
    case 'count': {
      const n = Number(raw);
      if (!/^\d+$/.test(raw) || n > 5000) throw new ConfigError(`--${flag}: "${raw}" is not a count (0-5000)`);
      return n;
    }
    case 'duration': {
      const m = /^(\d+(?:\.\d+)?)(ms|s|m)$/.exec(raw);
      const ms = m ? Number(m[1]) * { ms: 1, s: 1_000, m: 60_000 }[m[2] as 'ms' | 's' | 'm'] : NaN;
      if (!(ms >= 100 && ms <= 3_600_000))
        throw new ConfigError(`--${flag}: "${raw}" is not a duration from 100ms to 1h (e.g. 1s)`);
      return Math.round(ms);
    }
    case 'bool': {
      const v = !['0', 'false', 'no', ''].includes(raw.toLowerCase());
      return flag.startsWith('no-') ? !v : v;
    }
    default:
      if (!raw) throw new ConfigError(`--${flag} needs a value`);
      return raw;
  }
}

export function parseConfig(
  argv: string[],
  env: Record<string, string | undefined> = process.env,
  readFile: (path: string) => string = readTokenFile,
): Config {
  const cfg: Config = { ...DEFAULTS };
  let tokenFlag = false;
  const set = (flag: string, raw: string) => {
    const def = FLAGS[flag]!;
    (cfg as unknown as Record<string, unknown>)[def.key] = parseValue(flag, def, raw);
  };
  for (const flag of Object.keys(FLAGS)) {
    const v = env[envName(flag)];
    if (v !== undefined && v !== '') {
      // SWARMDECK_CONSOLE=false means --no-console
      if (flag === 'no-console') cfg.console = !['0', 'false', 'no'].includes(v.toLowerCase());
      else if (flag === 'no-init') cfg.init = !['0', 'false', 'no'].includes(v.toLowerCase());
      else set(flag, v);
    }
  }
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i]!;
    if (!arg.startsWith('--')) throw new ConfigError(`unexpected argument "${arg}"`);
    const [name, inline] = arg.slice(2).split(/=(.*)/s, 2) as [string, string | undefined];
    const def = FLAGS[name];
    if (!def) throw new ConfigError(`unknown flag --${name} (see --help)`);
    if (name === 'token') tokenFlag = true;
    if (def.kind === 'bool') set(name, inline ?? 'true');
    else {
      const value = inline ?? argv[++i];
      if (value === undefined) throw new ConfigError(`--${name} needs a value`);
      set(name, value);
    }
  }
  if (cfg.executor !== 'sim' && cfg.executor !== 'process')
    throw new ConfigError(`--executor: "${String(cfg.executor)}" is not an executor (sim or process)`);
  if (!cfg.advertiseAddr) cfg.advertiseAddr = cfg.listenHost === '0.0.0.0' ? '127.0.0.1' : cfg.listenHost;
  if (cfg.tokenFile) {
    if (tokenFlag) throw new ConfigError('--token and --token-file: give one of them');
    try {
      cfg.token = readFile(cfg.tokenFile);
    } catch (err) {
      throw new ConfigError(`--token-file: ${(err as Error).message}`);
    }
  }
  try {
    nodeGenericResources(cfg);
  } catch (err) {
    throw new ConfigError(`--generic-resource: ${(err as Error).message}`);
  }
  if (cfg.join && !cfg.token) throw new ConfigError('--join needs --token or --token-file (the manager join token)');
  if (cfg.join && !/^[^:\s]+:\d{1,5}$/.test(cfg.join)) throw new ConfigError(`--join: "${cfg.join}" is not HOST:PORT`);
  checkEngineTLS(cfg);
  const ports = [cfg.consolePort, cfg.enginePort, cfg.clusterPort];
  if (new Set(ports).size !== ports.length) throw new ConfigError('console, engine and cluster ports must differ');
  return cfg;
}

/** dockerd's rules for its TLS flags, and the one Swarmdeck adds: beyond loopback only with --tlsverify. */
function checkEngineTLS(cfg: Config): void {
  if (cfg.tlsVerify) cfg.tls = true;
  if (cfg.tls && (!cfg.tlsCert || !cfg.tlsKey))
    throw new ConfigError('--tls and --tlsverify need --tlscert and --tlskey');
  if (cfg.tlsVerify && !cfg.tlsCACert)
    throw new ConfigError('--tlsverify needs --tlscacert (the CA client certificates must chain to)');
  if (!cfg.tls && (cfg.tlsCACert || cfg.tlsCert || cfg.tlsKey))
    throw new ConfigError('--tlscacert, --tlscert and --tlskey take effect only with --tls or --tlsverify');
  if (!cfg.tlsVerify && !cfg.engineInsecureBind && !isLoopbackHost(cfg.listenHost))
    throw new ConfigError(
      `the Engine API would listen on ${cfg.listenHost} without --tlsverify: anyone who reaches it would control the swarm. ` +
        'Give --tlsverify --tlscacert --tlscert --tlskey (see `swarmdeck cert issue`), or listen on 127.0.0.1, ' +
        'or accept the risk with --engine-insecure-bind',
    );
}

/** Whether a listen address is on this host only: 127.0.0.0/8, ::1 or localhost. */
export function isLoopbackHost(host: string): boolean {
  const h = host.replace(/^\[(.*)\]$/, '$1').toLowerCase();
  return h === 'localhost' || h === '::1' || /^127\.\d{1,3}\.\d{1,3}\.\d{1,3}$/.test(h) || /^::ffff:127\./.test(h);
}

/** The warning every start prints when the Engine API listens beyond loopback without client certificates. */
export function insecureEngineWarning(
  cfg: Pick<Config, 'listenHost' | 'enginePort' | 'tlsVerify'>,
): string | undefined {
  if (cfg.tlsVerify || isLoopbackHost(cfg.listenHost)) return undefined;
  return (
    `WARNING: the Engine API listens on ${cfg.listenHost}:${cfg.enginePort} without --tlsverify (--engine-insecure-bind): ` +
    'anyone who can reach that port has full control of this swarm, its secrets included'
  );
}

/** The node's generic resources as its description carries them (none: undefined). */
export function nodeGenericResources(cfg: Pick<Config, 'genericResources'>): GenericResource[] | undefined {
  const terms = cfg.genericResources
    .split(',')
    .map((t) => t.trim())
    .filter(Boolean);
  return terms.length ? parseGenericResources(terms) : undefined;
}

export function usage(): string {
  const lines = Object.entries(FLAGS).map(([flag, d]) => `  --${flag.padEnd(16)} ${d.help}  [${envName(flag)}]`);
  return (
    'usage: swarmdeck [flags]\n       swarmdeck agent --join HOST:PORT --token TOKEN [flags]   (a worker node; see `swarmdeck agent --help`)\n' +
    '       swarmdeck cert issue|engine …   (Engine API TLS certificates from the swarm CA; see `swarmdeck cert --help`)\n\n' +
    `Starts a Swarmdeck manager: the web console, the Engine API and the cluster port.\n\n${lines.join('\n')}\n`
  );
}
