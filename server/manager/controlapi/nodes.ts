import { SequenceConflict, SwarmError, notFound, rpcError } from '../../api/errors';
import type { Node, NodeSpec, Task } from '../../api/types';
import { isTerminal } from '../../api/types';
import type { MemoryStore } from '../../store/memory-store';
import { blacklistWith } from '../ca/blacklist';
import { SIM_ENGINE_VERSION } from '../../api/node-labels';
import { canRemoveMember, isMember, managerStatus } from '../membership/status';
import { parseNodeSpec } from '../../api/schemas/node-spec';
import type { ControlDeps } from './context';
import { checkFilterKeys, labelFilter, matchesLabels, matchesPrefix, values } from './filters';
import { resolveRef } from './lookup';
import type { Filters } from './types';

const ROLES = ['manager', 'worker'];
// every node in the store has been accepted: joins are admitted with a valid token only
const MEMBERSHIPS = ['accepted', 'pending'];

function nameMatches(n: Node, name: string): boolean {
  const want = name.toLowerCase();
  return n.Description?.Hostname?.toLowerCase() === want || (!!n.Spec.Name && n.Spec.Name.toLowerCase() === want);
}

export function lookupNode(view: MemoryStore, ref: string): Node {
  return resolveRef('node', ref, {
    byID: (id) => view.get('node', id),
    byName: (name) => view.list('node').filter((n) => nameMatches(n, name)),
    all: () => view.list('node'),
  });
}

function portOf(addr: string): string {
  const at = addr.lastIndexOf(':');
  return at >= 0 ? addr.slice(at + 1) : '2377';
}

/** ManagerStatus is derived at read time from who leads; it is never stored. */
export function presentNode(d: ControlDeps, n: Node, view = d.raft?.view()): Node {
  const { ManagerStatus: _stored, CertificateNotAfter: _issued, MeshErrors: _mesh, ...node } = n;
  const out: Node = { ...node, Spec: { ...node.Spec, Labels: node.Spec.Labels ?? {} } };
  if (view) {
    // from the live raft membership: a node that is not a member has no ManagerStatus (swarm's ListNodes)
    const status = managerStatus(view, n.ID);
    if (status) out.ManagerStatus = status;
    return out;
  }
  if (n.Role !== 'manager') return out;
  const self = n.ID === d.selfNodeID;
  out.ManagerStatus = {
    ...(self && d.isLeader() ? { Leader: true } : {}),
    Reachability: 'reachable',
    Addr: self ? d.managerAddr : `${n.Status.Addr}:${portOf(d.managerAddr)}`,
  };
  return out;
}

export function getNode(d: ControlDeps, ref: string): Node {
  return presentNode(d, lookupNode(d.store.view, ref));
}

export function listNodes(d: ControlDeps, filters?: Filters): Node[] {
  checkFilterKeys(filters, ['id', 'name', 'label', 'node.label', 'role', 'membership']);
  const ids = values(filters, 'id');
  const names = values(filters, 'name');
  const engineLabels = labelFilter(values(filters, 'label'));
  const nodeLabels = labelFilter(values(filters, 'node.label'));
  const roles = values(filters, 'role').map((r) => r.toLowerCase());
  for (const r of roles)
    if (r !== '' && !ROLES.includes(r)) throw new SwarmError('InvalidArgument', `Invalid role filter: '${r}'`);
  const memberships = values(filters, 'membership').map((m) => m.toLowerCase());
  for (const m of memberships)
    if (m !== '' && !MEMBERSHIPS.includes(m))
      throw new SwarmError('InvalidArgument', `Invalid membership filter: '${m}'`);
  const out: Node[] = [];
  const view = d.raft?.view();
  for (const n of d.store.view.list('node')) {
    if (!matchesPrefix(n.ID, ids)) continue;
    if (names.length > 0 && !names.some((p) => n.Description?.Hostname?.startsWith(p) || n.Spec.Name?.startsWith(p)))
      continue;
    if (!matchesLabels(n.Description?.Engine?.Labels, engineLabels)) continue;
    if (!matchesLabels(n.Spec.Labels, nodeLabels)) continue;
    if (roles.length > 0 && !roles.includes(n.Role)) continue;
    if (memberships.length > 0 && !memberships.includes('accepted')) continue;
    out.push(presentNode(d, n, view));
  }
  return out;
}

function lastManagerCheck(d: ControlDeps, node: Node): void {
  // a manager whose demotion is pending (Spec.Role worker) no longer counts
  const managers = d.store.view.list('node').filter((n) => n.Role === 'manager' && n.Spec.Role === 'manager');
  if (managers.length === 1 && managers[0]!.ID === node.ID)
    throw rpcError('FailedPrecondition', 'attempting to demote the last manager of the swarm');
}

