import { isTerminal, stateValue, type Node, type Service, type Task, type TaskState } from '@/server/api/types';
import { naturalCompare, nodeName } from '../cluster/derive';

/** How a task card looks: what the task is doing as seen from across the room. */
export type WallTaskLook = 'running' | 'starting' | 'failed' | 'stopping' | 'complete';

export interface WallTask {
  id: string;
  serviceID: string;
  /** `web.3`, or `web` for a global service's task */
  label: string;
  service: string;
  /** `.3`, or '' for a global service's task: kept in sight when a long name is cut */
  slot: string;
  /** the slot's number (0 for a global service's task), for the order within a service */
  slotNumber: number;
  state: TaskState;
  look: WallTaskLook;
  /** the service's colour (serviceHues): the same on every screen and after every reload */
  hue: number;
}

/** Every look, in the order a heat cell's code counts them (cellCode). */
export const LOOKS: readonly WallTaskLook[] = ['running', 'starting', 'failed', 'stopping', 'complete'];

/**
 * A task as a heat cell in one byte: its service's hue (by its place in HUES) and its look. A map of
 * 5,000 cells is then 500 small byte arrays, not 5,000 objects for the page to keep and collect.
 */
export function cellCode(t: Pick<WallTask, 'hue' | 'look'>): number {
  return Math.max(0, HUES.indexOf(t.hue as (typeof HUES)[number])) * LOOKS.length + LOOKS.indexOf(t.look);
}

/** The hue a heat cell's code stands for. */
export const cellHue = (code: number): number => HUES[Math.floor(code / LOOKS.length)] ?? HUES[0];

/** The look a heat cell's code stands for. */
export const cellLook = (code: number): WallTaskLook => LOOKS[code % LOOKS.length]!;

/** A node's condition, strongest first: a down node is down whatever its availability. */
export type NodeCondition = 'down' | 'disconnected' | 'unknown' | 'drained' | 'paused' | 'ok';

export interface WallColumn {
  nodeID: string;
  name: string;
  manager: boolean;
  leader: boolean;
  condition: NodeCondition;
  tasks: WallTask[];
}

export interface WallService {
  id: string;
  name: string;
  hue: number;
  running: number;
  desired: number;
}

export interface WallModel {
  columns: WallColumn[];
  /** tasks no node took (the scheduler's "no suitable node"), or whose node is gone */
  unplaced: WallTask[];
  services: WallService[];
  nodesReady: number;
  tasksRunning: number;
  tasksWanted: number;
}

/** FNV-1a of a service's name. */
export function nameHash(name: string): number {
  let h = 0x811c9dc5;
  for (let i = 0; i < name.length; i++) {
    h ^= name.charCodeAt(i);
    h = Math.imul(h, 0x01000193);
  }
  return h >>> 0;
}

/** Hues far enough apart to tell across a room. */
export const HUES = [25, 145, 265, 75, 205, 325, 0, 115, 235, 50, 175, 295] as const;

/**
 * A hue per service: the slot its name hashes to, or the next free one when an
 * older service has it. Older services choose first, so a new service never
 * recolours the ones already on the wall; past twelve services hues repeat.
 */
export function serviceHues(services: Iterable<Service>): Map<string, number> {
  const oldestFirst = [...services].sort((a, b) => a.CreatedAt.localeCompare(b.CreatedAt) || a.ID.localeCompare(b.ID));
  const taken = new Set<number>();
  const out = new Map<string, number>();
  for (const s of oldestFirst) {
    let slot = nameHash(s.Spec.Name) % HUES.length;
    for (let i = 0; i < HUES.length && taken.has(slot); i++) slot = (slot + 1) % HUES.length;
    if (taken.size < HUES.length) taken.add(slot);
    out.set(s.ID, HUES[slot]!);
  }
  return out;
}

export function nodeCondition(n: Node): NodeCondition {
  if (n.Status.State === 'down') return 'down';
  if (n.Status.State === 'disconnected') return 'disconnected';
  if (n.Status.State === 'unknown') return 'unknown';
  if (n.Spec.Availability === 'drain') return 'drained';
  if (n.Spec.Availability === 'pause') return 'paused';
  return 'ok';
}

/**
 * Whether a task belongs on the wall: everything not yet finished, and a
 * finished task only while it is still meant to run (a failure about to be
 * replaced). History stays on the service pages.
 */
export function onWall(t: Task): boolean {
  return !isTerminal(t.Status.State) || stateValue(t.DesiredState) <= stateValue('running');
}

export function taskLook(t: Task): WallTaskLook {
  const s = t.Status.State;
  if (s === 'failed' || s === 'rejected' || s === 'orphaned') return 'failed';
  if (s === 'complete') return 'complete';
  if (isTerminal(t.DesiredState) && t.DesiredState !== 'complete') return 'stopping';
  if (s === 'running') return 'running';
  if (isTerminal(s)) return 'stopping';
  return 'starting';
}

