'use client';

import Link from 'next/link';
import { useMemo } from 'react';
import type { Service } from '@/server/api/types';
import { nodeName } from '../cluster/derive';
import { useClusterView } from '../realtime/use-cluster';
import { linePrefix } from './log-buffer';
import { LogView } from './log-view';
import { NotFoundPage } from '../ui/not-found-page';
import { NotAllowedPage } from '../session/not-allowed-page';
import { useMay } from '../session/session-provider';

function findService(services: ReadonlyMap<string, Service>, ref: string): Service | undefined {
  const direct = services.get(ref);
  if (direct) return direct;
  for (const s of services.values()) if (s.Spec.Name === ref) return s;
  return undefined;
}

/** `/services/<id>/logs[?task=<id>]`: a service's live logs, or one task's (operators and admins). */
export function LogsPage({ id, taskID }: { id: string; taskID?: string }) {
  return useMay('logs') ? (
    <ServiceLogs id={id} taskID={taskID} />
  ) : (
    <NotAllowedPage action="logs" what="reading logs" />
  );
}

function ServiceLogs({ id, taskID }: { id: string; taskID?: string }) {
  const view = useClusterView();
  const { service: services, task: allTasks, node } = view.tables;
  const service = findService(services, id);
  const sid = service?.ID;
  const tasks = useMemo(() => (sid ? [...allTasks.values()].filter((t) => t.ServiceID === sid) : []), [allTasks, sid]);
  const host = useMemo(() => (nodeID: string) => nodeName(node.get(nodeID), nodeID), [node]);
  const scope = useMemo(() => (sid ? { serviceID: sid, taskID } : undefined), [sid, taskID]);
  const name = service?.Spec.Name ?? '';
  const task = taskID ? allTasks.get(taskID) : undefined;

  if (view.loaded && !service) {
    return <NotFoundPage kind="service" id={id} back={{ href: '/services', label: 'Back to services' }} />;
  }

  return (
    <div className="page logs-page">
      <nav aria-label="Breadcrumb" className="crumbs">
        <Link href="/services">Services</Link> <span aria-hidden="true">/</span>{' '}
        {service ? <Link href={`/services/${encodeURIComponent(service.ID)}`}>{name}</Link> : null}{' '}
        <span aria-hidden="true">/</span>
      </nav>
      <div className="page-head">
        <h1>
          Logs{' '}
          <span className="muted">
            {taskID
              ? task
                ? linePrefix(name, task.Slot, task.NodeID, host(task.NodeID))
                : taskID.slice(0, 12)
              : name || '\u00a0'}
          </span>
        </h1>
        {taskID && sid ? (
          <Link className="btn" href={`/services/${encodeURIComponent(sid)}/logs`}>
            All tasks
          </Link>
        ) : null}
      </div>
      {scope ? (
        <LogView scope={scope} serviceName={name} tasks={tasks} host={host} />
      ) : (
        <div className="log-view card" />
      )}
    </div>
  );
}
