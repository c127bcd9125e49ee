// Writes happen on the leader. On a follower every mutating control-API call
// goes to the leader over the cluster transport and its answer (or SwarmError)
// comes back as if it had run here; reads stay on the local replica.

import { SwarmError, errorFromWire, rpcError } from '../../api/errors';
import { NO_LEADER, NotLeaderError, LOST_LEADERSHIP } from '../../raft/raft-log';
import type { PeerIdentity } from '../../raft/transport';
import type { RaftId } from '../../raft/types';
import { CONTROL_WRITES, controlRequestSchema, type ControlWrite } from '../../api/schemas/control-request';
import { parseWire } from '../../api/schemas/wire';
import type { ControlApi } from '../controlapi/types';
import { currentAudit, runAs, type AuditContext } from '../../store/audit-context';
import { stampShapeError } from '../../store/audit-record';

/** Who a forwarded write is for the audit log: the follower's door's actor travels with it. */
function auditOfForward(): { audit?: AuditContext } {
  const ctx = currentAudit();
  if (!ctx) return {};
  return { audit: ctx.action ? { actor: ctx.actor, action: ctx.action } : { actor: ctx.actor } };
}

/** The forwarded actor when it is sound; else the write is recorded as the forwarding member's. */
function forwardedAudit(payload: unknown, from: PeerIdentity): AuditContext {
  const audit = (payload as { audit?: unknown }).audit;
  if (audit !== undefined && stampShapeError(audit) === undefined) {
    const a = audit as AuditContext;
    return a.action !== undefined ? { actor: a.actor, action: a.action } : { actor: a.actor };
  }
  return { actor: { kind: 'system', name: `forwarded by ${from.raftId || 'a member'}` } };
}

/** A forwarded write, checked method by method; a bad one is InvalidArgument naming the argument. */
function parseControlRequest(payload: unknown) {
  if (!isControlRequest(payload)) throw new SwarmError('InvalidArgument', 'not a control request');
  return parseWire(controlRequestSchema, payload, `forwarded ${payload.control}`);
}

/** The control API's mutating methods (the only ones a follower forwards) and their wire form. */
export { CONTROL_WRITES, type ControlWrite } from '../../api/schemas/control-request';

/** Wire code of a refusal that happened before anything was proposed: safe to retry at the leader. */
export const NOT_LEADER_CODE = 'NotLeader';

/** Whether a transport request is meant for the control API (its arguments are checked by the handler). */
export function isControlRequest(p: unknown): p is { control: ControlWrite } {
  if (!p || typeof p !== 'object') return false;
  const control = (p as { control?: unknown }).control;
  return typeof control === 'string' && (CONTROL_WRITES as readonly string[]).includes(control);
}

export interface LeaderLink {
  /** This member leads and has applied an entry of its term. */
  isLeader(): boolean;
  /** The known leader ('' if none). */
  leader(): RaftId;
  selfID: RaftId;
  /** Resolves with the leader once one is known (self only when ready), or '' after `ms`. */
  waitForLeader(ms: number): Promise<RaftId>;
  /** Milliseconds since this member last knew a leader (0 while it knows one). */
  leaderlessMs(): number;
  /** Ticks × tick length: how long an election may take before writes fail fast. */
  electionTimeoutMs(): number;
  request(to: RaftId, payload: unknown, timeoutMs: number): Promise<unknown>;
  /** A short pause before retrying (a refusal named a leader we may know only stale). */
  sleep(ms: number): Promise<void>;
}

const FORWARD_TIMEOUT_MS = 15_000;
const MAX_ATTEMPTS = 4;

/** A transport error as the transport reports it (RequestError). */
interface TransportFailure {
  kind?: string;
  code?: string;
  status?: number;
  message: string;
}

/** The leader's SwarmError, rebuilt on this side (status and message as the leader had them). */
export const rebuildError = errorFromWire;

const noLeader = () => new SwarmError('Unavailable', NO_LEADER);

/**
 * The control API every edge uses: reads from the local replica; writes run
 * here when this member leads, else at the leader. Without a leader for longer
 * than an election timeout, writes fail at once with swarm's no-leader message.
 */