/** By label (`web.2` before `web.10`): within one service that is by slot number, without parsing labels. */
const byLabel = (a: WallTask, b: WallTask) =>
  (a.service === b.service ? a.slotNumber - b.slotNumber : naturalCompare(a.label, b.label)) ||
  (a.id < b.id ? -1 : a.id > b.id ? 1 : 0);

/**
 * What one redraw hands the next, so that what did not change stays the same
 * object: a task's card is made again only when its task changed (the store
 * keeps unchanged tasks as they were), and a node's column is the previous
 * one while its node and its cards are. The map redraws a column only when it
 * is a new object.
 */
export interface WallMemo {
  cards: WeakMap<Task, WallTask>;
  /** the previous model, or null the first time */
  prev: WallModel | null;
}

export const wallMemo = (): WallMemo => ({ cards: new WeakMap(), prev: null });

const sameTasks = (a: readonly WallTask[], b: readonly WallTask[]) =>
  a.length === b.length && a.every((t, i) => t === b[i]);

const sameColumn = (a: WallColumn, b: WallColumn) =>
  a.name === b.name &&
  a.manager === b.manager &&
  a.leader === b.leader &&
  a.condition === b.condition &&
  sameTasks(a.tasks, b.tasks);

/**
 * The cluster as the wall shows it: a column per node (managers first, then
 * by name: a stable order, so nothing moves when a node changes state), the
 * node's current tasks in it, and the tasks no node took. With `memo`, what
 * is unchanged since the last call is returned as the same objects.
 */
export function wallModel(
  nodes: Iterable<Node>,
  services: ReadonlyMap<string, Service>,
  tasks: Iterable<Task>,
  memo: WallMemo = wallMemo(),
): WallModel {
  const columns = new Map<string, WallColumn>();
  let nodesReady = 0;
  for (const n of nodes) {
    if (n.Status.State === 'ready') nodesReady++;
    columns.set(n.ID, {
      nodeID: n.ID,
      name: nodeName(n),
      manager: n.Spec.Role === 'manager' || !!n.ManagerStatus,
      leader: n.ManagerStatus?.Leader === true,
      condition: nodeCondition(n),
      tasks: [],
    });
  }
  const hues = serviceHues(services.values());
  const unplaced: WallTask[] = [];
  const counts = new Map<string, { running: number; desired: number }>();
  let tasksRunning = 0;
  let tasksWanted = 0;
  for (const t of tasks) {
    let c = counts.get(t.ServiceID);
    if (!c) counts.set(t.ServiceID, (c = { running: 0, desired: 0 }));
    if (t.DesiredState === 'running') {
      tasksWanted++;
      c.desired++;
      if (t.Status.State === 'running') {
        tasksRunning++;
        c.running++;
      }
    }
    if (!onWall(t)) continue;
    const svc = services.get(t.ServiceID);
    const name = svc?.Spec.Name ?? t.ServiceID.slice(0, 12);
    const hue = hues.get(t.ServiceID) ?? HUES[nameHash(name) % HUES.length]!;
    let card = memo.cards.get(t);
    // a renamed service or a hue handed to an older one makes the card again
    if (!card || card.service !== name || card.hue !== hue) {
      card = {
        id: t.ID,
        serviceID: t.ServiceID,
        label: t.Slot ? `${name}.${t.Slot}` : name,
        service: name,
        slot: t.Slot ? `.${t.Slot}` : '',
        slotNumber: t.Slot || 0,
        state: t.Status.State,
        look: taskLook(t),
        hue,
      };
      memo.cards.set(t, card);
    }
    const col = t.NodeID ? columns.get(t.NodeID) : undefined;
    if (col) col.tasks.push(card);
    // no node yet and no word from the scheduler: on its way to a node (placed within a tick), drawn once
    // there. The not-placed box is for tasks no node took (the scheduler says why) or whose node is gone;
    // under churn, every new task passing through it made the box come and go and the whole map reflow.
    else if (t.NodeID || t.Status.Err) unplaced.push(card);
  }
  const before = new Map(memo.prev?.columns.map((c) => [c.nodeID, c]));
  const sorted: WallColumn[] = [];
  for (const col of columns.values()) {
    col.tasks.sort(byLabel);
    const was = before.get(col.nodeID);
    sorted.push(was && sameColumn(was, col) ? was : col);
  }
  unplaced.sort(byLabel);
  const svcList: WallService[] = [...services.values()]
    .map((s) => ({
      id: s.ID,
      name: s.Spec.Name,
      hue: hues.get(s.ID)!,
      running: counts.get(s.ID)?.running ?? 0,
      desired: s.Spec.Mode.Replicated ? (s.Spec.Mode.Replicated.Replicas ?? 1) : (counts.get(s.ID)?.desired ?? 0),
    }))
    .sort((a, b) => naturalCompare(a.name, b.name));
  const model: WallModel = {
    columns: sorted.sort((a, b) => Number(b.manager) - Number(a.manager) || naturalCompare(a.name, b.name)),
    unplaced: memo.prev && sameTasks(memo.prev.unplaced, unplaced) ? memo.prev.unplaced : unplaced,
    services: svcList,
    nodesReady,
    tasksRunning,
    tasksWanted,
  };
  memo.prev = model;
  return model;
}
