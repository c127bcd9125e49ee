// Every door the fuzzer knocks on: each Engine API route (server/http/engine
// routes, plus ones the docker CLI knows that are not served yet), each
// console API route (server/http/console/api.ts) and console page, and the
// socket.io gateway's transports. Paths are templates: {service}, {node},
// {task}, {version}, {key} and {image} are filled per request (mostly with
// the fuzzer's own objects, sometimes with odd references).

import type { BodyName } from './corpus';

export type Port = 'engine' | 'console';

export interface QueryParam {
  name: string;
  /** Values the server should accept. */
  valid: readonly string[];
}

export interface RouteSpec {
  id: string;
  port: Port;
  method: string;
  path: string;
  /** The valid body this route takes. */
  body?: BodyName;
  query?: readonly QueryParam[];
  /** False for routes the server does not serve (yet): they must answer 404, not fail. */
  served: boolean;
  /** A streaming answer (logs): the client stops reading after the head. */
  streaming?: boolean;
  /** A socket.io transport request (see socketio.ts). */
  socket?: 'open' | 'post' | 'poll' | 'upgrade';
}

const BOOL = ['true', 'false', '1', '0', ''];
const FILTER_SERVICES = [
  '{"name":{"fz-1":true}}',
  '{"mode":{"replicated":true}}',
  '{"label":{"tier=web":true}}',
  '{"id":["a"]}',
  '{"runtime":{"container":true}}',
];
const FILTER_NODES = ['{"role":{"worker":true}}', '{"name":{"sim-worker-1":true}}', '{"membership":{"accepted":true}}'];
const FILTER_TASKS = [
  '{"service":{"fz-1":true}}',
  '{"desired-state":{"running":true}}',
  '{"node":{"sim-worker-2":true}}',
  '{"name":{"fz-2.1":true}}',
];
const FILTER_NETWORKS = [
  '{"driver":{"overlay":true}}',
  '{"name":{"fz":true}}',
  '{"type":{"custom":true}}',
  '{"dangling":{"true":true}}',
  '{"scope":{"swarm":true}}',
  '{"label":{"fz":true}}',
];
const FILTER_SECRETS = ['{"name":{"fz":true}}', '{"names":{"fz-1":true}}', '{"id":["a"]}', '{"label":{"fz=1":true}}'];
const FILTER_CONFIGS = ['{"name":{"fz":true}}', '{"id":["a"]}', '{"label":{"fz":true}}'];
const LOG_QUERY: QueryParam[] = [
  { name: 'stdout', valid: ['1', 'true'] },
  { name: 'stderr', valid: ['1', 'true'] },
  { name: 'follow', valid: ['0', 'false'] },
  { name: 'tail', valid: ['all', '10', '0'] },
  { name: 'since', valid: ['0', '1700000000', '1700000000.5'] },
  { name: 'timestamps', valid: BOOL },
  { name: 'details', valid: BOOL },
];

const engine = (
  method: string,
  path: string,
  more: Partial<Omit<RouteSpec, 'id' | 'port' | 'method' | 'path'>> = {},
): RouteSpec => ({ id: `engine ${method} ${path}`, port: 'engine', method, path, served: true, ...more });