export function forwardingControlApi(local: ControlApi, link: LeaderLink): ControlApi {
  const run = async <T>(method: ControlWrite, args: unknown[]): Promise<T> => {
    let lastRefusal: unknown;
    for (let attempt = 0; attempt < MAX_ATTEMPTS; attempt++) {
      const leader = await currentLeader(link);
      if (leader === link.selfID) {
        try {
          return await (local[method] as (...a: unknown[]) => Promise<T>)(...args);
        } catch (err) {
          // refused before proposing (the read barrier or the proposal found us deposed): ask the new leader
          if (!(err instanceof NotLeaderError)) throw err;
          lastRefusal = err;
          await link.sleep(link.electionTimeoutMs() / 10);
          continue;
        }
      }
      try {
        return (await link.request(leader, { control: method, args, ...auditOfForward() }, FORWARD_TIMEOUT_MS)) as T;
      } catch (err) {
        const f = err as TransportFailure;
        if (f.kind === 'remote') {
          if (f.code !== NOT_LEADER_CODE) throw rebuildError(f);
          lastRefusal = rebuildError({ code: 'Unavailable', message: f.message });
          await link.sleep(link.electionTimeoutMs() / 10);
          continue;
        }
        // too large for a frame: no leader would take it (and nothing was sent)
        if (f.kind === 'too-large')
          throw rpcError('InvalidArgument', `the write is too large to send to the leader: ${f.message}`);
        // never delivered: safe to try the (next) leader
        if (f.kind === 'unreachable' || f.kind === 'queue-full' || f.kind === 'unknown-peer') {
          lastRefusal = err;
          await link.waitForLeader(link.electionTimeoutMs() / 4);
          continue;
        }
        // sent but unanswered (timeout, connection lost): it may have been applied or not
        throw new SwarmError('Unavailable', LOST_LEADERSHIP);
      }
    }
    throw lastRefusal instanceof SwarmError ? lastRefusal : noLeader();
  };
  return {
    ...local,
    getCluster: () => local.getCluster(),
    listNodes: (f) => local.listNodes(f),
    getNode: (ref) => local.getNode(ref),
    listServices: (f) => local.listServices(f),
    getService: (ref, o) => local.getService(ref, o),
    listTasks: (f) => local.listTasks(f),
    getTask: (ref) => local.getTask(ref),
    listNetworks: (f) => local.listNetworks(f),
    getNetwork: (ref) => local.getNetwork(ref),
    listSecrets: (f) => local.listSecrets(f),
    getSecret: (ref) => local.getSecret(ref),
    listConfigs: (f) => local.listConfigs(f),
    getConfig: (ref) => local.getConfig(ref),
    updateCluster: (...a) => run('updateCluster', a),
    updateNode: (...a) => run('updateNode', a),
    removeNode: (...a) => run('removeNode', a),
    createService: (...a) => run('createService', a),
    updateService: (...a) => run('updateService', a),
    removeService: (...a) => run('removeService', a),
    createNetwork: (...a) => run('createNetwork', a),
    removeNetwork: (...a) => run('removeNetwork', a),
    createSecret: (...a) => run('createSecret', a),
    updateSecret: (...a) => run('updateSecret', a),
    removeSecret: (...a) => run('removeSecret', a),
    createConfig: (...a) => run('createConfig', a),
    updateConfig: (...a) => run('updateConfig', a),
    removeConfig: (...a) => run('removeConfig', a),
    authWrite: (...a) => run('authWrite', a),
  };
}

/** The leader to send a write to: waits out an election in progress, fails fast once it has lasted too long. */
async function currentLeader(link: LeaderLink): Promise<RaftId> {
  const known = link.leader();
  if (known && (known !== link.selfID || link.isLeader())) return known;
  const left = link.electionTimeoutMs() - link.leaderlessMs();
  if (left <= 0 && !known) throw noLeader();
  const leader = await link.waitForLeader(Math.max(left, known ? link.electionTimeoutMs() : 0));
  if (!leader) throw noLeader();
  return leader;
}

/**
 * The leader's side: `{control, args}` from another member runs against the
 * local control API. A member that is not (or no longer) leader refuses with
 * NOT_LEADER_CODE before proposing anything, so the caller can retry.
 */
export function controlRequestHandler(
  local: ControlApi,
  link: Pick<LeaderLink, 'isLeader' | 'leader'>,
): (payload: unknown, from: PeerIdentity) => Promise<unknown> {
  return async (payload, from) => {
    if (from.via !== 'member') throw new SwarmError('PermissionDenied', 'only raft members may forward writes');
    // checked like the Engine API's bodies before anything is proposed
    const request = parseControlRequest(payload);
    if (!link.isLeader()) throw notLeaderWire(link.leader());
    try {
      const write = local[request.control] as (...a: unknown[]) => Promise<unknown>;
      const result = await runAs(forwardedAudit(payload, from), () => write(...request.args));
      return result ?? null;
    } catch (err) {
      if (err instanceof NotLeaderError) throw notLeaderWire(err.leader);
      throw err;
    }
  };
}

function notLeaderWire(leader: RaftId): Error & { code: string; status: number } {
  return Object.assign(new Error(leader ? `not the leader (leader is ${leader})` : NO_LEADER), {
    code: NOT_LEADER_CODE,
    status: 503,
  });
}
