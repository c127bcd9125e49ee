import type { CSSProperties } from 'react';
import type { DensityPlan } from './density-model';
import type { NodeCondition, WallColumn, WallModel, WallTask } from './wall-model';

const CONDITION_TEXT: Record<NodeCondition, string> = {
  ok: '',
  down: 'Down',
  disconnected: 'Disconnected',
  unknown: 'Unknown',
  drained: 'Drained',
  paused: 'Paused',
};

const hueStyle = (hue: number) => ({ '--hue': hue }) as CSSProperties;

/** The cluster map: a box per node holding its tasks, as cards, chips or heat cells (the plan says which). */
export function WallMap({ model: m, plan, loaded }: { model: WallModel; plan: DensityPlan; loaded: boolean }) {
  const style = {
    '--grid-cols': plan.gridColumns,
    '--grid-rows': plan.gridRows,
    '--cell': `${plan.cellPx}px`,
    '--scale': plan.scale,
  } as CSSProperties;
  return (
    <div className="wall-map" data-density={plan.density} style={style} aria-label="Cluster map">
      {m.columns.map((c) => (
        <NodeBox key={c.nodeID} column={c} />
      ))}
      {m.unplaced.length ? (
        <section className="wall-node" data-condition="unplaced" aria-label="Tasks not placed on any node">
          <div className="wall-node-head">
            <h2 className="wall-node-name">Not placed</h2>
            <span className="wall-node-state">no suitable node</span>
          </div>
          <TaskList tasks={m.unplaced} />
        </section>
      ) : null}
      {loaded && m.columns.length === 0 ? <p className="wall-empty">No nodes</p> : null}
    </div>
  );
}

function NodeBox({ column: c }: { column: WallColumn }) {
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
      <TaskList tasks={c.tasks} />
    </section>
  );
}

function TaskList({ tasks }: { tasks: WallTask[] }) {
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
