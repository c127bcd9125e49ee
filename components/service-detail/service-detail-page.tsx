'use client';

import Link from 'next/link';
import { useMemo } from 'react';
import type { Service, Task } from '@/server/api/types';
import { groupSlots, modeOf, nodeName, replicaCounts } from '../cluster/derive';
import { useClusterView } from '../realtime/use-cluster';
import { useTaskCounts } from '../realtime/counts-store';
import { holdsTasksOf, useTaskScope } from '../realtime/task-scope';
import { Replicas } from '../services/replicas';
import { formatBytes, formatCpus } from '../time/format';
import { Age } from '../ui/age';
import { Badge } from '../ui/badge';
import { RolloutPanel } from '../updates/rollout-panel';
import { SpecHistory, UpdateHistory } from '../updates/spec-history';
import { useServiceVersion, useServiceVersions, useVersionNotices } from '../updates/use-versions';
import { imageOf, versionIndexForTask, versionLabel } from '../updates/versions';
import { ServiceActions } from './service-actions';
import { Allowed } from '../session/session-provider';
import { TaskTable } from './task-table';
import { NotFoundPage } from '../ui/not-found-page';
import { FaultBanner } from '../faults/fault-banner';
import { serviceMeshErrors } from '@/server/api/mesh-errors';
import { MeshErrorBanner } from './mesh-errors';
import { JobProgressPanel, JobReplicas } from '../jobs/job-progress';
import { isJobService } from '../jobs/job-progress-model';

import { EventTimeline } from '../events/event-timeline';
import { eventsStamp, useObjectEvents } from '../events/use-object-events';

function findService(services: ReadonlyMap<string, Service>, ref: string): Service | undefined {
  const direct = services.get(ref);
  if (direct) return direct;
  for (const s of services.values()) if (s.Spec.Name === ref) return s;
  return undefined;
}

