import { memo, useMemo, useRef, type CSSProperties } from 'react';
import type { Density, MapPlan } from './density-model';
import type { MapColumn, MapModel } from './engine-protocol';
import { MapCells, UNPLACED_SLOT } from './map-cells';
import type { NodeCondition, WallTask } from './wall-model';

const CONDITION_TEXT: Record<NodeCondition, string> = {
  ok: '',
  down: 'Down',
  disconnected: 'Disconnected',
  unknown: 'Unknown',
  drained: 'Drained',
  paused: 'Paused',
};

/**
 * The cluster map: a box per node holding its tasks, as cards, chips or heat
 * cells (the plan says which). A node's box is drawn again only when its
 * column is a new object (wallModel hands back unchanged columns as they
 * were), so a redraw under churn touches the few nodes whose tasks changed.
 * `hidden`: kept mounted but not drawn while another view is on screen, so
 * that turning back to the map does not build 5,000 cells in one go.
 * `unplacedBox`: the "Not placed" box is shown (the page holds it a while after its last task went).
 */
export const WallMap = memo(function WallMap({
  model: m,
  plan,
  unplacedBox,
  loaded,
  hidden = false,
}: {
  model: MapModel;
  plan: MapPlan;
  unplacedBox: boolean;
  loaded: boolean;
  hidden?: boolean;
}) {
  const style = {
    '--grid-cols': plan.gridColumns,
    '--grid-rows': plan.gridRows,
    '--cell': `${plan.cellPx}px`,
    '--scale': plan.scale,
  } as CSSProperties;
  const ref = useRef<HTMLDivElement>(null);
  const unplacedCellPx = plan.unplacedCellPx ?? plan.cellPx;
  // a held box with no task left is painted empty (its old cells cleared)
  const unplaced = useMemo(
    () => (unplacedBox ? { cells: m.unplaced.cells, cellPx: unplacedCellPx } : undefined),
    [m.unplaced, unplacedCellPx, unplacedBox],
  );
  return (
    <div
      ref={ref}
      className="wall-map"
      data-density={plan.density}
      data-hidden={hidden || undefined}
      aria-hidden={hidden || undefined}
      style={style}
      // a named region: a plain div may not carry a name (axe flags it whenever the map has no boxes yet)
      role="region"
      aria-label="Cluster map"
    >
      {m.columns.map((c) => (
        <NodeBox key={c.nodeID} column={c} density={plan.density} />
      ))}
      {unplacedBox ? (
        <section
          className="wall-node"
          data-condition="unplaced"
          aria-label="Tasks not placed on any node"
          style={plan.unplacedCellPx ? ({ '--cell': `${plan.unplacedCellPx}px` } as CSSProperties) : undefined}
        >
          <div className="wall-node-head">
            <h2 className="wall-node-name">Not placed</h2>
            <span className="wall-node-state">{m.unplaced.count ? 'no suitable node' : 'none now'}</span>
          </div>
          {plan.density === 'cells' ? (
            <div
              className="wall-tasks wall-cells"
              data-cells-for={UNPLACED_SLOT}
              role="img"
              aria-label={m.unplaced.summary}
            />
          ) : (
            <TaskList tasks={m.unplaced.cards} density={plan.density} />
          )}
        </section>
      ) : null}
      {loaded && m.columns.length === 0 ? <p className="wall-empty">No nodes</p> : null}
      {plan.density === 'cells' ? (
        <MapCells
          columns={m.columns}
          cellPx={plan.cellPx}
          unplaced={unplaced}
          grid={`${plan.gridColumns}x${plan.gridRows}`}
          map={ref}
          hidden={hidden}
        />
      ) : null}
    </div>
  );
});

const NodeBox = memo(function NodeBox({ column: c, density }: { column: MapColumn; density: Density }) {
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
      {/* heat cells: an empty slot the map's canvas paints (map-cells.tsx); a screen reader hears the counts */}
      {density === 'cells' ? (
        <div className="wall-tasks wall-cells" data-cells-for={c.nodeID} role="img" aria-label={c.summary} />
      ) : (
        <TaskList tasks={c.cards} density={density} />
      )}
    </section>
  );
});

/** A heat cell is its square alone (no text: it is too small to carry any); cards and chips carry their names. */
function TaskList({ tasks, density }: { tasks: readonly WallTask[]; density: Density }) {
  return (
    <ul className="wall-tasks">
      {tasks.map((t) => (
        <li
          key={t.id}
          className={`wall-task wall-hue-${t.hue}`}
          data-look={t.look}
          data-state={t.state}
          title={`${t.label}: ${t.state}`}
        >
          {density === 'cells' ? null : (
            <>
              <span className="wall-task-name">
                <span className="ellipsis">{t.service}</span>
                {t.slot}
              </span>
              <span className="wall-task-state">{t.look === 'running' ? '' : t.state}</span>
            </>
          )}
        </li>
      ))}
    </ul>
  );
}