/** A simulated worker (server/manager/bootstrap.ts): its tasks are made up, and no process behind it runs raft. */
export function isSimulatedNode(n: Node): boolean {
  return n.Description?.Engine?.EngineVersion === SIM_ENGINE_VERSION;
}

/**
 * Swarm promotes any worker: its daemon turns into a manager. Here only a
 * process that is a raft member (a manager whose demotion is still pending)
 * can be one again; simulated workers and agent processes have no raft, so
 * their promotion is refused plainly instead of naming a manager that never
 * joins raft.
 */
function promotionCheck(d: ControlDeps, node: Node): void {
  if (isSimulatedNode(node))
    throw rpcError(
      'FailedPrecondition',
      `node ${node.ID} is a simulated node: a simulated node cannot become a manager`,
    );
  if (!d.raft || isMember(d.raft.view(), node.ID)) return;
  throw rpcError(
    'FailedPrecondition',
    `node ${node.ID} cannot become a manager: it is a worker process (a swarmdeck agent, or a node that joined ` +
      'with the worker token), which cannot join raft; start a manager on that host with the manager token ' +
      '(`swarmdeck --join <manager address>` with SWARMDECK_TOKEN set) instead',
  );
}

/**
 * swarmkit UpdateNode. A promotion takes effect at once (Role follows
 * Spec.Role); with raft, a demotion passes the quorum guard and is recorded in
 * Spec.Role, and the role manager completes it. Without raft (unit tests) the
 * observed Role follows at once either way.
 */
export async function updateNode(d: ControlDeps, ref: string, version: number, input: NodeSpec): Promise<Node> {
  const spec = parseNodeSpec(input);
  const found = lookupNode(d.store.view, ref);
  const id = found.ID;
  // swarmkit's demotion checks, in order; the role manager then takes the member out of raft
  // and only afterwards sets the observed Role (see membership/role-manager.ts)
  const demoting = !!d.raft && found.Spec.Role === 'manager' && spec.Role === 'worker';
  if (found.Spec.Role === 'worker' && spec.Role === 'manager') promotionCheck(d, found);
  if (demoting && found.Role === 'manager' && d.raft) {
    if (found.Version.Index !== version) throw new SequenceConflict();
    lastManagerCheck(d, found);
    const view = d.raft.view();
    if (isMember(view, id) && !canRemoveMember(view, id))
      throw rpcError('FailedPrecondition', "can't remove member from the raft: this would result in a loss of quorum");
  }
  await d.store.update((tx) => {
    const cur = tx.get('node', id);
    if (!cur) throw notFound('node', ref);
    if (cur.Version.Index !== version) throw new SequenceConflict();
    if (cur.Spec.Role === 'manager' && spec.Role === 'worker') lastManagerCheck(d, cur);
    const { ManagerStatus: _m, ...rest } = cur;
    tx.update('node', { ...rest, Spec: spec, Role: demoting ? cur.Role : spec.Role });
  });
  return getNode(d, id);
}

/**
 * swarmkit RemoveNode: a manager must be demoted first; a node that is still
 * READY needs force. Its unfinished tasks are orphaned in the same write, so
 * the orchestrators replace them elsewhere, and its certificate is
 * blacklisted, so the node cannot come back with it.
 */
export async function removeNode(d: ControlDeps, ref: string, force: boolean): Promise<void> {
  const id = lookupNode(d.store.view, ref).ID;
  const member = d.raft ? isMember(d.raft.view(), id) : false;
  await d.store.update((tx) => {
    const node = tx.get('node', id);
    if (!node) throw notFound('node', ref);
    if (node.Spec.Role === 'manager' || node.Role === 'manager' || member)
      throw rpcError(
        'FailedPrecondition',
        `node ${id} is a cluster manager and is a member of the raft cluster. It must be demoted to worker before removal`,
      );
    if (!force && node.Status.State === 'ready')
      throw rpcError('FailedPrecondition', `node ${id} is not down and can't be removed`);
    for (const t of d.store.view.tasksByNode(id)) {
      if (isTerminal(t.Status.State)) continue;
      const cur = tx.get('task', t.ID);
      if (!cur) continue;
      const orphaned: Task = {
        ...cur,
        Status: {
          ...cur.Status,
          State: 'orphaned',
          Message: 'Task belonged to a node that has been deleted',
          Timestamp: tx.now,
        },
      };
      tx.update('task', orphaned);
    }
    tx.delete('node', id);
    const cluster = tx.get('cluster', d.store.view.list('cluster')[0]?.ID ?? '');
    if (cluster)
      tx.update('cluster', { ...cluster, BlacklistedCertificates: blacklistWith(cluster, node, Date.parse(tx.now)) });
  });
}
