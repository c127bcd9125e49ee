// Bounded work for the control loops. A pass over 10,000 tasks written as one
// transaction means megabytes to serialise, persist, replicate and apply in
// one go, and a leader busy that long misses its raft heartbeats. Passes are
// committed in parts of at most PART_OPS writes instead (about 0.5 KiB–1 KiB
// each for tasks: a few hundred KiB per raft entry), with a turn of the event
// loop between parts so timers (raft ticks) and I/O run. Every part is
// idempotent: a pass cut short by a failure is redone from the store.

/** Writes (task creates/updates/deletes) one part of a pass may make. */
export const PART_OPS = 500;

/** Let timers and I/O run between the parts of a long pass. */
export const yieldToLoop = (): Promise<void> => new Promise((resolve) => setImmediate(resolve));
