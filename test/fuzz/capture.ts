// Capture real request bodies: a recording proxy in front of a manager's
// Engine API, and the docker CLI commands whose bodies seed the fuzzer
// (a service create with many flags in every mode, a node update, a swarm
// update). `npm run fuzz -- --capture` rewrites test/fuzz/corpus/ from them.

import type { dockerCli } from '../integration/harness';
import { startRecordingProxy, type RecordedRequest } from '../recording-proxy';

/**
 * docker service create with as many flags as the CLI has for swarm services
 * (networks, secrets and configs need objects this manager does not serve yet).
 */
export const SERVICE_CREATE_ARGS: Record<string, string[]> = {
  replicated: [
    'service',
    'create',
    '--detach',
    '--name',
    'corpus-web',
    '--replicas',
    '2',
    '--label',
    'tier=web',
    '--label',
    'team=ops',
    '--container-label',
    'c=1',
    '--env',
    'A=1',
    '--env',
    'B=two words',
    '--hostname',
    '{{.Service.Name}}-{{.Task.Slot}}',
    '--workdir',
    '/srv',
    '--user',
    'www-data',
    '--group',
    'adm',
    '--tty',
    '--init',
    '--read-only',
    '--stop-grace-period',
    '15s',
    '--stop-signal',
    'SIGQUIT',
    '--constraint',
    'node.role==worker',
    '--constraint',
    'engine.labels.swarmdeck.executor!=none',
    '--placement-pref',
    'spread=node.labels.zone',
    '--replicas-max-per-node',
    '3',
    '--reserve-cpu',
    '0.25',
    '--reserve-memory',
    '64MiB',
    '--limit-cpu',
    '0.5',
    '--limit-memory',
    '128MiB',
    '--limit-pids',
    '100',
    '--restart-condition',
    'on-failure',
    '--restart-delay',
    '3s',
    '--restart-max-attempts',
    '4',
    '--restart-window',
    '1m',
    '--update-parallelism',
    '2',
    '--update-delay',
    '2s',
    '--update-failure-action',
    'rollback',
    '--update-monitor',
    '3s',
    '--update-max-failure-ratio',
    '0.2',
    '--update-order',
    'start-first',
    '--rollback-parallelism',
    '1',
    '--rollback-delay',
    '1s',
    '--rollback-failure-action',
    'continue',
    '--rollback-monitor',
    '4s',
    '--rollback-max-failure-ratio',
    '0.5',
    '--rollback-order',
    'stop-first',
    '--publish',
    '8080:80',
    '--publish',
    'mode=host,target=9000,published=9090,protocol=udp',
    '--endpoint-mode',
    'vip',
    '--health-cmd',
    'wget -q -O- http://localhost/ || exit 1',
    '--health-interval',
    '5s',
    '--health-timeout',
    '2s',
    '--health-retries',
    '3',
    '--health-start-period',
    '10s',
    '--health-start-interval',
    '1s',
    '--dns',
    '10.0.0.2',
    '--dns-option',
    'ndots:2',
    '--dns-search',
    'example.org',
    '--host',
    'db.local:10.0.0.5',
    '--cap-add',
    'NET_ADMIN',
    '--cap-drop',
    'MKNOD',
    '--sysctl',
    'net.core.somaxconn=1024',
    '--ulimit',
    'nofile=1024:2048',
    '--log-driver',
    'json-file',
    '--log-opt',
    'max-size=10m',
    '--mount',
    'type=volume,source=data,target=/data,volume-label=v=1',
    '--mount',
    'type=bind,source=/tmp,target=/host-tmp,readonly',
    '--mount',
    'type=tmpfs,target=/scratch,tmpfs-size=1048576',
    '--entrypoint',
    '/bin/sh',
    'nginx:alpine',
    '-c',
    'exec nginx -g "daemon off;"',
  ],
  global: [
    'service',
    'create',
    '--detach',
    '--name',
    'corpus-global',
    '--mode',
    'global',
    '--env',
    'X=1',
    'busybox',
    'sleep',
    '3600',
  ],
  replicatedJob: [
    'service',
    'create',
    '--detach',
    '--name',
    'corpus-job',
    '--mode',
    'replicated-job',
    '--replicas',
    '4',
    '--max-concurrent',
    '2',
    '--restart-condition',
    'none',
    'alpine',
    '/bin/true',
  ],
  globalJob: ['service', 'create', '--detach', '--name', 'corpus-global-job', '--mode', 'global-job', 'alpine', 'true'],
};

