import type { UpdateStatus } from '@/server/api/types';
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
  return (
    <Badge tone={TONE[status.State]} title={status.Message}>
      {updateLabel(status.State)}
    </Badge>
  );
}
