// For benchmarks (SWARMDECK_APPLY_REPORT=1): a line per service create, stamped by this
// manager's clock as it applies the entry. P7 measures a console's latency from this
// moment; an observer outside the process (a `docker events` stream) hears of it later,
// by however long its own delivery takes, and that made the latency look shorter.
import type { AppliedEvent } from '../store/batch';
import type { Service } from '../api/types';

export const APPLIED_LINE = /^swarmdeck applied: service (\S+) at (\d+)$/;

export function reportAppliedServiceCreates(
  store: { watch(listener: (e: AppliedEvent) => void): () => void },
  now: () => number = Date.now,
  print: (line: string) => void = (line) => console.log(line),
): () => void {
  return store.watch((e) => {
    for (const c of e.changes)
      if (c.kind === 'service' && c.action === 'create')
        print(`swarmdeck applied: service ${(c.object as Service).Spec.Name} at ${now()}`);
  });
}
