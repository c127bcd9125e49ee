import { runAs } from '../../store/audit-context';
import type { ClusterStore } from '../../store/cluster-store';
import type { Clock } from '../../util/clock';
import type { PassTimings } from '../pass-timings';
import { GlobalOrchestrator } from './global';
import { JobOrchestrator } from './jobs/job-orchestrator';
import { ReplicatedOrchestrator } from './replicated';
import { RestartSupervisor } from './restart';
import { UpdateSupervisor } from './updater';

export { TaskReaper } from './task-reaper';
export { ReplicatedOrchestrator } from './replicated';
export { GlobalOrchestrator } from './global';
export { JobOrchestrator } from './jobs/job-orchestrator';
export { RestartSupervisor } from './restart';
export { UpdateSupervisor } from './updater';
export { newTask, isTaskDirty } from './task-factory';

/**
 * The leader's service orchestration: replicated, global and jobs
 * orchestrators sharing one restart supervisor and one updater.
 */
export class Orchestrators {
  readonly restarts: RestartSupervisor;
  readonly updater: UpdateSupervisor;
  readonly replicated: ReplicatedOrchestrator;
  readonly global: GlobalOrchestrator;
  readonly jobs: JobOrchestrator;
  private init: Promise<void> = Promise.resolve();

  constructor(
    private readonly store: ClusterStore,
    clock: Clock,
    timings?: PassTimings,
  ) {
    this.restarts = new RestartSupervisor(store, clock);
    this.updater = new UpdateSupervisor(store, clock, this.restarts, timings);
    this.replicated = new ReplicatedOrchestrator(store, clock, this.restarts, this.updater);
    this.global = new GlobalOrchestrator(store, clock, this.restarts, this.updater);
    this.jobs = new JobOrchestrator(store, clock, this.restarts, this.updater);
  }

  start(): void {
    const orchestrator = { actor: { kind: 'control-loop', name: 'orchestrator' } } as const;
    this.init = runAs(orchestrator, () => this.deleteServicelessTasks()).catch((err) =>
      console.warn('[orchestrators] start-up cleanup failed:', err instanceof Error ? err.message : err),
    );
    this.restarts.start();
    this.updater.start();
    this.replicated.start();
    this.global.start();
    this.jobs.start();
  }

  async stop(): Promise<void> {
    await this.replicated.stop();
    await this.global.stop();
    await this.jobs.stop();
    await this.updater.stop();
    await this.restarts.stop();
    await this.init;
  }

  /** Resolves when the orchestrators have no pass in flight (tests). */
  async idle(): Promise<void> {
    await this.init;
    await this.replicated.idle();
    await this.global.idle();
    await this.jobs.idle();
  }

  /** Start-up fix-up (§2.5): tasks whose service no longer exists are deleted. */
  private async deleteServicelessTasks(): Promise<void> {
    const view = this.store.view;
    if (!view.list('task').some((t) => !view.get('service', t.ServiceID))) return;
    await this.store.update(
      (tx) => {
        for (const t of view.list('task')) if (!tx.get('service', t.ServiceID)) tx.delete('task', t.ID);
      },
      { retry: true },
    );
  }
}
