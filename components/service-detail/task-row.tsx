'use client';

import { RowLink } from '../ui/row-link';
import type { Task } from '@/server/api/types';
import { healthOf } from '../nodes/node-view';
import { capitalize } from '../time/format';
import { Age } from '../ui/age';
import { CopyID } from '../ui/copy-id';
import { HealthBadge } from '../ui/health-badge';
import { useMay } from '../session/session-provider';
import type { SlotRestarts } from './slot-restarts';

export interface SlotToggle {
  expanded: boolean;
  count: number;
  onToggle(): void;
}

/** Why a PENDING task is not placed: the scheduler's error plus per-filter counts. */
function WhyPending({ task }: { task: Task }) {
  const sched = task.Scheduling;
  return (
    <div className="why">
      <span className="why-title">Not scheduled: </span>
      {task.Status.Err ?? task.Status.Message}
      {sched && sched.Filters.length > 0 ? (
        <ul className="why-filters" aria-label="Scheduler filters that rejected nodes">
          {sched.Filters.map((f) => (
            <li key={f.Name} title={f.Text}>
              <span className="mono">{f.Name}</span>{' '}
              <span className="num">
                rejected {f.Nodes} of {sched.TotalNodes} node{sched.TotalNodes === 1 ? '' : 's'}
              </span>
            </li>
          ))}
        </ul>
      ) : null}
    </div>
  );
}

export function TaskRow({
  task,
  name,
  nodeName,
  history,
  toggle,
  slotKey,
  spec,
  restarts,
}: {
  /** The slot's restart count and newest error (on the slot's current row only). */
  restarts?: SlotRestarts;
  /** The spec version the task ran, "v3 · nginx:1.27"; the image alone when unknown. */
  spec?: string;
  task: Task;
  name: string;
  nodeName: string;
  history: boolean;
  toggle?: SlotToggle;
  slotKey: string;
}) {
  const state = task.Status.State;
  const pending = state === 'pending';
  const logs = useMay('logs');
  return (
    <tr
      id={`task-${task.ID}`}
      className={history ? 'task-row history' : 'task-row current'}
      data-slot={slotKey}
      data-state={state}
      data-task-id={task.ID}
    >
      <td className="cell-toggle">
        {toggle && toggle.count > 0 ? (
          <button
            type="button"
            className="slot-toggle"
            aria-expanded={toggle.expanded}
            aria-label={`${toggle.expanded ? 'Hide' : 'Show'} ${toggle.count} older task${toggle.count === 1 ? '' : 's'} of ${name}`}
            onClick={toggle.onToggle}
          >
            <span className="chev" aria-hidden="true" />
            <span className="num">{toggle.count}</span>
          </button>
        ) : null}
      </td>
      <td className="mono wrap-cell cell-name" title={name}>
        {logs ? (
          <RowLink
            className="row-logs"
            href={`/services/${encodeURIComponent(task.ServiceID)}/logs?task=${encodeURIComponent(task.ID)}`}
            aria-label={`Logs of ${name} (task ${task.ID.slice(0, 12)})`}
          >
            logs
          </RowLink>
        ) : null}
        {history ? <span className="history-mark">{' \\_ '}</span> : null}
        {name}
      </td>
      <td>
        <CopyID id={task.ID} />
      </td>
      <td className="mono wrap-cell" title={spec ?? task.Spec.ContainerSpec.Image}>
        {spec ? (
          <span className="spec-version" data-testid="task-spec-version">
            {spec.split(' · ')[0]}
          </span>
        ) : null}
        {spec ? ' · ' : null}
        {task.Spec.ContainerSpec.Image}
      </td>
      <td className="wrap-cell" title={task.NodeID || undefined}>
        {nodeName}
      </td>
      <td>{capitalize(task.DesiredState)}</td>
      <td className="cell-state">
        <span className="state" data-state={state}>
          {capitalize(state)}
        </span>{' '}
        <Age at={task.Status.Timestamp} />
      </td>
      <td className="cell-health">
        <HealthBadge health={healthOf(task)} />
      </td>
      <td className="cell-error">
        {restarts && restarts.restarts > 0 ? (
          <span
            className="restart-count num"
            data-testid="slot-restarts"
            title="Tasks of this slot that failed and were replaced"
          >
            ↻ {restarts.restarts} restart{restarts.restarts === 1 ? '' : 's'}
          </span>
        ) : null}
        {pending ? (
          <WhyPending task={task} />
        ) : task.Status.Err ? (
          task.Status.Err
        ) : restarts?.lastError ? (
          <span className="last-error" data-testid="slot-last-error">
            <span className="muted">last: </span>
            {restarts.lastError.err} <Age at={restarts.lastError.at} />
          </span>
        ) : (
          ''
        )}
      </td>
    </tr>
  );
}
