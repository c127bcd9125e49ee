'use client';

import type { Node, NodeAvailability } from '@/server/api/types';
import { useSetAvailability } from '../api/actions';
import { actionErrorText } from '../nodes/node-view';
import { useMay } from '../session/session-provider';

const CHOICES: { value: NodeAvailability; label: string; verb: string }[] = [
  { value: 'active', label: 'Active', verb: 'Activate' },
  { value: 'pause', label: 'Pause', verb: 'Pause' },
  { value: 'drain', label: 'Drain', verb: 'Drain' },
];

/** Availability as a segmented control: the current value is pressed. Operators and admins only. */
export function NodeActions({ node, hostname }: { node: Node; hostname: string }) {
  return useMay('drain') ? <AvailabilityControl node={node} hostname={hostname} /> : null;
}

function AvailabilityControl({ node, hostname }: { node: Node; hostname: string }) {
  const set = useSetAvailability(node.ID);
  const current = node.Spec.Availability;
  return (
    <div className="node-actions">
      <div className="segmented" role="group" aria-label={`Availability of ${hostname}`}>
        {CHOICES.map((c) => (
          <button
            key={c.value}
            type="button"
            className="seg-btn"
            aria-pressed={current === c.value}
            // the name starts with what the button shows ("Active"), then says what it does
            aria-label={
              c.label === c.verb ? `${c.verb} ${hostname}` : `${c.label}: ${c.verb.toLowerCase()} ${hostname}`
            }
            disabled={set.isPending || current === c.value}
            data-pending={(set.isPending && set.variables === c.value) || undefined}
            onClick={() => set.mutate(c.value)}
          >
            {c.label}
          </button>
        ))}
      </div>
      {set.error ? (
        <p className="form-error" role="alert">
          {actionErrorText(set.error.message)}
        </p>
      ) : null}
    </div>
  );
}
