// Placement decisions, pure: nodes and their accounting in, assignments and
// explanations out. Follows swarmkit's scheduleTaskGroup: filter every node
// once, rank the survivors (fewest tasks of this service, then fewest tasks
// overall; nodes where this spec keeps failing sink), fill up to the level of the next node, then go round-robin,
// re-checking the next node after each assignment.

import type { Node, PortConfig, Task } from '../../api/types';
import type { FilterFailure } from './filters';
import { Pipeline, taskRequest } from './filters';
import type { NodeInfo } from './node-info';
import { activeOfService, addTask, isTracked, newNodeInfo } from './node-info';
import { compareFailures, failureKey } from './node-failures';

/** The nodes of one pass with their accounting; placements update it in place. */
export class NodeSet {
  readonly infos: NodeInfo[];
  private readonly byID = new Map<string, NodeInfo>();

  constructor(nodes: readonly Node[]) {
    this.infos = nodes.map((n, i) => newNodeInfo(n, i));
    for (const info of this.infos) this.byID.set(info.node.ID, info);
  }

  get size(): number {
    return this.infos.length;
  }

  get(nodeID: string): NodeInfo | undefined {
    return this.byID.get(nodeID);
  }

  /** Tasks whose accounting threw (their data): left out of it, so they do not stop every pass. */
  readonly unaccounted: string[] = [];

  /** Account a task to its node; tasks without a known node are ignored. */
  addTask(t: Task, ports?: readonly PortConfig[]): void {
    const info = t.NodeID ? this.byID.get(t.NodeID) : undefined;
    if (info) addTask(info, t, ports);
  }
}

/**
 * Accounting as the scheduler sees it: every task on a node whose observed
 * state is in [pending, running], except pre-assigned tasks still PENDING
 * (they count once confirmed).
 */
export function buildNodeSet(
  nodes: readonly Node[],
  tasks: Iterable<Task>,
  portsOf: (t: Task) => readonly PortConfig[] | undefined = () => undefined,
): NodeSet {
  const set = new NodeSet(nodes);
  for (const t of tasks) {
    if (!t.NodeID || !isTracked(t) || t.Status.State === 'pending') continue;
    try {
      set.addTask(t, portsOf(t));
    } catch {
      set.unaccounted.push(t.ID);
    }
  }
  return set;
}

/** Whom a group's ranking is for: its service, and the key its failures are counted under. */
interface RankFor {
  serviceID: string;
  failureKey?: string;
}

/** <0 when a is the better node (swarmkit nodeLess): faulty nodes sink, then fewest of this service, then fewest. */
function compareLoad(a: NodeInfo, b: NodeInfo, r: RankFor): number {
  const faulty = r.failureKey
    ? compareFailures(a.recentFailures?.get(r.failureKey) ?? 0, b.recentFailures?.get(r.failureKey) ?? 0)
    : 0;
  return (
    faulty ||
    activeOfService(a, r.serviceID) - activeOfService(b, r.serviceID) ||
    a.activeTasksCount - b.activeTasksCount
  );
}

export interface Assignment {
  task: Task;
  nodeID: string;
}

export interface GroupResult {
  assigned: Assignment[];
  /** tasks that fit nowhere; they get `noSuitableNode(explain)` */
  unplaced: Task[];
  explain: string;
  /** per-filter rejection counts, pipeline order */
  failures: FilterFailure[];
  totalNodes: number;
  /** Nodes a filter threw on (rejected): node ID → why. */
  nodeErrors: Map<string, string>;
}

export function noSuitableNode(explain: string): string {
  return explain ? `no suitable node (${explain})` : 'no suitable node';
}

interface Ctx extends RankFor {
  pipeline: Pipeline;
  ports: readonly PortConfig[] | undefined;
  queue: readonly Task[];
  next: number;
  assigned: Assignment[];
}

/**
 * Place one group of tasks sharing (service, spec version) and so one spec.
 * Placed tasks are added to the node set before returning.
 */
