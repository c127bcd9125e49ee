'use client';

import { useId, useMemo, useState } from 'react';
import { Background, Controls, ReactFlow } from '@xyflow/react';
import { useClusterView } from '../realtime/use-cluster';
import { NODE_TYPES } from './topology-cards';
import { EDGE_TYPES } from './topology-edge';
import { toFlow } from './topology-flow';
import { compactLayout, EMPTY_LAYOUT, layoutTopology, type TopologyLayout } from './topology-layout';
import {
  applyTopologyFilter,
  buildTopology,
  isFiltered,
  UNASSIGNED_NODE,
  type TopologyFilter,
  type TopologyModel,
} from './topology-model';

const count = (n: number, one: string) => `${n} ${one}${n === 1 ? '' : 's'}`;
/** The last layout, so coming back to the page shows the picture it left (not a fresh one). */
let remembered: TopologyLayout = EMPTY_LAYOUT;

const FILTER_KEYS = ['network', 'stack', 'service'] as const;

function writeFilterToURL(f: TopologyFilter): void {
  const params = new URLSearchParams();
  for (const k of FILTER_KEYS) if (f[k]) params.set(k, f[k]);
  const q = params.toString();
  window.history.replaceState(null, '', q ? `?${q}` : window.location.pathname);
}

/**
 * The live network topology: networks and published ports, services, and the
 * swarm's nodes holding their tasks. Fed by the socket's store like every page;
 * the layout remembers where each card went (see topology-layout.ts).
 */
export function TopologyPage({ initialFilter }: { initialFilter: TopologyFilter }) {
  const view = useClusterView();
  const { network: networks, service: services, task: tasks, node: nodes } = view.tables;
  const model = useMemo(
    () =>
      buildTopology({
        networks: networks.values(),
        services: services.values(),
        tasks: tasks.values(),
        nodes: nodes.values(),
      }),
    [networks, services, tasks, nodes],
  );

  // sticky layout: derived from the previous one whenever the model changes
  const [placed, setPlaced] = useState<{ model?: TopologyModel; layout: TopologyLayout }>(() => ({
    layout: remembered,
  }));
  let layout = placed.layout;
  if (placed.model !== model) {
    layout = layoutTopology(placed.layout, model);
    remembered = layout;
    setPlaced({ model, layout });
  }

  const [filter, setFilter] = useState<TopologyFilter>(initialFilter);
  const change = (k: (typeof FILTER_KEYS)[number], value: string) => {
    const next = { ...filter, [k]: value || undefined };
    setFilter(next);
    writeFilterToURL(next);
  };
  const shown = useMemo(() => applyTopologyFilter(model, filter), [model, filter]);
  // a filter closes up the cells of the tasks it hides
  const flow = useMemo(
    () => toFlow(shown, shown === model ? layout : compactLayout(layout, shown)),
    [model, shown, layout],
  );
  const ids = { network: useId(), stack: useId(), service: useId() };
  const nodeCount = shown.nodes.filter((n) => n.id !== UNASSIGNED_NODE).length;

  return (
    <div className="page topology-page">
      <div className="page-head topology-head">
        <h1>Topology</h1>
        <p className="muted num topology-summary" aria-live="polite">
          {count(shown.networks.length, 'network')} · {count(shown.services.length, 'service')} ·{' '}
          {count(shown.tasks.length, 'task')} on {count(nodeCount, 'node')}
        </p>
        <div className="topology-filters" role="search" aria-label="Filter the topology">
          <label htmlFor={ids.network}>Network</label>
          <select id={ids.network} value={filter.network ?? ''} onChange={(e) => change('network', e.target.value)}>
            <option value="">All</option>
            {model.networks.map((n) => (
              <option key={n.networkID} value={n.networkID}>
                {n.name}
              </option>
            ))}
          </select>
          <label htmlFor={ids.stack}>Stack</label>
          <select id={ids.stack} value={filter.stack ?? ''} onChange={(e) => change('stack', e.target.value)}>
            <option value="">All</option>
            {model.stacks.map((s) => (
              <option key={s} value={s}>
                {s}
              </option>
            ))}
          </select>
          <label htmlFor={ids.service}>Service</label>
          <select id={ids.service} value={filter.service ?? ''} onChange={(e) => change('service', e.target.value)}>
            <option value="">All</option>
            {model.services.map((s) => (
              <option key={s.serviceID} value={s.serviceID}>
                {s.name}
              </option>
            ))}
          </select>
          {isFiltered(filter) ? (
            <button
              type="button"
              className="btn btn-ghost"
              onClick={() => {
                setFilter({});
                writeFilterToURL({});
              }}
            >
              Clear
            </button>
          ) : null}
        </div>
      </div>
      <Legend />
      <div className="topology-canvas" data-testid="topology" data-loaded={view.loaded || undefined}>
        {view.loaded ? (
          <ReactFlow
            // a new filter is a new picture: fit it once; live changes never move the viewport
            key={FILTER_KEYS.map((k) => filter[k] ?? '').join('|')}
            nodes={flow.nodes}
            edges={flow.edges}
            nodeTypes={NODE_TYPES}
            edgeTypes={EDGE_TYPES}
            fitView
            fitViewOptions={{ padding: 0.06, maxZoom: 1.6 }}
            minZoom={0.1}
            maxZoom={3}
            nodesDraggable={false}
            nodesConnectable={false}
            elementsSelectable={false}
            edgesFocusable={false}
            proOptions={{ hideAttribution: true }}
            // a handler gives the cards pointer events (links, titles); a network card focuses its network
            onNodeClick={(_, node) => {
              if (node.type === 'network') change('network', node.data.card.networkID);
            }}
            aria-label="Network topology"
          >
            <Background gap={24} size={1.2} />
            <Controls showInteractive={false} position="bottom-right" />
          </ReactFlow>
        ) : null}
      </div>
    </div>
  );
}

function Legend() {
  return (
    <ul className="topology-legend" aria-label="Legend">
      <li>
        <span className="topo-dot" data-tone="ok" /> running
      </li>
      <li>
        <span className="topo-dot" data-tone="info" /> starting
      </li>
      <li>
        <span className="topo-dot" data-tone="warn" /> draining or unplaced
      </li>
      <li>
        <span className="topo-dot" data-tone="bad" /> unhealthy
      </li>
      <li>
        <span className="topo-legend-edge" data-kind="attachment" /> attached (VIP · aliases)
      </li>
      <li>
        <span className="topo-legend-edge" data-kind="published" /> published port
      </li>
      <li>
        <span className="topo-legend-edge" data-kind="backend" /> tasks on a node
      </li>
    </ul>
  );
}
