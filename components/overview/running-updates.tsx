'use client';

import { RowLink } from '../ui/row-link';
import { useMemo, useState } from 'react';
import type { Node, Service, Task } from '@/server/api/types';
import { nodeName } from '../cluster/derive';
import { UpdateStateBadge } from '../services/update-state';
import { useNow } from '../time/now';
import { ProgressMemo, progressModel } from '../updates/progress-model';
import { RolloutStrip } from '../updates/rollout-strip';

const NO_EVENTS: never[] = [];
const NO_TASKS: Task[] = [];

/**
 * One line per rollout under way: its state, "N of M updated" and its strip. The model falls back to
 * what the tasks show when no rollout events are loaded, so the overview needs no extra request.
 */
function RunningUpdate({
  service,
  tasks,
  nodes,
}: {
  service: Service;
  tasks: readonly Task[];
  nodes: ReadonlyMap<string, Node>;
}) {
  const now = useNow();
  // slots whose tasks did not change are not worked out again on the clock's tick
  const [memo] = useState(() => new ProgressMemo());
  const model = useMemo(
    () => progressModel(service, tasks, NO_EVENTS, now || Date.now(), (id) => nodeName(nodes.get(id), id), memo),
    [service, tasks, nodes, now, memo],
  );
  const verb = model.rollingBack ? 'rolled back' : 'updated';
  return (
    <li className="card running-update" data-phase={model.phase}>
      <div className="running-update-head">
        <RowLink href={`/services/${service.ID}`} className="running-update-name">
          {service.Spec.Name}
        </RowLink>
        <UpdateStateBadge status={service.UpdateStatus} />
        <span className="num running-update-count" data-testid="update-done">
          {model.done} of {model.total} {verb}
        </span>
      </div>
      <RolloutStrip cells={model.cells} rollingBack={model.rollingBack} label={`Slots of ${service.Spec.Name}`} />
      {model.message ? <p className="muted running-update-msg">{model.message}</p> : null}
    </li>
  );
}

export function RunningUpdates({
  services,
  byService,
  nodes,
}: {
  services: readonly Service[];
  byService: ReadonlyMap<string, readonly Task[]>;
  nodes: ReadonlyMap<string, Node>;
}) {
  if (services.length === 0) return null;
  return (
    <section aria-labelledby="updates-h" className="section">
      <h2 id="updates-h">Updates in progress</h2>
      <ul className="running-updates">
        {services.map((s) => (
          <RunningUpdate key={s.ID} service={s} tasks={byService.get(s.ID) ?? NO_TASKS} nodes={nodes} />
        ))}
      </ul>
    </section>
  );
}
