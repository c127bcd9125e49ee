// One line of a console timeline for a cluster event: what changed, in the
// words the rest of the console uses. Pure, so it is tested without a browser.

import type { ClusterEvent } from '@/server/api/events';
import type { Tone } from '../ui/badge';

const arrow = (a: Record<string, string>, key: string, label: string): string | undefined =>
  a[`${key}.new`] !== undefined
    ? a[`${key}.old`] !== undefined
      ? `${label} ${a[`${key}.old`]} → ${a[`${key}.new`]}`
      : `${label} ${a[`${key}.new`]}`
    : undefined;

/** The task's short name: `web.2` (or `web.<node>` for a global task) without the task ID. */
export function taskName(e: ClusterEvent): string {
  const name = e.Actor.Attributes.name ?? '';
  const id = e.Actor.Attributes['com.docker.swarm.task.id'];
  return id && name.endsWith(`.${id}`) ? name.slice(0, -(id.length + 1)) : name;
}

export function eventText(e: ClusterEvent): string {
  const a = e.Actor.Attributes;
  if (e.Type === 'task') {
    const who = `task ${taskName(e)}`;
    if (e.Action === 'create') return `${who} created`;
    if (e.Action === 'remove') return `${who} removed`;
    const moves = [arrow(a, 'state', 'state'), arrow(a, 'desiredstate', 'desired')].filter(Boolean).join(', ');
    return `${who}: ${moves || 'updated'}${a.error ? ` (${a.error})` : ''}`;
  }
  if (e.Action === 'create') return `${e.Type} ${a.name ?? e.Actor.ID} created`;
  if (e.Action === 'remove') return `${e.Type} ${a.name ?? e.Actor.ID} removed`;
  const parts = [
    arrow(a, 'image', 'image'),
    arrow(a, 'replicas', 'replicas'),
    arrow(a, 'updatestate', 'rollout'),
    arrow(a, 'availability', 'availability'),
    arrow(a, 'role', 'role'),
    arrow(a, 'state', 'state'),
    arrow(a, 'leader', 'leader'),
    arrow(a, 'reachability', 'reachability'),
  ].filter(Boolean);
  return parts.length > 0 ? parts.join(', ') : `${e.Type} updated`;
}

export function eventTone(e: ClusterEvent): Tone {
  const a = e.Actor.Attributes;
  if (e.Action === 'create') return 'info';
  if (e.Action === 'remove') return 'neutral';
  const bad = ['failed', 'rejected', 'down', 'rollback_started', 'paused', 'unreachable'];
  if (bad.includes(a['state.new'] ?? '') || bad.includes(a['updatestate.new'] ?? '')) return 'bad';
  if (a['state.new'] === 'running' || a['state.new'] === 'ready' || a['updatestate.new'] === 'completed') return 'ok';
  if (a['image.new'] || a['replicas.new'] || a['availability.new']) return 'accent';
  return 'neutral';
}

// what a timeline shows by default: shared with the server, which picks the wall ticker's events by it
export { notableEvent } from '@/server/api/events';
