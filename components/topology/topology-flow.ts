// The model and its layout as React Flow's nodes and edges. Pure (types only
// from @xyflow/react), so what is drawn where is testable without a browser.

import type { Edge } from '@xyflow/react';
import type { TopologyFlowNode } from './topology-cards';
import type { TopologyLayout } from './topology-layout';
import type { TopologyModel } from './topology-model';

const fixed = { draggable: false, connectable: false, selectable: false } as const;

export function toFlow(model: TopologyModel, layout: TopologyLayout): { nodes: TopologyFlowNode[]; edges: Edge[] } {
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

  const edges: Edge[] = model.edges.map((e) => ({
    id: e.id,
    source: e.source,
    target: e.target,
    // curves: their labels sit at their own midpoints, not on one shared bus line
    type: 'default',
    className: `topo-edge topo-edge-${e.kind}${e.draining ? ' topo-edge-draining' : ''}`,
    ...(e.label ? { label: e.label } : {}),
    animated: e.kind === 'published' || e.draining === true,
    focusable: false,
    selectable: false,
    // backend edges end at the top of the node group (one per service and node), above its header
  }));
  return { nodes, edges };
}
