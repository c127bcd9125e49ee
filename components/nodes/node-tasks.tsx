'use client';

import { RowLink } from '../ui/row-link';
import { useState } from 'react';
import { capitalize } from '../time/format';
import { Age } from '../ui/age';
import { CopyID } from '../ui/copy-id';
import { HealthBadge } from '../ui/health-badge';
import { SkeletonRows } from '../ui/skeleton';
import { healthOf, type NodeTaskRow } from './node-view';

const COLS = 7;

/** `docker node ps`, live: the node's tasks by service.slot, finished ones on request. */
export function NodeTasks({
  active,
  finished,
  loaded,
}: {
  active: readonly NodeTaskRow[];
  finished: readonly NodeTaskRow[];
  loaded: boolean;
}) {
  const [showFinished, setShowFinished] = useState(false);
  const rows = showFinished ? [...active, ...finished] : active;
  return (
    <section className="section" aria-labelledby="node-tasks-h">
      <div className="section-head">
        <h2 id="node-tasks-h">
          Tasks{' '}
          <span className="muted num">
            {active.length} active · {finished.length} finished
          </span>
        </h2>
        <label className="switch">
          <input type="checkbox" checked={showFinished} onChange={(e) => setShowFinished(e.target.checked)} />
          <span>Show finished</span>
        </label>
      </div>
      <div className="table-wrap">
        <table className="data-table node-task-table">
          <colgroup>
            <col className="col-task-name" />
            <col className="col-id" />
            <col className="col-image" />
            <col className="col-desired" />
            <col className="col-current" />
            <col className="col-health" />
            <col className="col-error" />
          </colgroup>
          <thead>
            <tr>
              <th scope="col">Name</th>
              <th scope="col">ID</th>
              <th scope="col">Image</th>
              <th scope="col">Desired state</th>
              <th scope="col">Current state</th>
              <th scope="col">Health</th>
              <th scope="col">Error</th>
            </tr>
          </thead>
          <tbody>
            {!loaded ? <SkeletonRows rows={3} cols={COLS} /> : null}
            {loaded && rows.length === 0 ? (
              <tr>
                <td colSpan={COLS} className="empty">
                  No tasks on this node.
                </td>
              </tr>
            ) : null}
            {rows.map(({ task, name }) => (
              <tr
                key={task.ID}
                className="task-row node-task"
                data-state={task.Status.State}
                data-task-id={task.ID}
                data-finished={!active.some((r) => r.task === task) || undefined}
              >
                <td className="mono wrap-cell" title={name}>
                  <RowLink href={`/services/${encodeURIComponent(task.ServiceID)}`}>{name}</RowLink>
                </td>
                <td>
                  <CopyID id={task.ID} />
                </td>
                <td className="mono wrap-cell" title={task.Spec.ContainerSpec.Image}>
                  {task.Spec.ContainerSpec.Image}
                </td>
                <td>{capitalize(task.DesiredState)}</td>
                <td className="cell-state">
                  <span className="state" data-state={task.Status.State}>
                    {capitalize(task.Status.State)}
                  </span>{' '}
                  <Age at={task.Status.Timestamp} />
                </td>
                <td className="cell-health">
                  <HealthBadge health={healthOf(task)} />
                </td>
                <td className="cell-error">{task.Status.Err ?? ''}</td>
              </tr>
            ))}
          </tbody>
        </table>
      </div>
    </section>
  );
}