export function placeGroup(set: NodeSet, tasks: readonly Task[], ports?: readonly PortConfig[]): GroupResult {
  const first = tasks[0];
  if (!first)
    return { assigned: [], unplaced: [], explain: '', failures: [], totalNodes: set.size, nodeErrors: new Map() };
  const pipeline = new Pipeline(taskRequest(first, ports));
  const rank: RankFor = {
    serviceID: first.ServiceID,
    ...(first.SpecVersion ? { failureKey: failureKey(first.ServiceID, first.SpecVersion.Index) } : {}),
  };
  const ctx: Ctx = { pipeline, ...rank, ports, queue: tasks, next: 0, assigned: [] };

  const fit = new Set<NodeInfo>();
  for (const info of set.infos) if (pipeline.process(info)) fit.add(info);

  const tree = buildTree(set.infos, spreadDescriptors(first), rank, fit);
  if (fit.size > 0) scheduleOnSubtree(tasks.length, tree, ctx);

  const explain = pipeline.explain();
  return {
    assigned: ctx.assigned,
    unplaced: tasks.slice(ctx.next),
    explain,
    failures: pipeline.failures(),
    totalNodes: set.size,
    nodeErrors: pipeline.nodeErrors,
  };
}

/** Convenience: place a batch onto nodes given the tasks already running there. */
export function placeTasks(
  nodes: readonly Node[],
  existing: Iterable<Task>,
  batch: readonly Task[],
  ports?: readonly PortConfig[],
): GroupResult {
  return placeGroup(buildNodeSet(nodes, existing), batch, ports);
}

export type PreassignedResult =
  { ok: true } | { ok: false; explain: string; failures: FilterFailure[]; nodeErrors: Map<string, string> } | undefined;

/**
 * Validate a pre-assigned (global) task against its node. Undefined when the
 * node is unknown; a confirmed task is added to the node's accounting.
 */
export function validatePreassigned(set: NodeSet, t: Task, ports?: readonly PortConfig[]): PreassignedResult {
  const info = set.get(t.NodeID);
  if (!info) return undefined;
  const pipeline = new Pipeline(taskRequest(t, ports));
  if (!pipeline.process(info))
    return { ok: false, explain: pipeline.explain(), failures: pipeline.failures(), nodeErrors: pipeline.nodeErrors };
  addTask(info, { ...t, Status: { ...t.Status, State: 'assigned' } }, ports);
  return { ok: true };
}

// ---------- spread preferences: a tree with one level per preference ----------

interface Tree {
  /** active tasks of the service under this branch */
  tasks: number;
  /** leaf only: nodes that passed the filters, best first */
  nodes: NodeInfo[];
  /** leaf already scheduled on: its nodes changed and need re-checking */
  used?: boolean;
  next?: Map<string, Tree>;
}

const NODE_LABELS = 'node.labels.';
const ENGINE_LABELS = 'engine.labels.';

/** Spread descriptors the scheduler understands; others are skipped, as in swarmkit. */
function spreadDescriptors(t: Task): ((n: Node) => string)[] {
  const out: ((n: Node) => string)[] = [];
  for (const pref of t.Spec.Placement?.Preferences ?? []) {
    const d = pref.Spread?.SpreadDescriptor;
    if (!d) continue;
    const lower = d.toLowerCase();
    if (d.length > NODE_LABELS.length && lower.startsWith(NODE_LABELS)) {
      const k = d.slice(NODE_LABELS.length);
      out.push((n) => n.Spec?.Labels?.[k] ?? '');
    } else if (d.length > ENGINE_LABELS.length && lower.startsWith(ENGINE_LABELS)) {
      const k = d.slice(ENGINE_LABELS.length);
      out.push((n) => n.Description?.Engine?.Labels?.[k] ?? '');
    }
  }
  return out;
}

