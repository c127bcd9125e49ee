import { RowLink } from '../ui/row-link';
import type { ServiceMeshError } from '@/server/api/types';

/**
 * Published ports of this service that a node's routing mesh cannot bind (another program holds the
 * address and port there), from the nodes' heartbeats. Nothing when every node listens.
 */
export function MeshErrorBanner({ errors }: { errors: readonly ServiceMeshError[] }) {
  if (errors.length === 0) return null;
  return (
    <section className="fault-banner" role="alert" aria-labelledby="mesh-errors-h" data-testid="mesh-errors">
      <span className="fault-icon" aria-hidden="true">
        !
      </span>
      <div className="fault-body">
        <h2 id="mesh-errors-h" className="fault-title">
          {errors.length === 1 ? 'A published port cannot be bound' : 'Published ports cannot be bound'}
        </h2>
        <ul className="fault-list">
          {errors.map((e) => (
            <li key={`${e.NodeID}/${e.Protocol}/${e.PublishedPort}`}>
              <span className="fault-what">
                <RowLink href={`/nodes/${encodeURIComponent(e.NodeID)}`}>{e.Hostname || e.NodeID.slice(0, 12)}</RowLink>{' '}
                <span className="mono">
                  {e.PublishedPort}/{e.Protocol}
                </span>{' '}
                ({e.PublishMode})
              </span>
              <span className="fault-message mono">{e.Message}</span>
            </li>
          ))}
        </ul>
        <p className="fault-hint">
          {errors.some((e) => e.PublishMode === 'ingress')
            ? 'The other nodes still serve the port. Free the address and port on that node; the mesh retries on every change.'
            : 'A host-mode port belongs to the task on that node: its task fails and is rescheduled.'}
        </p>
      </div>
    </section>
  );
}
