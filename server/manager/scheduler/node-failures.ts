// swarmkit's faulty-node down-weighting (spec §6.5): a node where tasks of one
// service+spec version failed 5 times within 5 minutes sinks below nodes with
// fewer such failures, so a bad node stops attracting a crash-looping task.

/** Failures within this window count. */
export const FAILURE_WINDOW_MS = 5 * 60 * 1000;
/** From this many failures on, a node is ranked by its failure count first. */
export const FAULTY_NODE_FAILURES = 5;

/** The key failures are counted under: a service at one spec version. */
export const failureKey = (serviceID: string, specIndex: number): string => `${serviceID}/${specIndex}`;

/** Recent FAILED/REJECTED transitions per node and key, pruned as they age out. */
export class NodeFailures {
  private readonly byNode = new Map<string, Map<string, number[]>>();

  record(nodeID: string, key: string, at: number): void {
    let keys = this.byNode.get(nodeID);
    if (!keys) this.byNode.set(nodeID, (keys = new Map()));
    const times = keys.get(key);
    if (times) times.push(at);
    else keys.set(key, [at]);
  }

  /** Failures per key on the node within the window ending at `now` (ages out older ones). */
  counts(nodeID: string, now: number): Map<string, number> | undefined {
    const keys = this.byNode.get(nodeID);
    if (!keys) return undefined;
    const out = new Map<string, number>();
    for (const [key, times] of keys) {
      const recent = times.filter((t) => now - t < FAILURE_WINDOW_MS);
      if (recent.length === 0) keys.delete(key);
      else {
        keys.set(key, recent);
        out.set(key, recent.length);
      }
    }
    if (keys.size === 0) this.byNode.delete(nodeID);
    return out.size ? out : undefined;
  }

  forgetNode(nodeID: string): void {
    this.byNode.delete(nodeID);
  }
}

/**
 * <0 when `a` is the better node, 0 when failures do not decide: only once
 * either node reached the threshold does the one with fewer failures win.
 */
export function compareFailures(a: number, b: number): number {
  return a >= FAULTY_NODE_FAILURES || b >= FAULTY_NODE_FAILURES ? a - b : 0;
}
