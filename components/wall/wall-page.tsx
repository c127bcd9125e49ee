'use client';

import { useMemo, type CSSProperties } from 'react';
import { useClusterView } from '../realtime/use-cluster';
import { ConnectionIndicator } from '../realtime/connection-indicator';
import { wallModel, type NodeCondition, type WallColumn, type WallTask } from './wall-model';

const CONDITION_TEXT: Record<NodeCondition, string> = {
  ok: '',
  down: 'Down',
  disconnected: 'Disconnected',
  unknown: 'Unknown',
  drained: 'Drained',
  paused: 'Paused',
};

const hueStyle = (hue: number) => ({ '--hue': hue }) as CSSProperties;

/**
 * `/wall`: the cluster map for a wall screen. A column per node, a card per
 * task coloured by its service, live from the console's socket; nothing to
 * click. Issue #13 grows it (rotation, alerts, 4K sizing).
 */
export function WallPage() {
  const view = useClusterView();
  const { node, service, task, cluster } = view.tables;
  const m = useMemo(() => wallModel(node.values(), service, task.values()), [node, service, task]);
  const name = cluster.values().next().value?.Spec.Name;
  const columns = m.columns.length + (m.unplaced.length ? 1 : 0);
  return (
    <div className="wall" data-loaded={view.loaded || undefined} data-testid="wall">
      <header className="wall-head">
        <span className="wall-title">
          <span className="brand-mark" aria-hidden="true" />
          {name ? `${name}` : 'Swarmdeck'}
        </span>
        <span className="wall-stat num" aria-label="Nodes ready">
          <b>{view.loaded ? `${m.nodesReady}/${m.columns.length}` : '–'}</b> nodes ready
        </span>
        <span className="wall-stat num" aria-label="Tasks running">
          <b>{view.loaded ? `${m.tasksRunning}/${m.tasksWanted}` : '–'}</b> tasks running
        </span>
        <span className="wall-stat num">
          <b>{view.loaded ? m.services.length : '–'}</b> services
        </span>
        <span className="wall-spacer" />
        <ConnectionIndicator />
      </header>
      <main
        className="wall-map"
        style={{ '--columns': Math.max(columns, 1) } as CSSProperties}
        aria-label="Cluster map"
      >
        {m.columns.map((c) => (
          <NodeColumn key={c.nodeID} column={c} />
        ))}
        {m.unplaced.length ? (
          <section className="wall-node" data-condition="unplaced" aria-label="Tasks not placed on any node">
            <div className="wall-node-head">
              <h2 className="wall-node-name">Not placed</h2>
              <span className="wall-node-state">no suitable node</span>
            </div>
            <TaskCards tasks={m.unplaced} />
          </section>
        ) : null}
        {view.loaded && m.columns.length === 0 ? <p className="wall-empty">No nodes</p> : null}
      </main>
      <footer className="wall-legend" aria-label="Services">
        {m.services.map((s) => (
          <span key={s.id} className="wall-legend-item" style={hueStyle(s.hue)}>
            <span className="wall-swatch" aria-hidden="true" />
            {s.name}
            <span className="num muted">
              {s.running}/{s.desired}
            </span>
          </span>
        ))}
      </footer>
    </div>
  );
}

function NodeColumn({ column: c }: { column: WallColumn }) {
  const state = CONDITION_TEXT[c.condition];
  return (
    <section
      className="wall-node"
      data-condition={c.condition}
      data-leader={c.leader || undefined}
      data-node={c.name}
      aria-label={`Node ${c.name}${c.leader ? ', leader' : ''}${state ? `, ${state.toLowerCase()}` : ''}`}
    >
      <div className="wall-node-head">
        <h2 className="wall-node-name">{c.name}</h2>
        <span className="wall-node-role">{c.leader ? 'Leader' : c.manager ? 'Manager' : 'Worker'}</span>
        {state ? <span className="wall-node-state">{state}</span> : null}
      </div>
      <TaskCards tasks={c.tasks} />
    </section>
  );
}

function TaskCards({ tasks }: { tasks: WallTask[] }) {
  return (
    <ul className="wall-tasks">
      {tasks.map((t) => (
        <li
          key={t.id}
          className="wall-task"
          data-look={t.look}
          data-state={t.state}
          style={hueStyle(t.hue)}
          title={`${t.label}: ${t.state}`}
        >
          <span className="wall-task-name">
            <span className="ellipsis">{t.service}</span>
            {t.slot}
          </span>
          <span className="wall-task-state">{t.look === 'running' ? '' : t.state}</span>
        </li>
      ))}
    </ul>
  );
}
