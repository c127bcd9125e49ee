// Where the topology's cards sit. Three rows: networks and published ports,
// services, swarm nodes (each a group holding its tasks, one per cell). The
// first layout comes from dagre (order within a row, to keep edges short and
// uncrossed); after that positions are sticky: a card that was placed keeps its
// place, and only new cards are laid out, each in the free spot of its row
// nearest its neighbours. Tasks keep their cell in their node; a new task takes
// the node's first free cell. So streaming changes never move what is on screen.

import dagre from '@dagrejs/dagre';
import type { TopologyItem, TopologyModel } from './topology-model';

export interface Box {
  x: number;
  y: number;
  width: number;
  height: number;
}

export interface Cell {
  parent: string;
  index: number;
}

export interface TopologyLayout {
  /** Cards in rows: absolute positions. Tasks: relative to their node group. */
  boxes: ReadonlyMap<string, Box>;
  /** Each task's cell in its node group. */
  cells: ReadonlyMap<string, Cell>;
}

export const EMPTY_LAYOUT: TopologyLayout = { boxes: new Map(), cells: new Map() };

export const SIZES = {
  network: { width: 250, height: 104 },
  port: { width: 200, height: 60 },
  service: { width: 250, height: 112 },
  task: { width: 216, height: 72 },
} as const;
/** Node group: a header (name, role, address, load-balancer addresses) above a column of task cells. */
export const GROUP = { head: 76, pad: 12, gap: 8 } as const;
export const GROUP_WIDTH = SIZES.task.width + 2 * GROUP.pad;
/** Space between cards in a row, and between rows. */
export const GAP = { x: 36, y: 110 } as const;

type TopItem = Exclude<TopologyItem, { kind: 'task' }>;
const ROW: Record<TopItem['kind'], number> = { network: 0, port: 0, service: 1, node: 2 };
const ROW_Y = [0, SIZES.network.height + GAP.y, SIZES.network.height + GAP.y + SIZES.service.height + GAP.y] as const;

export const rowOf = (kind: TopItem['kind']): number => ROW[kind];

/** A node group's height with `cells` task cells (at least one, so an empty node reads as a place). */
export function groupHeight(cells: number): number {
  return GROUP.head + Math.max(cells, 1) * (SIZES.task.height + GROUP.gap) - GROUP.gap + GROUP.pad;
}

/** A task cell's position inside its group. */
export function cellPosition(index: number): { x: number; y: number } {
  return { x: GROUP.pad, y: GROUP.head + index * (SIZES.task.height + GROUP.gap) };
}

/**
 * Lay out `model`, keeping every card `prev` placed where it was. Pure: the
 * same prev and model give the same layout.
 */
