'use client';

import { useRouter } from 'next/navigation';
import { useState } from 'react';
import type { Node } from '@/server/api/types';
import { useRemoveNode } from '../api/actions';
import { useMay } from '../session/session-provider';
import { actionErrorText } from './node-view';

/**
 * `docker node rm [--force]` behind a confirmation. The control API decides
 * (a manager must be demoted first; a node that is not down needs force) and
 * its refusal is shown as it is worded.
 */
export function RemoveNode({ node, name }: { node: Node; name: string }) {
  return useMay('removeNode') ? <RemoveNodeSection node={node} name={name} /> : null;
}

function RemoveNodeSection({ node, name }: { node: Node; name: string }) {
  const router = useRouter();
  const remove = useRemoveNode(node.ID);
  const [confirming, setConfirming] = useState(false);
  const [force, setForce] = useState(false);
  const manager = node.Spec.Role === 'manager' || node.Role === 'manager';
  const down = node.Status.State === 'down';

  return (
    <section className="card node-section node-remove" aria-label="Remove node">
      {confirming ? (
        <div className="remove-confirm">
          <p className="confirm-text">Remove {name} from the swarm?</p>
          <ul className="remove-notes">
            {manager ? <li>A manager must be demoted to worker before it can be removed.</li> : null}
            {!down ? (
              <li>
                This node is {node.Status.State}: removing it needs force, like{' '}
                <span className="mono">docker node rm --force</span>. Its tasks are orphaned and replaced elsewhere.
              </li>
            ) : (
              <li>Its unfinished tasks are orphaned and replaced elsewhere.</li>
            )}
          </ul>
          <div className="remove-buttons">
            <label className="switch">
              <input type="checkbox" checked={force} onChange={(e) => setForce(e.target.checked)} />
              <span>Force</span>
            </label>
            <button
              type="button"
              className="btn btn-danger"
              disabled={remove.isPending}
              // the socket may deliver the delete (and unmount this) before the response:
              // mutateAsync still resolves, where per-call callbacks would be dropped
              onClick={() =>
                remove.mutateAsync(force).then(
                  () => router.push('/'),
                  () => undefined,
                )
              }
            >
              {remove.isPending ? 'Removing…' : `Remove ${name}`}
            </button>
            <button
              type="button"
              className="btn btn-ghost"
              disabled={remove.isPending}
              onClick={() => {
                setConfirming(false);
                remove.reset();
              }}
            >
              Cancel
            </button>
          </div>
        </div>
      ) : (
        <div className="remove-idle">
          <span className="muted">Take this node out of the swarm.</span>
          <button type="button" className="btn btn-danger-outline" onClick={() => setConfirming(true)}>
            Remove node…
          </button>
        </div>
      )}
      {remove.error ? (
        <p className="form-error" role="alert" data-testid="remove-node-error">
          {actionErrorText(remove.error.message)}
        </p>
      ) : null}
    </section>
  );
}
