// Which secrets and configs a node is sent beside its assignments (swarmkit's
// assignmentSet): those referenced by its tasks that are assigned and not yet
// past RUNNING, and only those. A task that ended releases what it used, and a
// dependency no task on the node needs any more is withdrawn from the agent.
import type { Config, Secret, Task } from '../../api/types';
import { TASK_STATE_VALUE } from '../../api/types';

export type DependencyKind = 'secret' | 'config';

/** One secret or config given to (update) or withdrawn from (remove) a node. */
export type DependencyChange =
  | { kind: 'secret'; action: 'update'; secret: Secret }
  | { kind: 'config'; action: 'update'; config: Config }
  | { kind: DependencyKind; action: 'remove'; id: string };

/** `secret:<id>` / `config:<id>`: one key space for both kinds. */
export const dependencyKey = (kind: DependencyKind, id: string): string => `${kind}:${id}`;

/** The secret and config IDs a task's spec references (a config with a Runtime target is still sent). */
export function taskDependencies(task: Task): { secrets: string[]; configs: string[] } {
  const spec = task.Spec.ContainerSpec;
  const present = (x: string | undefined): x is string => typeof x === 'string' && x !== '';
  return {
    secrets: (spec?.Secrets ?? []).map((r) => r.SecretID).filter(present),
    configs: (spec?.Configs ?? []).map((r) => r.ConfigID).filter(present),
  };
}

/** Whether the task's spec names any secret or config (most tasks name none). */
export function referencesDependencies(task: Task): boolean {
  const spec = task.Spec.ContainerSpec;
  return !!(spec?.Secrets?.length || spec?.Configs?.length);
}

/** A task keeps its dependencies on its node from ASSIGNED up to RUNNING (swarmkit releases them past it). */
export function holdsDependencies(task: Task, nodeID: string): boolean {
  const v = TASK_STATE_VALUE[task.Status.State];
  return task.NodeID === nodeID && v >= TASK_STATE_VALUE.assigned && v <= TASK_STATE_VALUE.running;
}

export interface DependencyLookup {
  secret(id: string): Secret | undefined;
  config(id: string): Config | undefined;
}

/** What the node needs now, by key; a reference to a missing object is left out (its task fails on the node). */
export function nodeDependencies(
  tasks: Iterable<Task>,
  nodeID: string,
  lookup: DependencyLookup,
): Map<string, Secret | Config> {
  const out = new Map<string, Secret | Config>();
  for (const t of tasks) {
    if (!holdsDependencies(t, nodeID)) continue;
    const { secrets, configs } = taskDependencies(t);
    for (const id of secrets) {
      const key = dependencyKey('secret', id);
      const s = out.has(key) ? undefined : lookup.secret(id);
      if (s) out.set(key, s);
    }
    for (const id of configs) {
      const key = dependencyKey('config', id);
      const c = out.has(key) ? undefined : lookup.config(id);
      if (c) out.set(key, c);
    }
  }
  return out;
}

/**
 * The changes that take a node from what it was sent (`sent`: key → Version.Index) to what it needs;
 * `sent` is brought up to date. A changed object (a labels update) is sent again.
 */
export function dependencyChanges(sent: Map<string, number>, needed: Map<string, Secret | Config>): DependencyChange[] {
  const out: DependencyChange[] = [];
  for (const [key, obj] of needed) {
    if (sent.get(key) === obj.Version.Index) continue;
    sent.set(key, obj.Version.Index);
    out.push(
      key.startsWith('secret:')
        ? { kind: 'secret', action: 'update', secret: obj as Secret }
        : { kind: 'config', action: 'update', config: obj as Config },
    );
  }
  for (const key of [...sent.keys()]) {
    if (needed.has(key)) continue;
    sent.delete(key);
    const i = key.indexOf(':');
    out.push({ kind: key.slice(0, i) as DependencyKind, action: 'remove', id: key.slice(i + 1) });
  }
  return out;
}
