import type { ClusterStore } from '../store/cluster-store';
import type { Clock } from '../util/clock';
import { Allocator } from './allocator';
import { Dispatcher } from './dispatcher/dispatcher';
import { LogBroker } from './logbroker/broker';
import { Orchestrators } from './orchestrator';
import { TaskReaper } from './orchestrator/task-reaper';
import { PassTimings } from './pass-timings';
import { Scheduler } from './scheduler/scheduler';

interface ControlLoop {
  start(): void;
  stop(): Promise<void>;
}

/**
 * The leader-side control loops. They start when this manager becomes
 * leader and stop the moment it is not (server/cluster-member.ts follows
 * raft's leadership changes); they can start again after a stop.
 */
export class LeaderLoops {
  readonly dispatcher: Dispatcher;
  /** Task logs: subscriptions from the edges, relayed from the nodes. */
  readonly logBroker: LogBroker;
  /** The scheduler's passes and the updater's rollouts, timed (server/metrics listens). */
  readonly passTimings = new PassTimings();
  private readonly loops: ControlLoop[];
  private running = false;

  constructor(store: ClusterStore, clock: Clock, selfNodeID: string) {
    this.dispatcher = new Dispatcher(store, clock, { selfNodeID });
    this.logBroker = new LogBroker(store, clock);
    // order matters only for the first pass: orchestrate → allocate → schedule → dispatch
    this.loops = [
      new Orchestrators(store, clock, this.passTimings),
      new Allocator(store, clock),
      new Scheduler(store, clock, this.passTimings),
      new TaskReaper(store, clock),
      this.dispatcher,
      this.logBroker,
    ];
  }

  start(): void {
    if (this.running) return;
    this.running = true;
    for (const l of this.loops) l.start();
  }

  async stop(): Promise<void> {
    if (!this.running) return;
    this.running = false;
    for (const l of [...this.loops].reverse()) await l.stop();
  }
}
