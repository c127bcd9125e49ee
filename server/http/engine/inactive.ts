// The Engine API of a process that is not an active manager: not in a swarm
// yet (--no-init, or while --join is under way) — enough for `docker info`,
// `docker swarm join` and `docker swarm init` — a worker that joined with
// the worker token, or a manager whose raft keys wait for the unlock key
// (autolock). Every other swarm endpoint says why not, in the words dockerd
// uses for each case.

import { hostname, cpus, totalmem, arch } from 'node:os';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { SwarmError } from '../../api/errors';
import { parseInitRequest, parseJoinRequest, type InitRequest } from '../../api/schemas/swarm-requests';
import { forceQuery, parseQuery } from '../../api/schemas/engine-query';
import { fdLimitWarnings } from '../../net/fd-limit';
import { SWARM_LOCKED_MESSAGE } from '../../storage/encryption/errors';
import { readJSON } from './request';
import { HttpError } from '../http-error';
import { engineRequestHandler } from './front-door';
import { notServedMessage } from './not-served';
import { ENGINE_VERSION, sendEmpty, sendError, sendJSON } from './respond';
import { engineRoleRefusal } from './engine-roles';
import { stripVersion } from './server';
import { engineClientOf } from './tls-listener';

export const NOT_IN_SWARM =
  'This node is not a swarm manager. Use "docker swarm init" or "docker swarm join" to connect this node to swarm and try again.';
export const WORKER_NODE =
  "This node is not a swarm manager. Worker nodes can't be used to view or modify cluster state. Please run this command on a manager node or promote the current node to a manager.";
export const ALREADY_IN_SWARM =
  'This node is already part of a swarm. Use "docker swarm leave" to leave this swarm and join another one.';

/** `POST /swarm/join` as the docker CLI sends it. */
export interface JoinBody {
  RemoteAddrs?: string[];
  JoinToken?: string;
  AdvertiseAddr?: string;
  ListenAddr?: string;
}

export interface InactiveHooks {
  /** Resolves once this process is a manager of the joined swarm. */
  join(body: JoinBody): Promise<void>;
  /** Resolves with the new node ID once this process manages a new swarm made as the request asks. */
  init(req: InitRequest): Promise<string>;
}

const INACTIVE_SWARM = {
  NodeID: '',
  NodeAddr: '',
  LocalNodeState: 'inactive',
  ControlAvailable: false,
  Error: '',
  RemoteManagers: null,
};

/** What a worker's `docker info` says about its swarm. */
export interface WorkerSwarm {
  nodeID: string;
  nodeAddr: string;
  /** Manager cluster addresses, as last pushed to this node. */
  managers(): string[];
  /** `docker swarm leave` answered: the node stops and forgets its identity. */
  leave?: () => void;
}

/** dockerd's refusal of a plain `docker swarm leave` on a locked manager. */
export const LOCKED_LEAVE =
  'Swarm is encrypted and locked. Please unlock it first or use `--force` to ignore this message.';

/** A manager that restarted with autolock on: it waits for `docker swarm unlock`. */
export interface LockedManager {
  nodeID: string;
  nodeAddr: string;
  /**
   * `POST /swarm/unlock`: resolves once the manager serves again; throws what the API answers
   * (InvalidKeyStringError → 400, InvalidKekError → 401).
   */
  unlock(unlockKey: string): Promise<void>;
  /** `docker swarm leave --force` answered: the node stops and forgets its identity. */
  leave(): void;
}

export function createInactiveEngineHandler(hooks: InactiveHooks): (req: IncomingMessage, res: ServerResponse) => void {
  return localEngineHandler(() => INACTIVE_SWARM, { hooks });
}

/** A locked manager: `docker info` says `locked`, every swarm route answers dockerd's errSwarmLocked (503). */
export function createLockedEngineHandler(m: LockedManager): (req: IncomingMessage, res: ServerResponse) => void {
  return localEngineHandler(
    () => ({
      NodeID: m.nodeID,
      NodeAddr: m.nodeAddr,
      LocalNodeState: 'locked',
      ControlAvailable: false,
      Error: SWARM_LOCKED_MESSAGE,
      RemoteManagers: null,
    }),
    { locked: m, leave: m.leave },
  );
}

/** A worker (joined with the worker token): `docker info` shows the swarm; cluster state lives on managers. */
export function createWorkerEngineHandler(w: WorkerSwarm): (req: IncomingMessage, res: ServerResponse) => void {
  return localEngineHandler(
    () => ({
      NodeID: w.nodeID,
      NodeAddr: w.nodeAddr,
      LocalNodeState: 'active',
      ControlAvailable: false,
      Error: '',
      RemoteManagers: w.managers().map((Addr) => ({ NodeID: '', Addr })),
    }),
    { leave: w.leave },
  );
}

