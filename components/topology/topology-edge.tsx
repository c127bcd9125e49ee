'use client';

import { BaseEdge, type EdgeProps } from '@xyflow/react';
import { curve, type TopoEdge } from './topology-flow';

/** A curve whose label sits where LABEL_AT says, not at its midpoint. */
export function TopologyEdgeView({
  sourceX,
  sourceY,
  targetX,
  targetY,
  data,
  label,
  style,
  markerEnd,
}: EdgeProps<TopoEdge>) {
  const c = curve(sourceX, sourceY, targetX, targetY, data?.labelAt ?? 0.5);
  return (
    <BaseEdge
      path={c.path}
      labelX={c.x}
      labelY={c.y}
      label={label}
      labelBgPadding={[4, 2]}
      labelBgBorderRadius={3}
      {...(style ? { style } : {})}
      {...(markerEnd ? { markerEnd } : {})}
    />
  );
}

export const EDGE_TYPES = { topo: TopologyEdgeView };
