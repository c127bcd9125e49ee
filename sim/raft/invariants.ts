// Raft's safety properties, checked while the simulation runs (Raft paper
// figure 3): election safety, log matching, leader completeness and
// state-machine safety. Hooks record the first violation; the driver stops there.

import type { Role } from '../../server/raft/core';
import type { Entry, RaftId } from '../../server/raft/types';
import type { SimDisk } from './disk';

interface AppliedRecord {
  term: number;
  data: string;
  step: number;
  by: RaftId;
}

export class SafetyChecker {
  violation: string | undefined;
  /** Scheduler step the hooks are running in. */
  step = 0;
  readonly leaderOfTerm = new Map<number, RaftId>();
  /** `index/term` → what that entry holds and the term of the entry before it. */
  private readonly entries = new Map<string, { data: string; prevTerm: number | undefined; by: RaftId }>();
  /** Every entry applied by any member, by index. */
  readonly applied = new Map<number, AppliedRecord>();
  /** Leaders whose log must be checked once their first entry of their term is durable. */
  private readonly awaitingCheck = new Map<RaftId, { term: number; electedStep: number }>();
  leaderChecks = 0;

  fail(msg: string): void {
    this.violation ??= msg;
  }

  /** Log matching: an (index, term) pair always holds the same data after the same previous term. */
  onDurable(disk: SimDisk, written: Entry[]): void {
    for (const e of written) {
      const prevTerm = disk.term(e.index - 1);
      const key = `${e.index}/${e.term}`;
      const seen = this.entries.get(key);
      if (!seen) {
        this.entries.set(key, { data: e.data, prevTerm, by: disk.id });
        continue;
      }
      if (seen.data !== e.data) {
        this.fail(
          `log matching: entry ${key} holds different data on ${seen.by} and ${disk.id}: ${short(seen.data)} vs ${short(e.data)}`,
        );
      } else if (seen.prevTerm !== undefined && prevTerm !== undefined && seen.prevTerm !== prevTerm) {
        this.fail(
          `log matching: entry ${key} follows term ${seen.prevTerm} on ${seen.by} but term ${prevTerm} on ${disk.id}`,
        );
      }
    }
    const wait = this.awaitingCheck.get(disk.id);
    if (wait && written.some((e) => e.term === wait.term)) {
      this.awaitingCheck.delete(disk.id);
      this.checkLeaderLog(disk, wait.term, wait.electedStep);
    }
  }

  /** State-machine safety: no two members apply different entries at one index. */
  onApply(by: RaftId, e: Entry): void {
    const prev = this.applied.get(e.index);
    if (!prev) {
      this.applied.set(e.index, { term: e.term, data: e.data, step: this.step, by });
      return;
    }
    if (prev.term !== e.term || prev.data !== e.data) {
      this.fail(
        `state-machine safety: index ${e.index} applied as term ${prev.term} ${short(prev.data)} on ${prev.by} ` +
          `but term ${e.term} ${short(e.data)} on ${by}`,
      );
    }
  }

  /** Election safety: at most one leader per term, ever. */
  observe(id: RaftId, state: { term: number; role: Role }): void {
    if (state.role !== 'leader') return;
    const seen = this.leaderOfTerm.get(state.term);
    if (seen === undefined) {
      this.leaderOfTerm.set(state.term, id);
      this.awaitingCheck.set(id, { term: state.term, electedStep: this.step });
    } else if (seen !== id) {
      this.fail(`election safety: two leaders in term ${state.term}: ${seen} and ${id}`);
    }
  }

  /** Leader completeness: whatever was applied before the election is in the new leader's log. */
  private checkLeaderLog(disk: SimDisk, term: number, electedStep: number): void {
    this.leaderChecks++;
    const snapIndex = disk.durable.snapshot?.meta.index ?? 0;
    for (const [index, a] of this.applied) {
      if (a.step >= electedStep || index <= snapIndex) continue;
      const have = disk.entry(index);
      if (!have || have.term !== a.term || have.data !== a.data) {
        this.fail(
          `leader completeness: entry ${index} (term ${a.term}) was committed before ${disk.id} became leader ` +
            `of term ${term}, but its log has ${have ? `term ${have.term} ${short(have.data)}` : 'nothing'} there`,
        );
        return;
      }
    }
  }
}

function short(s: string): string {
  return s.length > 80 ? `${JSON.stringify(s.slice(0, 77))}...` : JSON.stringify(s);
}
