// The secrets and configs this node holds for its tasks (swarmkit's agent
// dependency manager): kept in memory only, replaced by each `complete`
// assignment set and changed by incremental ones. The executor reads them
// when it makes a task's files. Nothing here is ever logged or written out.
import type { Config, Secret } from '../api/types';
import { dependencyChangeSchema } from '../api/schemas/assignment-dependencies';
import type { DependencyChange } from '../manager/dispatcher/api';
import type { DependencyGetter } from './executor/executor';

export class DependencyStore implements DependencyGetter {
  private secrets = new Map<string, Secret>();
  private configs = new Map<string, Config>();

  secret(id: string): Secret | undefined {
    return this.secrets.get(id);
  }
  config(id: string): Config | undefined {
    return this.configs.get(id);
  }
  get size(): number {
    return this.secrets.size + this.configs.size;
  }

  /**
   * Applies a message's changes (a `complete` set replaces everything held). A malformed change is
   * dropped with a line naming what was wrong; the well-formed rest is kept.
   */
  applyChanges(changes: readonly unknown[] | undefined, complete: boolean): void {
    if (complete) {
      this.secrets = new Map();
      this.configs = new Map();
    }
    for (const raw of changes ?? []) {
      const r = dependencyChangeSchema.safeParse(raw);
      if (!r.success) {
        const issue = r.error.issues[0];
        const where = issue?.path.length ? `${issue.path.map(String).join('.')}: ` : '';
        console.error(`agent: a secret or config change was refused: ${where}${issue?.message ?? 'malformed'}`);
        continue;
      }
      const c = r.data as DependencyChange;
      if (c.action === 'remove') (c.kind === 'secret' ? this.secrets : this.configs).delete(c.id);
      else if (c.kind === 'secret') this.secrets.set(c.secret.ID, c.secret);
      else this.configs.set(c.config.ID, c.config);
    }
  }
}
