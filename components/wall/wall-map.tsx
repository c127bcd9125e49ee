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
  // the grid as the map's own properties, which its boxes do not inherit: a custom property set here was
  // inherited by every element of the map, and a change of the plan restyled 2,000 of them at 500 nodes.
  // Heat cells are the canvas's to size (map-cells.tsx); only cards read a scale, and there are few of them
  const style = {
    gridTemplateColumns: `repeat(${plan.gridColumns}, minmax(0, 1fr))`,
    gridTemplateRows: `repeat(${plan.gridRows}, minmax(0, 1fr))`,
    ...(plan.density === 'cards' ? { '--scale': plan.scale } : {}),
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
        <section className="wall-node" data-condition="unplaced" aria-label="Tasks not placed on any node">
          <div className="wall-node-head">
            <h2 className="wall-node-name">Not placed</h2>
            <span className="wall-node-state">{m.unplaced.count ? 'no suitable node' : 'none now'}</span>
          </div>
          {plan.density === 'cells' ? (
            <div
              className="wall-tasks wall-cells"
              data-cells-for={UNPLACED_SLOT}
              data-cell={unplacedCellPx}
              role="img"
              aria-label={m.unplaced.summary}
            />
          ) : (
            <TaskList tasks={m.unplaced.cards} />
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
        <TaskList tasks={c.cards} />
      )}
    </section>
  );
});

/** Cards and chips: an element per task, carrying its name (heat cells are painted: map-cells.tsx). */
function TaskList({ tasks }: { tasks: readonly WallTask[] }) {
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
