'use client';

import Link from 'next/link';
import { RowLink } from '../ui/row-link';
import { memo, useMemo } from 'react';
import type { ReplicaCounts } from '@/server/api/replica-counts';
import type { Service, Task } from '@/server/api/types';
import { modeOf, naturalCompare, replicaCounts, tasksByService } from '../cluster/derive';
import { useClusterView } from '../realtime/use-cluster';
import { useTaskCounts } from '../realtime/counts-store';
import { useTaskScope } from '../realtime/task-scope';
import { Allowed } from '../session/session-provider';
import { Age } from '../ui/age';
import { SkeletonRows } from '../ui/skeleton';
import { FaultMarker } from '../faults/fault-marker';
import { Replicas } from './replicas';
import { JobReplicas } from '../jobs/job-progress';
import { isJobService } from '../jobs/job-progress-model';
import { UpdateStateBadge } from './update-state';

/**
 * `docker service ls`, live. `compact` drops the time columns (overview). It holds the tasks
 * of job services only (their progress cell draws them): the others' REPLICAS come counted
 * by the server, so a 10,000-task rollout sends this page counts, not tasks.
 */
export function ServicesTable({ compact = false }: { compact?: boolean }) {
  const view = useClusterView();
  const counted = useTaskCounts().services;
  const { service, task } = view.tables;
  const jobs = useMemo(() => [...service.values()].filter(isJobService).map((s) => s.ID), [service]);
  useTaskScope(jobs);
  const rows = useMemo(() => {
    const byService = tasksByService(task.values());
    return [...service.values()]
      .sort((a, b) => naturalCompare(a.Spec.Name, b.Spec.Name))
      .map((s) => {
        const tasks = byService.get(s.ID) ?? NO_TASKS;
        // a service created a moment ago may come before its first count
        return { s, tasks, counts: counted.get(s.ID) ?? replicaCounts(s, tasks) };
      });
  }, [service, task, counted]);
  const cols = compact ? 4 : 7;
  return (
    <div className="table-wrap">
      <table className="data-table services-table" data-compact={compact || undefined}>
        <colgroup>
          <col className="col-name" />
          <col className="col-mode" />
          <col className="col-replicas" />
          <col className="col-image" />
          {compact ? null : (
            <>
              <col className="col-update" />
              <col className="col-age" />
              <col className="col-age" />
            </>
          )}
        </colgroup>
        <thead>
          <tr>
            <th scope="col">Name</th>
            <th scope="col">Mode</th>
            <th scope="col">Replicas</th>
            <th scope="col">Image</th>
            {compact ? null : (
              <>
                <th scope="col">Update</th>
                <th scope="col">Created</th>
                <th scope="col">Updated</th>
              </>
            )}
          </tr>
        </thead>
        <tbody>
          {!view.loaded ? <SkeletonRows rows={3} cols={cols} /> : null}
          {view.loaded && rows.length === 0 ? (
            <tr>
              <td colSpan={cols} className="empty">
                No services yet.{' '}
                <Allowed to="createService">
                  <Link href="/services/new">Create one</Link>.
                </Allowed>
              </td>
            </tr>
          ) : null}
          {rows.map(({ s, tasks, counts }) => (
            <ServiceRow key={s.ID} s={s} tasks={tasks} counts={counts} compact={compact} />
          ))}
        </tbody>
      </table>
    </div>
  );
}

const NO_TASKS: readonly Task[] = [];

/**
 * One service's row. Memoised: a counts frame changes one service's counts (the others keep
 * theirs, same objects), so a rollout re-renders its own row, not the 200 around it.
 */
const ServiceRow = memo(function ServiceRow({
  s,
  tasks,
  counts,
  compact,
}: {
  s: Service;
  tasks: readonly Task[];
  counts: ReplicaCounts;
  compact: boolean;
}) {
  return (
    <tr>
      <td className="wrap-cell">
        <FaultMarker faults={s.Faults} />
        <RowLink href={`/services/${s.ID}`} className="row-link" title={s.ID}>
          {s.Spec.Name}
        </RowLink>
      </td>
      <td>{modeOf(s)}</td>
      <td>
        {isJobService(s) ? (
          <JobReplicas service={s} tasks={tasks} />
        ) : (
          <Replicas running={counts.running} desired={counts.desired} />
        )}
      </td>
      <td className="mono wrap-cell" title={s.Spec.TaskTemplate.ContainerSpec.Image}>
        {s.Spec.TaskTemplate.ContainerSpec.Image}
      </td>
      {compact ? null : (
        <>
          <td>
            <UpdateStateBadge status={s.UpdateStatus} />
          </td>
          <td>
            <Age at={s.CreatedAt} />
          </td>
          <td>
            <Age at={s.UpdatedAt} />
          </td>
        </>
      )}
    </tr>
  );
});
