import type { ControlFault } from '@/server/api/types';
import { faultSummary } from './faults';

/** A small mark beside a name in a list: this object has a control-loop fault (details on hover and its page). */
export function FaultMarker({ faults }: { faults: readonly ControlFault[] | undefined }) {
  if (!faults?.length) return null;
  const text = `fault: ${faultSummary(faults)}`;
  return (
    <span className="fault-mark" role="img" aria-label={text} title={text} data-testid="fault-mark">
      !
    </span>
  );
}
