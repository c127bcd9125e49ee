// Which nodes' NetworkViews may have changed since the last push. A view is made from the networks, the
// services and the nodes (a change to any of them may change every view), the node's own tasks, and the live
// tasks of the services it holds whole (ViewPass.sharedUnchanged tells those). Under churn a push comes every
// 100 ms and a few nodes' tasks changed in it: deriving all 500 views each time was the leader's largest cost.

/** What a view is made from, by kind: a task's change is its node's, the others' are everyone's. */
const GLOBAL_KINDS: ReadonlySet<string> = new Set(['service', 'network', 'node']);

export interface ViewChange {
  kind: string;
  object: unknown;
}

export class ViewDirt {
  private all = true;
  private nodes = new Set<string>();

  /** Notes an applied change; whether it is of a kind views are made from (a push is then due). */
  note(c: ViewChange): boolean {
    if (c.kind === 'task') {
      const nodeID = (c.object as { NodeID?: string }).NodeID;
      if (nodeID) this.nodes.add(nodeID);
      return true;
    }
    if (!GLOBAL_KINDS.has(c.kind)) return false;
    this.all = true;
    return true;
  }

  /** What changed since the last take: every node (`all`), or the nodes whose own tasks did. */
  take(): { all: boolean; nodes: ReadonlySet<string> } {
    const out = { all: this.all, nodes: this.nodes };
    this.all = false;
    this.nodes = new Set();
    return out;
  }
}
