'use client';

import Link from 'next/link';
import { useMemo } from 'react';
import type { Service } from '@/server/api/types';
import { groupSlots, modeOf, nodeName, replicaCounts, updateProgress, type SlotGroup } from '../cluster/derive';
import { useClusterView } from '../realtime/use-cluster';
import { Replicas } from '../services/replicas';
import { updateLabel } from '../services/update-state';
import { formatBytes, formatCpus } from '../time/format';
import { Age } from '../ui/age';
import { Badge } from '../ui/badge';
import { ServiceActions } from './service-actions';
import { TaskTable } from './task-table';

function findService(services: ReadonlyMap<string, Service>, ref: string): Service | undefined {
  const direct = services.get(ref);
  if (direct) return direct;
  for (const s of services.values()) if (s.Spec.Name === ref) return s;
  return undefined;
}

function UpdatePanel({ service, groups }: { service: Service; groups: readonly SlotGroup[] }) {
  const u = service.UpdateStatus;
  const progress = updateProgress(service, groups);
  const done = progress.filter((p) => p.state === 'done').length;
  const prevImage = service.PreviousSpec?.TaskTemplate.ContainerSpec.Image;
  const image = service.Spec.TaskTemplate.ContainerSpec.Image;
  const tone = !u ? 'neutral' : u.State === 'completed' ? 'ok' : u.State === 'updating' ? 'info' : 'warn';
  return (
    <section className="card update-panel" data-tone={tone} aria-label="Update status">
      <div className="update-head">
        <span className="update-title">Update</span>
        {u ? <Badge tone={tone}>{updateLabel(u.State)}</Badge> : <span className="muted">no update has run</span>}
        {u?.StartedAt ? <Age at={u.StartedAt} prefix="started " /> : null}
        {u?.CompletedAt ? <Age at={u.CompletedAt} prefix="· completed " /> : null}
        {u && prevImage && prevImage !== image ? (
          <span className="update-images mono">
            {prevImage} → {image}
          </span>
        ) : null}
        {u ? (
          <span className="update-count num">
            {done}/{progress.length} slots on the current spec
          </span>
        ) : null}
      </div>
      {/* always rendered: its height is reserved so an update starting does not move the page */}
      <ol className="progress-strip" aria-label="Slots on the current spec">
        {(u ? progress : []).map((p) => (
          <li
            key={p.key}
            data-state={p.state}
            title={`${p.name}: ${p.state === 'done' ? 'updated' : p.state === 'starting' ? 'starting' : 'previous spec'}`}
          />
        ))}
      </ol>
      <p className="update-message">{u?.Message || '\u00a0'}</p>
    </section>
  );
}

export function ServiceDetailPage({ id }: { id: string }) {
  const view = useClusterView();
  const { service: services, task: allTasks, node } = view.tables;
  const service = findService(services, id);
  const sid = service?.ID;
  const tasks = useMemo(() => (sid ? [...allTasks.values()].filter((t) => t.ServiceID === sid) : []), [allTasks, sid]);
  const host = useMemo(() => (nodeID: string) => nodeName(node.get(nodeID), nodeID), [node]);
  const serviceName = service?.Spec.Name ?? '';
  const groups = useMemo(() => groupSlots(tasks, serviceName, host), [tasks, serviceName, host]);

  if (view.loaded && !service) {
    return (
      <div className="page">
        <div className="page-head">
          <h1>Service not found</h1>
        </div>
        <p className="card empty-card">
          There is no service <span className="mono">{id}</span>. It may have been removed.{' '}
          <Link href="/services">Back to services</Link>
        </p>
      </div>
    );
  }

  const counts = service ? replicaCounts(service, tasks) : { running: 0, desired: 0 };
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
            <Replicas running={counts.running} desired={counts.desired} />
            <Link className="btn service-logs-link" href={`/services/${encodeURIComponent(service.ID)}/logs`}>
              Logs
            </Link>
          </>
        ) : null}
      </div>
      <dl className="facts card">
        <div>
          <dt>ID</dt>
          <dd className="mono" title={service?.ID}>
            {service?.ID ?? '\u00a0'}
          </dd>
        </div>
        <div>
          <dt>Image</dt>
          <dd className="mono ellipsis" title={service?.Spec.TaskTemplate.ContainerSpec.Image}>
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
      {service ? <UpdatePanel service={service} groups={groups} /> : null}
      {service ? <ServiceActions service={service} /> : null}
      <TaskTable groups={groups} host={host} loaded={view.loaded} />
    </div>
  );
}
