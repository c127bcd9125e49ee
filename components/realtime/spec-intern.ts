import type { Task, TaskSpec } from '@/server/api/types';
import { deepEqual } from '../updates/spec-diff';

/** Service versions remembered; past this the oldest are forgotten (a rollout that never ends makes more). */
const MAX_VERSIONS = 1_000;

/**
 * One TaskSpec object for all the tasks of one service version. Every task arrives with its own copy of its
 * service's task template (tens of thousands on a wall, most of them history): held once each, they were
 * most of what the page's collector had to walk. A task whose spec differs from the version's first keeps
 * its own, so sharing never changes what a task says. Tasks are changed in place (no copy of each task): a
 * holder of the same object (a fetch's cached response) sees an equal spec, so nothing it reads changes.
 */
export class TaskSpecInterner {
  private readonly byVersion = new Map<string, TaskSpec>();

  intern(t: Task): Task {
    if (!t.SpecVersion || !t.Spec) return t;
    const key = `${t.ServiceID}@${t.SpecVersion.Index}`;
    const known = this.byVersion.get(key);
    if (known === undefined) {
      this.byVersion.set(key, t.Spec);
      if (this.byVersion.size > MAX_VERSIONS) this.byVersion.delete(this.byVersion.keys().next().value!);
    } else if (known !== t.Spec && deepEqual(known, t.Spec)) {
      (t as { Spec: TaskSpec }).Spec = known;
    }
    return t;
  }

  clear(): void {
    this.byVersion.clear();
  }
}
