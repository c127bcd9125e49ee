import type { Node, Service, Task } from '@/server/api/types';
import { nodeName } from '../cluster/derive';
import { progressModel, type Phase } from '../updates/progress-model';
import { RolloutStrip } from '../updates/rollout-strip';

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

/** Rolling updates in progress, each with its strip (the same strip as the service page, read-only). */
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
  const running = [...services.values()]
    .filter(updateInProgress)
    .sort((a, b) => a.Spec.Name.localeCompare(b.Spec.Name));
  const name = (id: string) => {
    const n = nodes.get(id);
    return n ? nodeName(n) : id.slice(0, 12);
  };
  if (!running.length) return <p className="wall-empty">No rolling updates</p>;
  return (
    <div className="wall-updates" aria-label="Rolling updates">
      {running.map((s) => {
        const p = progressModel(s, tasks, [], now, name);
        return (
          <section key={s.ID} className="wall-update" data-phase={p.phase}>
            <div className="wall-update-head">
              <h2>{s.Spec.Name}</h2>
              <span className="wall-update-phase">{PHASE_TEXT[p.phase]}</span>
              <span className="num wall-update-done">
                {p.done}/{p.total}
              </span>
            </div>
            <RolloutStrip cells={p.cells} rollingBack={p.rollingBack} label={`${s.Spec.Name} rollout`} />
            {p.message ? <p className="wall-update-msg">{p.message}</p> : null}
          </section>
        );
      })}
    </div>
  );
}
