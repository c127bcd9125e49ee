import type { ControlFault } from '@/server/api/types';
import { Age } from '../ui/age';
import { LOOP_FAILED, NODE_FAILED, sortedFaults } from './faults';

/**
 * The control loops' faults on a service or node, at the top of its page.
 * Nothing when there are none; one line per loop otherwise.
 */
export function FaultBanner({
  faults,
  kind,
}: {
  faults: readonly ControlFault[] | undefined;
  kind: 'service' | 'node';
}) {
  const list = sortedFaults(faults);
  if (list.length === 0) return null;
  return (
    <section className="fault-banner" role="alert" aria-labelledby="fault-banner-h" data-testid="fault-banner">
      <span className="fault-icon" aria-hidden="true">
        !
      </span>
      <div className="fault-body">
        <h2 id="fault-banner-h" className="fault-title">
          {kind === 'service' ? 'This service has a fault' : 'This node has a fault'}
        </h2>
        <ul className="fault-list">
          {list.map((f) => (
            <li key={f.Loop}>
              <span className="fault-what">{kind === 'service' ? LOOP_FAILED[f.Loop] : NODE_FAILED}</span>
              <span className="fault-message mono">{f.Message}</span>
              <Age at={f.Since} prefix="since " />
            </li>
          ))}
        </ul>
        <p className="fault-hint">
          {kind === 'service'
            ? 'Every other service is handled as usual. Fix the spec (Update) and the mark goes once the service reconciles again.'
            : 'Every other node is used as usual. The mark goes once the node’s labels or description are fixed.'}
        </p>
      </div>
    </section>
  );
}
