import { memo } from 'react';
import type { Phase } from '../updates/progress-model';
import { densityFor, RolloutStrip } from '../updates/rollout-strip';
import { StripCanvas } from '../updates/strip-canvas';
import type { WallRolloutView } from './engine-protocol';

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
 * rollouts come worked out (by the wall's engine, once a second whichever view is on screen), with the
 * cells that read the same as before kept as the same objects: this only draws them.
 */
export const WallUpdates = memo(function WallUpdates({ rollouts }: { rollouts: readonly WallRolloutView[] }) {
  if (!rollouts.length) return <p className="wall-empty">No rolling updates</p>;
  return (
    <div className="wall-updates" role="region" aria-label="Rolling updates">
      {rollouts.map((r) => (
        <UpdateRow key={r.serviceID} rollout={r} />
      ))}
    </div>
  );
});

function UpdateRow({ rollout: p }: { rollout: WallRolloutView }) {
  const { cells, name } = p;
  return (
    <section className="wall-update" data-phase={p.phase}>
      <div className="wall-update-head">
        <h2>{name}</h2>
        <span className="wall-update-phase">{PHASE_TEXT[p.phase]}</span>
        <span className="num wall-update-done">
          {p.done}/{p.total}
        </span>
      </div>
      {/* small cells carry no glyph or label: past that, one canvas instead of an element per slot (a
          5,000-slot strip kept the wall in style and layout for seconds at a time) */}
      {densityFor(cells.length) === 's' ? (
        <StripCanvas cells={cells} rollingBack={p.rollingBack} label={`${name} rollout`} />
      ) : (
        <RolloutStrip cells={cells} rollingBack={p.rollingBack} label={`${name} rollout`} />
      )}
      {p.message ? <p className="wall-update-msg">{p.message}</p> : null}
    </section>
  );
}