export const ENGINE_CATALOGUE: readonly RouteSpec[] = [
  engine('GET', '/_ping'),
  engine('HEAD', '/_ping'),
  engine('GET', '/version'),
  engine('GET', '/swarmdeck/raft'),
  engine('GET', '/metrics'),
  engine('GET', '/swarmdeck/settings'),
  engine('POST', '/swarmdeck/settings', { body: 'swarmSettings' }),
  engine('GET', '/info'),
  engine('GET', '/swarm'),
  engine('POST', '/swarm/init', { body: 'swarmInit' }),
  engine('POST', '/swarm/join', { body: 'swarmJoin' }),
  // any force value but "", 0, no, false, none really takes the manager out of its swarm (and stops
  // it): only the refusal is fuzzed, so the query is left alone
  engine('POST', '/swarm/leave'),
  engine('GET', '/swarm/unlockkey'),
  engine('POST', '/swarm/unlock'),
  engine('POST', '/swarm/update', {
    body: 'swarmSpec',
    query: [
      { name: 'version', valid: ['{{version:swarm}}'] },
      { name: 'rotateWorkerToken', valid: BOOL },
      { name: 'rotateManagerToken', valid: BOOL },
      { name: 'rotateManagerUnlockKey', valid: ['false'] },
    ],
  }),
  engine('GET', '/nodes', { query: [{ name: 'filters', valid: FILTER_NODES }] }),
  engine('GET', '/nodes/{node}'),
  engine('POST', '/nodes/{node}/update', {
    body: 'nodeSpec',
    query: [{ name: 'version', valid: ['{{version:node}}'] }],
  }),
  engine('DELETE', '/nodes/{node}', { query: [{ name: 'force', valid: ['false', '0'] }] }),
  engine('POST', '/services/create', { body: 'serviceSpec' }),
  engine('GET', '/services', {
    query: [
      { name: 'filters', valid: FILTER_SERVICES },
      { name: 'status', valid: BOOL },
    ],
  }),
  engine('GET', '/services/{service}', { query: [{ name: 'insertDefaults', valid: BOOL }] }),
  engine('POST', '/services/{service}/update', {
    body: 'serviceSpec',
    query: [
      { name: 'version', valid: ['{{version:service}}'] },
      { name: 'registryAuthFrom', valid: ['spec', ''] },
      { name: 'rollback', valid: ['', 'none'] },
    ],
  }),
  engine('DELETE', '/services/{service}'),
  engine('GET', '/services/{service}/logs', { query: LOG_QUERY, streaming: true }),
  engine('GET', '/tasks', { query: [{ name: 'filters', valid: FILTER_TASKS }] }),
  engine('GET', '/tasks/{task}'),
  engine('GET', '/tasks/{task}/logs', { query: LOG_QUERY, streaming: true }),
  engine('GET', '/distribution/{image}/json'),
  // network references are filled with the fuzzer's service names: mostly not found, sometimes a clash
  engine('POST', '/networks/create', { body: 'networkCreate' }),
  engine('GET', '/networks', { query: [{ name: 'filters', valid: FILTER_NETWORKS }] }),
  engine('GET', '/networks/{service}', {
    query: [
      { name: 'verbose', valid: ['true', 'false', '1', '0', ''] },
      { name: 'scope', valid: ['swarm', 'local', ''] },
    ],
  }),
  engine('DELETE', '/networks/{service}'),
  engine('POST', '/networks/prune', {
    query: [{ name: 'filters', valid: ['{"label":{"fz":true}}', '{"until":{"1h":true}}'] }],
  }),
  engine('POST', '/networks/{service}/connect', { body: 'networkConnect' }),
  engine('POST', '/networks/{service}/disconnect', { body: 'networkDisconnect' }),
  // secrets and configs are named after the pool's services
  ...(['secret', 'config'] as const).flatMap((kind) => [
    engine('POST', `/${kind}s/create`, { body: `${kind}Spec` }),
    engine('GET', `/${kind}s`, {
      query: [{ name: 'filters', valid: kind === 'secret' ? FILTER_SECRETS : FILTER_CONFIGS }],
    }),
    engine('GET', `/${kind}s/{service}`),
    engine('POST', `/${kind}s/{service}/update`, {
      body: `${kind}Spec`,
      query: [{ name: 'version', valid: [`{{version:${kind}}}`] }],
    }),
    engine('DELETE', `/${kind}s/{service}`),
  ]),

  engine('GET', '/events', {
    streaming: true,
    query: [
      { name: 'since', valid: ['0', '1700000000.000000001', ''] },
      { name: 'until', valid: ['1', '1700000000', ''] },
      {
        name: 'filters',
        valid: ['{"type":{"service":true}}', '{"event":{"create":true}}', '{"label":{"fz":true}}', '{"type":["task"]}'],
      },
    ],
  }),
  // what the docker CLI also calls, served by dockerd but not (yet) here
  ...(
    [
      ['GET', '/containers/json'],
      ['POST', '/containers/create'],
      ['GET', '/images/json'],
      ['GET', '/volumes'],
      ['GET', '/plugins'],
      ['GET', '/system/df'],
      ['PUT', '/services/{service}'],
      ['POST', '/services/{service}/scale'],
      ['POST', '/nodes/{node}/promote'],
      ['POST', '/session'],
      ['POST', '/auth'],
      ['GET', '/distribution/{image}'],
    ] as const
  ).map(([method, path]) => engine(method, path, { served: false })),
];

const consoleApi = (
  method: string,
  path: string,
  more: Partial<Omit<RouteSpec, 'id' | 'port' | 'method' | 'path'>> = {},
): RouteSpec => ({ id: `console ${method} ${path}`, port: 'console', method, path, served: true, ...more });

