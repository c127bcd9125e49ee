import { executorOf } from '@/server/api/node-labels';
import type { Node, Service, Task } from '@/server/api/types';

export { isRunning, replicaCounts } from '@/server/api/replica-counts';

/** Natural order: "web.2" < "web.10". */
const collator = new Intl.Collator('en', { numeric: true, sensitivity: 'base' });
export const naturalCompare = (a: string, b: string): number => collator.compare(a, b);

export function nodeName(n: Node | undefined, fallbackID = ''): string {
  if (!n) return fallbackID ? fallbackID.slice(0, 12) : '';
  return n.Spec.Name || n.Description.Hostname || n.ID;
}

/** Nodes whose tasks are simulated rather than real containers. */
export const isSimulated = (n: Node): boolean => executorOf(n.Description.Engine.Labels) === 'sim';

export type ServiceModeName = 'replicated' | 'global' | 'replicated job' | 'global job';
export function modeOf(s: Service): ServiceModeName {
  const m = s.Spec.Mode;
  if (m.Global) return 'global';
  if (m.ReplicatedJob) return 'replicated job';
  if (m.GlobalJob) return 'global job';
  return 'replicated';
}

/** Tasks grouped by service, for pages that show many services at once. */
export function tasksByService(tasks: Iterable<Task>): Map<string, Task[]> {
  const out = new Map<string, Task[]>();
  for (const t of tasks) {
    let list = out.get(t.ServiceID);
    if (!list) out.set(t.ServiceID, (list = []));
    list.push(t);
  }
  return out;
}

export interface SlotGroup {
  /** `slot:3` or `node:<id>` (global services are keyed by node) */
  key: string;
  /** `web.3` or `web.<nodeID>`, as `docker service ps` names it */
  name: string;
  /** The most recently created task: what the slot is doing now. */
  current: Task;
  /** Superseded tasks of the slot, newest first (the ` \_ ` rows). */
  history: Task[];
}

const newestFirst = (a: Task, b: Task): number =>
  b.CreatedAt.localeCompare(a.CreatedAt) || b.Version.Index - a.Version.Index;

/**
 * `docker service ps` grouping: one group per slot (per node for global
 * services), slots in natural order, newest task first within a slot.
 */
export function groupSlots(
  tasks: readonly Task[],
  serviceName: string,
  hostname: (nodeID: string) => string = (id) => id,
): SlotGroup[] {
  const groups = new Map<string, Task[]>();
  for (const t of tasks) {
    const key = t.Slot !== 0 ? `slot:${t.Slot}` : `node:${t.NodeID}`;
    let g = groups.get(key);
    if (!g) groups.set(key, (g = []));
    g.push(t);
  }
  const out: (SlotGroup & { order: string })[] = [];
  for (const [key, list] of groups) {
    list.sort(newestFirst);
    const first = list[0]!;
    const bySlot = first.Slot !== 0;
    out.push({
      key,
      name: `${serviceName}.${bySlot ? first.Slot : first.NodeID}`,
      current: first,
      history: list.slice(1),
      order: bySlot ? String(first.Slot) : `${hostname(first.NodeID)}\u0000${first.NodeID}`,
    });
  }
  out.sort((a, b) => naturalCompare(a.order, b.order));
  return out.map(({ order: _order, ...g }) => g);
}
