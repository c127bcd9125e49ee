// The model and its layout as React Flow's nodes and edges. Pure (types only
// from @xyflow/react), so what is drawn where is testable without a browser.

import type { Edge } from '@xyflow/react';
import type { TopologyFlowNode } from './topology-cards';
import type { TopologyLayout } from './topology-layout';
import type { TopologyEdge, TopologyModel } from './topology-model';

const fixed = { draggable: false, connectable: false, selectable: false } as const;

/**
 * Where along its curve an edge's label sits (0 = source, 1 = target). Edges
 * into one service converge on its handle, so labels at their midpoints pile
 * up there: attachment and port labels sit near their network or port, a
 * backend edge's task count just above the node group it counts.
 */
export const LABEL_AT: Record<TopologyEdge['kind'], number> = { attachment: 0.22, published: 0.3, backend: 0.86 };

export type TopoEdge = Edge<{ labelAt: number }, 'topo'>;

/** A top-to-bottom cubic curve from (sx, sy) to (tx, ty), and its point at `t`. */
export function curve(
  sx: number,
  sy: number,
  tx: number,
  ty: number,
  t: number,
): { path: string; x: number; y: number } {
  const k = Math.max(Math.abs(ty - sy) / 2, 24);
  const [c1x, c1y, c2x, c2y] = [sx, sy + k, tx, ty - k];
  const u = 1 - t;
  const at = (a: number, b: number, c: number, d: number) =>
    u * u * u * a + 3 * u * u * t * b + 3 * u * t * t * c + t * t * t * d;
  return {
    path: `M${sx},${sy} C${c1x},${c1y} ${c2x},${c2y} ${tx},${ty}`,
    x: at(sx, c1x, c2x, tx),
    y: at(sy, c1y, c2y, ty),
  };
}

export function toFlow(model: TopologyModel, layout: TopologyLayout): { nodes: TopologyFlowNode[]; edges: TopoEdge[] } {
  const at = (id: string) => {
    const b = layout.boxes.get(id);
    if (!b) throw new Error(`topology: ${id} has no place`);
    return { position: { x: b.x, y: b.y }, width: b.width, height: b.height };
  };
  const serviceName = new Map(model.services.map((s) => [s.serviceID, s.name]));
  const nodes: TopologyFlowNode[] = [];
  for (const card of model.networks)
    nodes.push({ id: card.id, type: 'network', data: { card }, ...at(card.id), ...fixed });
  for (const card of model.ports) {
    nodes.push({
      id: card.id,
      type: 'port',
      data: { card, serviceName: serviceName.get(card.serviceID) ?? card.serviceID.slice(0, 12) },
      ...at(card.id),
      ...fixed,
    });
  }
  for (const card of model.services)
    nodes.push({ id: card.id, type: 'service', data: { card }, ...at(card.id), ...fixed });
  // parents before their children, as React Flow requires
  for (const card of model.nodes) {
    nodes.push({ id: card.id, type: 'swarmNode', data: { card }, ...at(card.id), ...fixed, zIndex: -1 });
  }
  for (const card of model.tasks) {
    nodes.push({
      id: card.id,
      type: 'task',
      data: { card },
      parentId: card.parent,
      extent: 'parent',
      ...at(card.id),
      ...fixed,
    });
  }

  const edges: TopoEdge[] = model.edges.map((e) => ({
    id: e.id,
    source: e.source,
    target: e.target,
    // curves, each label at its own point along its curve (LABEL_AT)
    type: 'topo',
    data: { labelAt: LABEL_AT[e.kind] },
    className: `topo-edge topo-edge-${e.kind}${e.draining ? ' topo-edge-draining' : ''}`,
    ...(e.label ? { label: e.label } : {}),
    animated: e.kind === 'published' || e.draining === true,
    focusable: false,
    selectable: false,
    // backend edges end at the top of the node group (one per service and node), above its header
  }));
  return { nodes, edges };
}