export const NODE_UPDATE_ARGS = (node: string): string[] => [
  'node',
  'update',
  '--label-add',
  'zone=a',
  '--label-add',
  'disk=ssd',
  '--availability',
  'active',
  '--role',
  'worker',
  node,
];

export const SWARM_UPDATE_ARGS = [
  'swarm',
  'update',
  '--task-history-limit',
  '6',
  '--dispatcher-heartbeat',
  '5s',
  '--cert-expiry',
  '2160h0m0s',
  '--snapshot-interval',
  '10000',
  '--max-snapshots',
  '1',
  '--autolock=false',
  '--external-ca',
  'protocol=cfssl,url=https://ca.example.com',
];

/** Refused by a manager that already is one, but their bodies are fuzzed all the same. */
export const SWARM_INIT_ARGS = [
  'swarm',
  'init',
  '--advertise-addr',
  '127.0.0.1:2377',
  '--listen-addr',
  '0.0.0.0:2377',
  '--task-history-limit',
  '3',
  '--default-addr-pool',
  '10.20.0.0/16',
  '--default-addr-pool-mask-length',
  '24',
  '--data-path-port',
  '4789',
];
export const SWARM_JOIN_ARGS = [
  'swarm',
  'join',
  '--token',
  'SWMTKN-1-3pu6hszjas19xyp7ghgosyx9k8atbfcr8p2is99znpy26u2lkl-1awxwuwd3z9j1z3puu7rcgdbx',
  '--advertise-addr',
  '127.0.0.1',
  '--availability',
  'drain',
  '127.0.0.1:2377',
];

export interface Corpus {
  serviceSpecs: Record<string, unknown>;
  nodeSpec: unknown;
  swarmSpec: unknown;
  swarmInit: unknown;
  swarmJoin: unknown;
}

/** Run the corpus commands through a recording proxy and return the bodies the CLI sent. */
export async function captureCorpus(
  enginePort: number,
  docker: (port: number) => ReturnType<typeof dockerCli>,
  node: string,
): Promise<Corpus> {
  const proxy = await startRecordingProxy(enginePort);
  const cli = docker(proxy.port);
  const run = async (args: string[]): Promise<RecordedRequest> => {
    const before = proxy.requests.length;
    // the body is what counts, not whether this manager accepts it (job modes are refused today)
    const r = await cli(args);
    const sent = proxy.requests.slice(before).filter((q) => q.method === 'POST' && q.body !== undefined);
    if (sent.length !== 1) throw new Error(`docker ${args.join(' ')} sent ${sent.length} bodies: ${r.stderr}`);
    return sent[0]!;
  };
  try {
    const serviceSpecs: Record<string, unknown> = {};
    for (const [mode, args] of Object.entries(SERVICE_CREATE_ARGS)) serviceSpecs[mode] = (await run(args)).body;
    const nodeSpec = (await run(NODE_UPDATE_ARGS(node))).body;
    const swarmSpec = (await run(SWARM_UPDATE_ARGS)).body;
    const swarmInit = (await run(SWARM_INIT_ARGS)).body;
    const swarmJoin = (await run(SWARM_JOIN_ARGS)).body;
    return { serviceSpecs, nodeSpec, swarmSpec, swarmInit, swarmJoin };
  } finally {
    await proxy.close();
  }
}