export const CONSOLE_CATALOGUE: readonly RouteSpec[] = [
  consoleApi('GET', '/api/state'),
  consoleApi('GET', '/api/logs', {
    streaming: true,
    query: [
      { name: 'service', valid: ['{service}'] },
      { name: 'tail', valid: ['all', '10', '0'] },
      { name: 'follow', valid: ['0'] },
      { name: 'since', valid: ['0', '1700000000000'] },
    ],
  }),
  consoleApi('GET', '/api/logs', {
    streaming: true,
    query: [
      { name: 'task', valid: ['{task}'] },
      { name: 'follow', valid: ['0'] },
    ],
  }),
  consoleApi('GET', '/api/events', { query: [{ name: 'service', valid: ['{service}'] }] }),
  consoleApi('GET', '/api/events', { query: [{ name: 'node', valid: ['sim-worker-1'] }] }),
  consoleApi('POST', '/api/services', { body: 'createForm' }),
  consoleApi('DELETE', '/api/services/{service}'),
  consoleApi('POST', '/api/services/{service}/scale', { body: 'scale' }),
  consoleApi('POST', '/api/services/{service}/image', { body: 'image' }),
  consoleApi('GET', '/api/services/{service}/versions'),
  consoleApi('GET', '/api/services/{service}/versions/{version}'),
  consoleApi('POST', '/api/services/{service}/update', { body: 'updateForm' }),
  consoleApi('POST', '/api/services/{service}/restore', { body: 'restore' }),
  consoleApi('POST', '/api/services/{service}/resume'),
  consoleApi('POST', '/api/services/{service}/rollback'),
  consoleApi('POST', '/api/services/{service}/force-continue'),
  consoleApi('GET', '/api/configs/{service}/data'),
  consoleApi('POST', '/api/nodes/{node}/availability', { body: 'availability' }),
  consoleApi('DELETE', '/api/nodes/{node}', { query: [{ name: 'force', valid: ['0', 'false'] }] }),
  consoleApi('POST', '/api/nodes/{node}/labels', { body: 'label' }),
  consoleApi('DELETE', '/api/nodes/{node}/labels/{key}'),
  consoleApi('GET', '/api/audit', {
    query: [
      { name: 'q', valid: ['web', ''] },
      { name: 'actor', valid: ['control-loop', 'local'] },
      { name: 'result', valid: ['ok', 'failed'] },
      { name: 'since', valid: ['1700000000', '2026-01-01T00:00:00Z'] },
      { name: 'limit', valid: ['50', '5000'] },
    ],
  }),
  consoleApi('GET', '/api/audit/export', { query: [{ name: 'result', valid: ['failed'] }] }),
  consoleApi('GET', '/api/swarm/join-tokens'),
  consoleApi('POST', '/api/swarm/join-tokens/rotate', { body: 'rotate' }),
  consoleApi('POST', '/api/swarm/settings', { body: 'swarmSettings' }),
  // accounts and share links (not DELETE /api/session: it would log the fuzzer out)
  consoleApi('GET', '/api/session'),
  consoleApi('GET', '/api/setup'),
  consoleApi('POST', '/api/setup', { body: 'setup' }),
  consoleApi('GET', '/api/accounts'),
  consoleApi('POST', '/api/accounts', { body: 'createAccount' }),
  consoleApi('POST', '/api/accounts/{key}', { body: 'updateAccount' }),
  consoleApi('DELETE', '/api/accounts/{key}'),
  consoleApi('GET', '/api/share-links'),
  consoleApi('POST', '/api/share-links', { body: 'shareLink' }),
  consoleApi('DELETE', '/api/share-links/{key}'),
  // not served: a 404 (or 405) as JSON
  consoleApi('GET', '/api', { served: false }),
  consoleApi('GET', '/api/services', { served: false }),
  consoleApi('GET', '/api/nodes/{node}', { served: false }),
  consoleApi('PUT', '/api/services/{service}', { served: false }),
  consoleApi('GET', '/api/secrets', { served: false }),
  // the pages around it (Next.js): only their URLs are fuzzed
  consoleApi('GET', '/'),
  consoleApi('GET', '/services/{service}'),
  consoleApi('GET', '/nodes/{node}'),
  consoleApi('GET', '/_next/static/{key}', { served: false }),
];

const socketIo = (method: string, socket: RouteSpec['socket'], path = '/socket.io/'): RouteSpec => ({
  id: `socket.io ${socket}`,
  port: 'console',
  method,
  path,
  served: true,
  socket,
});

/** The gateway: engine.io's polling transport (open, client packets, reads) and the WebSocket upgrade. */
export const SOCKET_CATALOGUE: readonly RouteSpec[] = [
  socketIo('GET', 'open'),
  socketIo('POST', 'post'),
  socketIo('GET', 'poll'),
  socketIo('GET', 'upgrade'),
];

export const CATALOGUE: readonly RouteSpec[] = [...ENGINE_CATALOGUE, ...CONSOLE_CATALOGUE, ...SOCKET_CATALOGUE];