export function layoutTopology(prev: TopologyLayout, model: TopologyModel): TopologyLayout {
  // tasks: keep cells, then fill the first free ones in name order
  const cells = new Map<string, Cell>();
  const taken = new Map<string, Set<number>>();
  const takenIn = (parent: string) => {
    let s = taken.get(parent);
    if (!s) taken.set(parent, (s = new Set()));
    return s;
  };
  const fresh = [];
  for (const t of model.tasks) {
    const c = prev.cells.get(t.id);
    if (c && c.parent === t.parent && !takenIn(c.parent).has(c.index)) {
      cells.set(t.id, c);
      takenIn(c.parent).add(c.index);
    } else fresh.push(t);
  }
  for (const t of fresh) {
    const used = takenIn(t.parent);
    let i = 0;
    while (used.has(i)) i++;
    used.add(i);
    cells.set(t.id, { parent: t.parent, index: i });
  }
  const cellCount = (parent: string) => {
    let n = 0;
    for (const i of taken.get(parent) ?? []) n = Math.max(n, i + 1);
    return n;
  };

  const top: TopItem[] = [...model.networks, ...model.ports, ...model.services, ...model.nodes];
  const size = (item: TopItem): { width: number; height: number } =>
    item.kind === 'node' ? { width: GROUP_WIDTH, height: groupHeight(cellCount(item.id)) } : { ...SIZES[item.kind] };

  const boxes = new Map<string, Box>();
  const added: TopItem[] = [];
  for (const item of top) {
    const was = prev.boxes.get(item.id);
    if (was) boxes.set(item.id, { x: was.x, y: was.y, ...size(item) });
    else added.push(item);
  }

  if (added.length) {
    const links = topLevelLinks(model);
    const ideal = dagreX(top, links, size);
    if (boxes.size === 0) {
      // the first layout: dagre's order and spacing, one row per kind, starting at x = 0
      const minX = Math.min(...top.map((i) => ideal.get(i.id)! - size(i).width / 2));
      for (const item of top) {
        const s = size(item);
        boxes.set(item.id, {
          x: Math.round(ideal.get(item.id)! - s.width / 2 - minX),
          y: ROW_Y[rowOf(item.kind)]!,
          ...s,
        });
      }
      // node groups in name order, as the overview lists them (dagre's order constraints do not hold
      // when nothing links the groups yet); all groups are as wide, so their slots can be swapped
      const groups = model.nodes.map((n) => boxes.get(n.id)!);
      const slots = groups.map((b) => b.x).sort((a, b) => a - b);
      groups.forEach((b, i) => (b.x = slots[i]!));
      for (let row = 0; row < ROW_Y.length; row++)
        spreadRow(top.filter((i) => rowOf(i.kind) === row).map((i) => boxes.get(i.id)!));
    } else {
      // later: each new card goes to the free spot of its row nearest its placed neighbours
      const byRow = [...added].sort((a, b) => rowOf(a.kind) - rowOf(b.kind) || ideal.get(a.id)! - ideal.get(b.id)!);
      for (const item of byRow) {
        const s = size(item);
        const row = rowOf(item.kind);
        const occupied = top.filter((i) => rowOf(i.kind) === row && boxes.has(i.id)).map((i) => boxes.get(i.id)!);
        const centers = (links.get(item.id) ?? []).flatMap((n) => {
          const b = boxes.get(n);
          return b ? [b.x + b.width / 2] : [];
        });
        const rowEnd = occupied.length ? Math.max(...occupied.map((b) => b.x + b.width)) + GAP.x : 0;
        const target = centers.length ? centers.reduce((a, c) => a + c, 0) / centers.length : rowEnd + s.width / 2;
        boxes.set(item.id, { x: Math.round(nearestFree(occupied, s.width, target)), y: ROW_Y[row]!, ...s });
      }
    }
  }

  for (const t of model.tasks) {
    const c = cells.get(t.id)!;
    boxes.set(t.id, { ...cellPosition(c.index), ...SIZES.task });
  }
  return { boxes, cells };
}

/** Neighbours among row cards: networks and ports ↔ services, services ↔ the groups their tasks run in. */
function topLevelLinks(model: TopologyModel): Map<string, string[]> {
  const parentOf = new Map(model.tasks.map((t) => [t.id, t.parent]));
  const out = new Map<string, string[]>();
  const link = (a: string, b: string) => {
    let l = out.get(a);
    if (!l) out.set(a, (l = []));
    l.push(b);
  };
  for (const e of model.edges) {
    const target = parentOf.get(e.target) ?? e.target;
    link(e.source, target);
    link(target, e.source);
  }
  return out;
}

/**
 * dagre's x (centre) for every row card. A hidden root above the first row
 * holds each card without a neighbour in the row above down to its own row;
 * cards with one are held by it (fewer long edges, so fewer dagre dummies
 * widening the rows).
 */
