import { useMemo, useRef } from 'react';
import type { Phase, SlotCell } from '../updates/progress-model';
import { densityFor, RolloutStrip } from '../updates/rollout-strip';
import { StripCanvas } from '../updates/strip-canvas';
import { keepSameCells, type WallRollout } from './updates-model';

const PHASE_TEXT: Record<Phase, string> = {
  idle: 'Idle',
  updating: 'Updating',
  paused: 'Paused',
  completed: 'Completed',
  'rolling-back': 'Rolling back',
  'rollback-paused': 'Rollback paused',
  'rolled-back': 'Rolled back',
};

/**
 * Rolling updates in progress, each with its strip (the same strip as the service page, read-only). The
 * models come worked out (wallRollouts, once a second on the clock's tick, by the wall page whichever view
 * is on screen): this only draws them.
 */
export function WallUpdates({ rollouts }: { rollouts: readonly WallRollout[] }) {
  if (!rollouts.length) return <p className="wall-empty">No rolling updates</p>;
  return (
    <div className="wall-updates" aria-label="Rolling updates">
      {rollouts.map((r) => (
        <UpdateRow key={r.service.ID} rollout={r} />
      ))}
    </div>
  );
}

function UpdateRow({ rollout: { service: s, model: p } }: { rollout: WallRollout }) {
  // the cells that read the same stay the same objects: the strip redraws the ones that moved
  const lastCells = useRef<readonly SlotCell[] | undefined>(undefined);
  const cells = useMemo(() => {
    const kept = keepSameCells(lastCells.current, p.cells);
    lastCells.current = kept;
    return kept;
  }, [p.cells]);
  return (
    <section className="wall-update" data-phase={p.phase}>
      <div className="wall-update-head">
        <h2>{s.Spec.Name}</h2>
        <span className="wall-update-phase">{PHASE_TEXT[p.phase]}</span>
        <span className="num wall-update-done">
          {p.done}/{p.total}
        </span>
      </div>
      {/* small cells carry no glyph or label: past that, one canvas instead of an element per slot (a
          5,000-slot strip kept the wall in style and layout for seconds at a time) */}
      {densityFor(cells.length) === 's' ? (
        <StripCanvas cells={cells} rollingBack={p.rollingBack} label={`${s.Spec.Name} rollout`} />
      ) : (
        <RolloutStrip cells={cells} rollingBack={p.rollingBack} label={`${s.Spec.Name} rollout`} />
      )}
      {p.message ? <p className="wall-update-msg">{p.message}</p> : null}
    </section>
  );
}