function localEngineHandler(
  swarm: () => object,
  opts: { hooks?: InactiveHooks; leave?: () => void; locked?: LockedManager },
): (req: IncomingMessage, res: ServerResponse) => void {
  const { hooks, leave, locked } = opts;
  let busy = false;
  let leaving = false;
  let unlocking = false;
  const active = !hooks && !locked;
  const handle = async (
    req: IncomingMessage,
    res: ServerResponse,
    path: string,
    query: URLSearchParams,
  ): Promise<void> => {
    const method = req.method ?? 'GET';
    if (path === '/_ping' && (method === 'GET' || method === 'HEAD')) {
      res.writeHead(200, {
        'Content-Type': 'text/plain; charset=utf-8',
        'Content-Length': method === 'HEAD' ? 0 : 2,
        Swarm: locked ? 'locked' : active ? 'active/worker' : 'inactive',
        'Cache-Control': 'no-cache, no-store, must-revalidate',
      });
      res.end(method === 'HEAD' ? undefined : 'OK');
      return;
    }
    if (path === '/info' && method === 'GET') {
      sendJSON(res, 200, {
        ID: '',
        Name: hostname(),
        OSType: 'linux',
        OperatingSystem: 'Swarmdeck',
        Architecture: arch() === 'x64' ? 'x86_64' : arch(),
        ServerVersion: ENGINE_VERSION,
        NCPU: cpus().length,
        MemTotal: totalmem(),
        RegistryConfig: null,
        Swarm: swarm(),
        Warnings: fdLimitWarnings(),
      });
      return;
    }
    if (path === '/version' && method === 'GET') {
      sendJSON(res, 200, { Version: ENGINE_VERSION, ApiVersion: '1.50', MinAPIVersion: '1.24', Os: 'linux' });
      return;
    }
    if ((path === '/swarm/join' || path === '/swarm/init') && method === 'POST') {
      if (!hooks) {
        req.resume();
        throw new SwarmError('Unavailable', ALREADY_IN_SWARM);
      }
      const raw = await readJSON(req);
      // decoded and checked as dockerd does before it acts
      const init = path === '/swarm/init' ? parseInitRequest(raw) : undefined;
      const body = init ? undefined : parseJoinRequest(raw);
      if (busy) throw new SwarmError('Unavailable', 'a swarm join or init is already in progress');
      busy = true;
      try {
        if (init) {
          sendJSON(res, 200, await hooks.init(init));
          return;
        }
        await hooks.join(body!);
        sendEmpty(res);
      } finally {
        busy = false;
      }
      return;
    }
    if (locked && path === '/swarm/unlock' && method === 'POST') {
      const body = await readJSON(req);
      const key = (body as { UnlockKey?: unknown } | null)?.UnlockKey;
      if (unlocking) throw new SwarmError('Unavailable', 'an unlock is already in progress');
      unlocking = true;
      try {
        await locked.unlock(typeof key === 'string' ? key : '');
      } finally {
        unlocking = false;
      }
      sendEmpty(res);
      return;
    }
    req.resume();
    if (path === '/swarm/leave' && method === 'POST') {
      // a worker leaves without --force (dockerd asks for it on managers only); a locked manager with it
      if (locked && !parseQuery(forceQuery, query).force) throw new SwarmError('Unavailable', LOCKED_LEAVE);
      if ((!active && !locked) || !leave) throw new SwarmError('Unavailable', 'This node is not part of a swarm');
      if (leaving) throw new SwarmError('Unavailable', 'This node is already leaving the swarm');
      leaving = true;
      sendEmpty(res);
      // the process stops only once the CLI has its answer
      res.once('finish', leave);
      return;
    }
    if (/^\/(swarm|nodes|services|tasks|secrets|configs)(\/|$)/.test(path))
      throw new SwarmError('Unavailable', locked ? SWARM_LOCKED_MESSAGE : active ? WORKER_NODE : NOT_IN_SWARM);
    sendError(res, 404, notServedMessage(path));
  };
  return engineRequestHandler((req, res, target) => {
    const stripped = stripVersion(target.path);
    if ('error' in stripped) throw new SwarmError('InvalidArgument', stripped.error);
    // swarm init/join/leave here are writes too: a --tlsverify client acts in its certificate's role
    const client = engineClientOf(req);
    const refusal = client && engineRoleRefusal(client.role, req.method ?? 'GET', stripped.path);
    if (refusal) throw new HttpError(403, refusal);
    return handle(req, res, stripped.path, target.query);
  });
}