export function ServiceDetailPage({ id }: { id: string }) {
  const view = useClusterView();
  const { service: services, task: allTasks, node } = view.tables;
  const service = findService(services, id);
  const sid = service?.ID;
  // this page draws this service's tasks only; until the socket sent them, it shows them loading
  useTaskScope(sid ? [sid] : undefined);
  const tasksHeld = view.loaded && !!sid && holdsTasksOf(view.taskScope, sid);
  const counted = useTaskCounts().services;
  const tasks = useMemo(() => (sid ? [...allTasks.values()].filter((t) => t.ServiceID === sid) : []), [allTasks, sid]);
  const host = useMemo(() => (nodeID: string) => nodeName(node.get(nodeID), nodeID), [node]);
  const meshErrors = useMemo(() => (sid ? serviceMeshErrors(sid, node.values()) : []), [sid, node]);
  const serviceName = service?.Spec.Name ?? '';
  // the service's events (its own and its tasks'), read again when the socket changes either
  const subject = useMemo(() => (sid ? { kind: 'service' as const, id: sid } : undefined), [sid]);
  const eventLog = useObjectEvents(subject, eventsStamp(service?.Version.Index, tasks));
  const groups = useMemo(() => groupSlots(tasks, serviceName, host), [tasks, serviceName, host]);
  // spec history comes over HTTP, refetched on the socket's notices
  useVersionNotices();
  const versions = useServiceVersions(sid).data;
  const currentID = versions?.ServiceID === sid ? versions?.CurrentID : undefined;
  const current = useServiceVersion(sid, currentID).data;
  const events = useMemo(() => current?.Update?.Events ?? [], [current]);
  const specOf = useMemo(() => {
    const list = versions?.Versions ?? [];
    return (t: Task) => {
      const i = versionIndexForTask(list, t);
      return i === undefined ? undefined : `${versionLabel(list[i]!)} · ${imageOf(list[i]!)}`;
    };
  }, [versions]);

  if (view.loaded && !service) {
    return <NotFoundPage kind="service" id={id} back={{ href: '/services', label: 'Back to services' }} />;
  }

  const counts = service
    ? tasksHeld
      ? replicaCounts(service, tasks)
      : (counted.get(service.ID) ?? replicaCounts(service, []))
    : { running: 0, desired: 0 };
  // a running or paused rollout goes to the top of the page; otherwise the last one is a section below the actions
  const st = service?.UpdateStatus?.State;
  // a service the orchestrator cannot reconcile has no rollout to show: its banner says why
  const unreconciled = !!service?.Faults?.some((f) => f.Loop === 'orchestrator');
  // a job has no rolling update: each update runs it again, and its panel shows that run
  const job = !!service && isJobService(service);
  const rolloutPanel =
    unreconciled || job
      ? 'none'
      : st === 'updating' || st === 'paused' || st === 'rollback_started' || st === 'rollback_paused'
        ? 'top'
        : 'section';
  const res = service?.Spec.TaskTemplate.Resources?.Reservations;
  return (
    <div className="page">
      <nav aria-label="Breadcrumb" className="crumbs">
        <Link href="/services">Services</Link> <span aria-hidden="true">/</span>
      </nav>
      <div className="page-head">
        <h1>{service ? service.Spec.Name : <span className="skeleton skeleton-title" />}</h1>
        {service ? (
          <>
            <Badge>{modeOf(service)}</Badge>
            {job ? (
              <JobReplicas service={service} tasks={tasks} />
            ) : (
              <Replicas running={counts.running} desired={counts.desired} />
            )}
            <Allowed to="logs">
              <Link className="btn service-logs-link" href={`/services/${encodeURIComponent(service.ID)}/logs`}>
                Logs
              </Link>
            </Allowed>
          </>
        ) : null}
      </div>
      <FaultBanner faults={service?.Faults} kind="service" />
      <MeshErrorBanner errors={meshErrors} />
      {service && tasksHeld && job && !unreconciled ? (
        <JobProgressPanel service={service} tasks={tasks} host={host} />
      ) : null}
      {service && tasksHeld && rolloutPanel === 'top' ? (
        <RolloutPanel service={service} tasks={tasks} events={events} host={host} prominent />
      ) : null}
      <dl className="facts card">
        <div>
          <dt>ID</dt>
          <dd className="mono" title={service?.ID}>
            {service?.ID ?? '\u00a0'}
          </dd>
        </div>
        <div>
          <dt>Image</dt>
          <dd className="mono wrap-anywhere" title={service?.Spec.TaskTemplate.ContainerSpec.Image}>
            {service?.Spec.TaskTemplate.ContainerSpec.Image ?? '\u00a0'}
          </dd>
        </div>
        <div>
          <dt>Reservations</dt>
          <dd className="num">
            {res?.NanoCPUs || res?.MemoryBytes
              ? [
                  res.NanoCPUs ? `${formatCpus(res.NanoCPUs)} CPU` : '',
                  res.MemoryBytes ? formatBytes(res.MemoryBytes) : '',
                ]
                  .filter(Boolean)
                  .join(' · ')
              : service
                ? 'none'
                : '\u00a0'}
          </dd>
        </div>
        <div>
          <dt>Created</dt>
          <dd>
            <Age at={service?.CreatedAt} />
          </dd>
        </div>
        <div>
          <dt>Updated</dt>
          <dd>
            <Age at={service?.UpdatedAt} />
          </dd>
        </div>
      </dl>
      {service ? <ServiceActions service={service} /> : null}
      {service && tasksHeld && rolloutPanel === 'section' ? (
        <RolloutPanel service={service} tasks={tasks} events={events} host={host} prominent={false} />
      ) : null}
      <TaskTable groups={groups} host={host} loaded={tasksHeld} specOf={specOf} />
      {service ? <EventTimeline title="Events" events={eventLog.data?.events} loaded={!eventLog.isPending} /> : null}
      {service ? <UpdateHistory data={versions} /> : null}
      {service ? <SpecHistory serviceID={service.ID} data={versions} /> : null}
    </div>
  );
}
