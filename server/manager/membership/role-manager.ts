// swarmkit's role manager: the control API only records a demotion in
// Spec.Role; this leader-side loop takes the member out of raft and only then
// sets the observed Role to worker, so a raft voter is never a worker. A
// leader being demoted hands leadership over first; the new leader's role
// manager completes the demotion. Members whose Node object was deleted are
// evicted.

import type { Node } from '../../api/types';
import type { ClusterStore } from '../../store/cluster-store';
import type { Clock } from '../../util/clock';
import { PassRunner } from '../pass-runner';
import { canRemoveMember, isMember, transferTarget, type MembershipView } from './status';

export interface RoleRaft {
  selfID: string;
  isLeader(): boolean;
  view(): MembershipView;
  /** Replication progress per member (leader only), to pick the best transfer target. */
  match(): Record<string, number>;
  removeMember(id: string): Promise<unknown>;
  transferLeadership(to: string): Promise<void>;
}

export type RoleAction =
  | { kind: 'set-role'; nodeID: string; role: Node['Role'] }
  | { kind: 'remove-member'; nodeID: string }
  | { kind: 'transfer-leadership'; to: string }
  | { kind: 'evict'; raftID: string };

/** What to do next (one raft change at a time): pure, over the nodes and the membership. */
export function nextRoleAction(
  nodes: readonly Node[],
  view: MembershipView,
  match: Record<string, number> = {},
): RoleAction | undefined {
  for (const n of nodes) {
    if (n.Spec.Role === 'manager' && n.Role === 'worker') return { kind: 'set-role', nodeID: n.ID, role: 'manager' };
    if (n.Spec.Role !== 'worker' || n.Role !== 'manager') continue;
    if (!isMember(view, n.ID)) return { kind: 'set-role', nodeID: n.ID, role: 'worker' };
    if (n.ID === view.selfID) {
      const to = transferTarget(view, match);
      if (to) return { kind: 'transfer-leadership', to };
      continue;
    }
    if (canRemoveMember(view, n.ID)) return { kind: 'remove-member', nodeID: n.ID };
  }
  const known = new Set(nodes.map((n) => n.ID));
  const orphan = view.members.find((m) => m.id !== view.selfID && !known.has(m.id));
  return orphan ? { kind: 'evict', raftID: orphan.id } : undefined;
}

const RETRY_MS = 1_000;

export class RoleManager {
  private unwatch?: () => void;
  private readonly runner: PassRunner;
  private cancelTimer?: () => void;

  constructor(
    private readonly store: ClusterStore,
    private readonly clock: Clock,
    private readonly raft: RoleRaft,
  ) {
    this.runner = new PassRunner(() => this.pass(), 'role manager', { clock, ms: RETRY_MS });
  }

  start(): void {
    this.runner.start();
    this.unwatch = this.store.view.watch((e) => {
      if (e.changes.some((c) => c.kind === 'node')) this.runner.kick();
    });
    this.tick();
  }

  async stop(): Promise<void> {
    this.unwatch?.();
    this.unwatch = undefined;
    this.cancelTimer?.();
    this.cancelTimer = undefined;
    await this.runner.stop();
  }

  /** Quorum guards depend on reachability, which changes without store events: look again every second. */
  private tick(): void {
    this.runner.kick();
    this.cancelTimer = this.clock.setTimeout(() => this.tick(), RETRY_MS);
  }

  private async pass(): Promise<void> {
    // a few steps per pass: each raft change waits to be applied
    for (let step = 0; step < 8; step++) {
      if (!this.raft.isLeader()) return;
      const action = nextRoleAction(this.store.view.list('node'), this.raft.view(), this.raft.match());
      if (!action) return;
      switch (action.kind) {
        case 'set-role':
          await this.store.update(
            (tx) => {
              const cur = tx.get('node', action.nodeID);
              if (!cur || cur.Role === action.role || cur.Spec.Role !== action.role) return;
              tx.update('node', { ...cur, Role: action.role });
            },
            { retry: true },
          );
          break;
        case 'remove-member':
          await this.raft.removeMember(action.nodeID);
          break;
        case 'evict':
          await this.raft.removeMember(action.raftID);
          break;
        case 'transfer-leadership':
          await this.raft.transferLeadership(action.to);
          return;
      }
    }
  }
}
