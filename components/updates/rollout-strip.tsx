import { memo } from 'react';
import { CELL_STATES, type CellState, type SlotCell } from './progress-model';

/** Shape and glyph carry the state as well as colour (colour-blind users, a wall across the room). */
export const CELL_TEXT: Record<CellState, { name: string; glyph: string }> = {
  old: { name: 'previous spec', glyph: '' },
  stopping: { name: 'stopping old task', glyph: '↓' },
  starting: { name: 'starting', glyph: '↑' },
  running: { name: 'updated', glyph: '✓' },
  'rolled-back': { name: 'rolled back', glyph: '↺' },
  failed: { name: 'failed', glyph: '✕' },
};

/** Cell size by slot count: labelled tiles for a handful, glyph tiles for dozens, pattern chips for 100+. */
export type Density = 'xl' | 'l' | 'm' | 's';
export function densityFor(count: number): Density {
  if (count <= 12) return 'xl';
  if (count <= 48) return 'l';
  if (count <= 160) return 'm';
  return 's';
}

function cellTitle(c: SlotCell, rollingBack: boolean): string {
  const name = c.state === 'running' && rollingBack ? 'on the rollback spec' : CELL_TEXT[c.state].name;
  const parts = [`Slot ${c.label}: ${name}`];
  if (c.taskState) parts.push(`task ${c.taskState}`);
  if (c.health) parts.push(`health ${c.health}`);
  if (c.monitoring) parts.push('in the monitor window');
  if (c.err) parts.push(c.err);
  return parts.join(' · ');
}

const Cell = memo(function Cell({
  cell,
  rollingBack,
  showLabel,
}: {
  cell: SlotCell;
  rollingBack: boolean;
  showLabel: boolean;
}) {
  const glyph = cell.state === 'running' && cell.health === 'healthy' ? '♥' : CELL_TEXT[cell.state].glyph;
  const title = cellTitle(cell, rollingBack);
  return (
    <li
      className="slot-cell"
      data-state={cell.state}
      data-monitoring={cell.monitoring || undefined}
      data-slot={cell.key}
      title={title}
      aria-label={title}
    >
      {showLabel ? <span className="slot-cell-label num">{cell.label}</span> : null}
      <span className="slot-cell-glyph" aria-hidden="true">
        {glyph}
      </span>
    </li>
  );
});

/** What a strip draws, as elements (RolloutStrip) or on a canvas (StripCanvas). */
export interface StripProps {
  cells: readonly SlotCell[];
  rollingBack: boolean;
  label: string;
}

export function RolloutStrip({ cells, rollingBack, label }: StripProps) {
  const density = densityFor(cells.length);
  // a global service's cells are labelled by hostname: they grow to fit it instead of cutting it
  const names = cells.some((c) => !/^\d+$/.test(c.label));
  return (
    <ol className="rollout-strip" data-density={density} data-labels={names ? 'names' : undefined} aria-label={label}>
      {cells.map((c) => (
        <Cell key={c.key} cell={c} rollingBack={rollingBack} showLabel={density === 'xl' || density === 'l'} />
      ))}
    </ol>
  );
}

/** The key to the strip, with live counts (fixed-width numbers: nothing shifts as they change). */
export function StripLegend({ counts }: { counts: Record<CellState, number> }) {
  return (
    <ul className="strip-legend" aria-label="Slot states">
      {CELL_STATES.map((s) => (
        <li key={s} data-empty={counts[s] === 0 || undefined}>
          <span className="slot-cell legend-swatch" data-state={s} aria-hidden="true">
            <span className="slot-cell-glyph">{CELL_TEXT[s].glyph}</span>
          </span>
          <span className="legend-name">{CELL_TEXT[s].name}</span>
          <span className="legend-count num" data-testid={`count-${s}`}>
            {counts[s]}
          </span>
        </li>
      ))}
    </ul>
  );
}
