import type { SlotCell } from '../updates/progress-model';

const sameCell = (a: SlotCell, b: SlotCell) =>
  a.key === b.key &&
  a.label === b.label &&
  a.state === b.state &&
  a.taskID === b.taskID &&
  a.nodeID === b.nodeID &&
  a.taskState === b.taskState &&
  a.health === b.health &&
  a.monitoring === b.monitoring &&
  a.err === b.err;

/**
 * `next` with every cell that reads the same as in `prev` replaced by the
 * previous object: the strip's cells are memoised by object, so a rollout of
 * 5,000 slots redraws only the slots that moved. The array itself is `prev`
 * when nothing moved.
 */
export function keepSameCells(prev: readonly SlotCell[] | undefined, next: readonly SlotCell[]): readonly SlotCell[] {
  if (!prev) return next;
  const before = new Map(prev.map((c) => [c.key, c]));
  let changed = prev.length !== next.length;
  const out = next.map((c, i) => {
    const was = before.get(c.key);
    if (was && sameCell(was, c)) {
      if (prev[i] !== was) changed = true;
      return was;
    }
    changed = true;
    return c;
  });
  return changed ? out : prev;
}
