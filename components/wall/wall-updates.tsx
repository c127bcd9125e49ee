import { useMemo, useRef, useState } from 'react';
import type { Node, Service, Task } from '@/server/api/types';
import { nodeName } from '../cluster/derive';
import { ProgressMemo, progressModel, type Phase, type SlotCell } from '../updates/progress-model';
import { densityFor, RolloutStrip } from '../updates/rollout-strip';
import { StripCanvas } from '../updates/strip-canvas';
import { keepSameCells } from './updates-model';

const PHASE_TEXT: Record<Phase, string> = {
  idle: 'Idle',
  updating: 'Updating',
  paused: 'Paused',
  completed: 'Completed',
  'rolling-back': 'Rolling back',
  'rollback-paused': 'Rollback paused',
  'rolled-back': 'Rolled back',
};

const RUNNING = new Set(['updating', 'paused', 'rollback_started', 'rollback_paused']);

/** A service whose rollout is under way or stuck: what the rolling-updates view shows. */
export function updateInProgress(s: Service): boolean {
  return !!s.UpdateStatus && RUNNING.has(s.UpdateStatus.State);
}

/**
 * Rolling updates in progress, each with its strip (the same strip as the service page, read-only). A strip
 * of thousands of slots is worked out once a second, on the clock's tick, from the newest tables then: the
 * model reads every task of the service, and the wall redraws its tables several times a second.
 */
export function WallUpdates({
  services,
  tasks,
  nodes,
  now,
}: {
  services: ReadonlyMap<string, Service>;
  tasks: readonly Task[];
  nodes: ReadonlyMap<string, Node>;
  now: number;
}) {
  const [shown, setShown] = useState({ services, tasks, nodes, now });
  // derived state, set while rendering: React renders again at once with it, before anything is drawn
  if (shown.now !== now) setShown({ services, tasks, nodes, now });
  const running = [...shown.services.values()]
    .filter(updateInProgress)
    .sort((a, b) => a.Spec.Name.localeCompare(b.Spec.Name));
  if (!running.length) return <p className="wall-empty">No rolling updates</p>;
  return (
    <div className="wall-updates" aria-label="Rolling updates">
      {running.map((s) => (
        <UpdateRow key={s.ID} service={s} tasks={shown.tasks} nodes={shown.nodes} now={shown.now} />
      ))}
    </div>
  );
}

function UpdateRow({
  service: s,
  tasks,
  nodes,
  now,
}: {
  service: Service;
  tasks: readonly Task[];
  nodes: ReadonlyMap<string, Node>;
  now: number;
}) {
  // slots whose tasks did not change are not worked out again: at 10 % churn a second, most do not
  const [memo] = useState(() => new ProgressMemo());
  const p = useMemo(() => {
    const name = (id: string) => {
      const n = nodes.get(id);
      return n ? nodeName(n) : id.slice(0, 12);
    };
    return progressModel(s, tasks, [], now, name, memo);
  }, [s, tasks, nodes, now, memo]);
  // the cells that did not move stay the same objects: the strip redraws the ones that did
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
