import { isFaultStatus, type UpdateStatus } from '@/server/api/types';
import { Badge, type Tone } from '../ui/badge';

const TONE: Record<UpdateStatus['State'], Tone> = {
  updating: 'info',
  paused: 'warn',
  completed: 'ok',
  rollback_started: 'warn',
  rollback_paused: 'bad',
  rollback_completed: 'warn',
};

export function updateLabel(s: UpdateStatus['State']): string {
  return s.replace('_', ' ');
}

export function UpdateStateBadge({ status }: { status: UpdateStatus | undefined }) {
  if (!status) return null;
  // a fault's status tells the CLI; the console says "fault" (the service's page says which)
  if (isFaultStatus(status))
    return (
      <Badge tone="bad" title={status.Message}>
        fault
      </Badge>
    );
  return (
    <Badge tone={TONE[status.State]} title={status.Message}>
      {updateLabel(status.State)}
    </Badge>
  );
}