function buildTree(
  infos: readonly NodeInfo[],
  levels: ((n: Node) => string)[],
  rank: RankFor,
  fit: Set<NodeInfo>,
): Tree {
  const root: Tree = { tasks: 0, nodes: [] };
  for (const info of infos) {
    const count = activeOfService(info, rank.serviceID);
    let tree = root;
    for (const value of levels) {
      tree.tasks += count;
      tree.next ??= new Map();
      const v = value(info.node);
      let sub = tree.next.get(v);
      if (!sub) tree.next.set(v, (sub = { tasks: 0, nodes: [] }));
      tree = sub;
    }
    tree.tasks += count;
    if (fit.has(info)) tree.nodes.push(info);
  }
  sortLeaves(root, rank);
  return root;
}

function sortLeaves(tree: Tree, rank: RankFor): void {
  if (tree.next) for (const sub of tree.next.values()) sortLeaves(sub, rank);
  else tree.nodes.sort((a, b) => compareLoad(a, b, rank) || a.order - b.order);
}

/** Split n tasks evenly over the branches, dropping branches that run out of room. */
function scheduleOnSubtree(n: number, tree: Tree, ctx: Ctx): number {
  if (!tree.next) {
    if (tree.used) {
      // as swarmkit's orderedNodes: earlier placements may have filled nodes up
      tree.nodes = tree.nodes.filter((info) => ctx.pipeline.process(info));
      tree.nodes.sort((a, b) => compareLoad(a, b, ctx) || a.order - b.order);
    }
    tree.used = true;
    return scheduleOnNodes(n, tree.nodes, ctx);
  }
  // deterministic branch order (swarmkit walks a map, i.e. random order)
  const branches = [...tree.next.entries()].sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)).map(([, t]) => t);
  const full = new Set<Tree>();
  let scheduled = 0;
  let usableTasks = tree.tasks;
  while (scheduled < n && full.size < branches.length) {
    const usable = branches.length - full.size;
    const total = usableTasks + n - scheduled;
    const desired = Math.floor(total / usable);
    let remainder = total % usable;
    let progress = false;
    for (const sub of branches) {
      if (full.has(sub) || scheduled >= n) continue;
      if (sub.tasks > desired || (sub.tasks === desired && remainder === 0)) continue;
      const want = Math.min(desired - sub.tasks + (remainder > 0 ? 1 : 0), n - scheduled);
      const got = scheduleOnSubtree(want, sub, ctx);
      sub.tasks += got;
      usableTasks += got;
      scheduled += got;
      progress = true;
      if (got < want) {
        full.add(sub);
        usableTasks -= sub.tasks;
      } else if (remainder > 0) remainder--;
    }
    if (!progress && full.size < branches.length && scheduled < n) {
      // cannot happen while the counts add up; guard against looping forever
      const sub = branches.filter((b) => !full.has(b)).sort((a, b) => a.tasks - b.tasks)[0]!;
      const want = n - scheduled;
      const got = scheduleOnSubtree(want, sub, ctx);
      sub.tasks += got;
      usableTasks += got;
      scheduled += got;
      if (got < want) {
        full.add(sub);
        usableTasks -= sub.tasks;
      }
    }
  }
  return scheduled;
}

/** swarmkit scheduleNTasksOnNodes over a best-first node list. */
function scheduleOnNodes(n: number, nodes: NodeInfo[], ctx: Ctx): number {
  const count = nodes.length;
  if (count === 0 || n <= 0) return 0;
  const failed = new Set<number>();
  let scheduled = 0;
  let iter = 0;
  while (ctx.next < ctx.queue.length) {
    const info = nodes[iter % count]!;
    const t = ctx.queue[ctx.next++]!;
    ctx.assigned.push({ task: t, nodeID: info.node.ID });
    addTask(info, t, ctx.ports);
    if (++scheduled === n) return scheduled;

    if (iter + 1 < count) {
      // first pass: stay on this node until the next one is strictly better
      if (compareLoad(nodes[iter + 1]!, info, ctx) < 0) iter++;
    } else {
      iter++;
    }
    const start = iter;
    while (failed.has(iter % count) || !ctx.pipeline.process(nodes[iter % count]!)) {
      failed.add(iter % count);
      iter++;
      if (iter - start === count) return scheduled;
    }
  }
  return scheduled;
}
