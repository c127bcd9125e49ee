// Learners become voters once they have caught up with the leader's log
// (swarm's managers join as voters straight away; a learner first keeps a slow
// joiner from counting against quorum while it copies the log).

import type { RaftId } from '../../raft/types';
import type { Clock } from '../../util/clock';

export interface PromoterLog {
  isLeader(): boolean;
  status(): {
    commit: number;
    conf: { learners: RaftId[] };
    progress?: Record<RaftId, { match: number }>;
  };
  promote(id: RaftId): Promise<unknown>;
}

/** Entries a learner may still lag by when it is promoted (its log keeps flowing while the change commits). */
export const CAUGHT_UP_LAG = 100;

/** The learner to promote next: the first one within CAUGHT_UP_LAG of the commit index. */
export function learnerToPromote(status: ReturnType<PromoterLog['status']>): RaftId | undefined {
  return status.conf.learners.find((id) => {
    const match = status.progress?.[id]?.match ?? 0;
    return match > 0 && status.commit - match <= CAUGHT_UP_LAG;
  });
}

/** Leader-only loop: checks every `intervalMs`, one promotion at a time. */
export class LearnerPromoter {
  private cancel: (() => void) | undefined;
  private running: Promise<void> | undefined;
  private stopped = true;

  constructor(
    private readonly log: PromoterLog,
    private readonly clock: Clock,
    private readonly intervalMs = 250,
    private readonly onError: (err: unknown) => void = () => undefined,
  ) {}

  start(): void {
    if (!this.stopped) return;
    this.stopped = false;
    this.arm();
  }

  async stop(): Promise<void> {
    this.stopped = true;
    this.cancel?.();
    this.cancel = undefined;
    await this.running;
  }

  private arm(): void {
    if (this.stopped) return;
    this.cancel = this.clock.setTimeout(() => {
      this.running = this.pass().finally(() => {
        this.running = undefined;
        this.arm();
      });
    }, this.intervalMs);
  }

  private async pass(): Promise<void> {
    if (!this.log.isLeader()) return;
    const id = learnerToPromote(this.log.status());
    if (!id) return;
    try {
      await this.log.promote(id);
    } catch (err) {
      this.onError(err);
    }
  }
}