function dagreX(
  top: TopItem[],
  links: Map<string, string[]>,
  size: (i: TopItem) => { width: number; height: number },
): Map<string, number> {
  const g = new dagre.graphlib.Graph();
  g.setGraph({ rankdir: 'TB', nodesep: GAP.x, edgesep: 4, ranksep: GAP.y, marginx: 0, marginy: 0 });
  g.setDefaultEdgeLabel(() => ({}));
  const ROOT = '\0root';
  g.setNode(ROOT, { width: 1, height: 1 });
  const ids = new Set(top.map((i) => i.id));
  const rows = new Map(top.map((i) => [i.id, rowOf(i.kind)]));
  const held = new Set<string>();
  for (const item of top) g.setNode(item.id, { ...size(item) }); // dagre writes its results into the label
  for (const [a, ns] of links) {
    for (const b of ns) {
      if (!ids.has(a) || !ids.has(b) || rows.get(a)! >= rows.get(b)!) continue;
      const e = g.edge(a, b) as { weight?: number } | undefined;
      g.setEdge(a, b, { weight: (e?.weight ?? 0) + 1, minlen: rows.get(b)! - rows.get(a)! });
      held.add(b);
    }
  }
  for (const item of top) {
    if (!held.has(item.id)) g.setEdge(ROOT, item.id, { minlen: rowOf(item.kind) + 1, weight: 0 });
  }
  // the node groups read left to right in name order, as the overview lists them
  const groups = top.filter((i) => i.kind === 'node');
  const constraints = groups.slice(1).map((g, i) => ({ left: groups[i]!.id, right: g.id }));
  dagre.layout(g, { constraints });
  return new Map(top.map((i) => [i.id, (g.node(i.id) as { x: number }).x]));
}

/** Push apart cards of one row that overlap (dagre ranks a row card elsewhere only in odd graphs). */
function spreadRow(row: Box[]): void {
  row.sort((a, b) => a.x - b.x);
  for (let i = 1; i < row.length; i++) {
    const prev = row[i - 1]!;
    const min = prev.x + prev.width + GAP.x;
    if (row[i]!.x < min) row[i]!.x = min;
  }
}

/** The left edge nearest `center - width/2` where a card of `width` overlaps none of `occupied` (with gaps). */
export function nearestFree(occupied: readonly Box[], width: number, center: number): number {
  const want = center - width / 2;
  const spans = occupied.map((b) => [b.x - GAP.x, b.x + b.width + GAP.x] as const);
  const fits = (x: number) => spans.every(([l, r]) => x + width <= l || x >= r);
  const candidates = [want, ...spans.flatMap(([l, r]) => [l - width, r])].sort(
    (a, b) => Math.abs(a - want) - Math.abs(b - want) || a - b,
  );
  return candidates.find(fits) ?? Math.max(...spans.map(([, r]) => r));
}

/**
 * The layout a filtered view draws: in each node group the tasks it keeps
 * close up, in their cell order, and the group shrinks to fit. Rows and
 * groups stay where they are, so the picture keeps its shape; the sticky
 * layout underneath is untouched (clearing the filter shows it as it was).
 */
export function compactLayout(layout: TopologyLayout, model: TopologyModel): TopologyLayout {
  const boxes = new Map(layout.boxes);
  const cells = new Map<string, Cell>();
  const byParent = new Map<string, { id: string; index: number }[]>();
  for (const t of model.tasks) {
    const c = layout.cells.get(t.id);
    if (!c) continue;
    let l = byParent.get(c.parent);
    if (!l) byParent.set(c.parent, (l = []));
    l.push({ id: t.id, index: c.index });
  }
  for (const n of model.nodes) {
    const kept = (byParent.get(n.id) ?? []).sort((a, b) => a.index - b.index);
    kept.forEach((t, index) => {
      cells.set(t.id, { parent: n.id, index });
      boxes.set(t.id, { ...cellPosition(index), ...SIZES.task });
    });
    const g = boxes.get(n.id);
    if (g) boxes.set(n.id, { ...g, height: groupHeight(kept.length) });
  }
  return { boxes, cells };
}
