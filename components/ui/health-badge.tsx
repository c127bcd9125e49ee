import type { ContainerStatus } from '@/server/api/types';
import { Badge, type Tone } from './badge';

type Health = NonNullable<ContainerStatus['Health']>;

const TONE: Record<Health, Tone> = { starting: 'info', healthy: 'ok', unhealthy: 'bad' };
const TITLE: Record<Health, string> = {
  starting: 'Health check: waiting for the first healthy result',
  healthy: 'Health check: healthy',
  unhealthy: 'Health check: unhealthy',
};

/** A task's health-check verdict; nothing when the task has no health check. */
export function HealthBadge({ health }: { health: Health | undefined }) {
  if (!health) return null;
  return (
    <span className="health-badge" data-health={health}>
      <Badge tone={TONE[health]} title={TITLE[health]}>
        {health}
      </Badge>
    </span>
  );
}
