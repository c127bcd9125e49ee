// Deterministic simulation of the raft log: many seeds, each a small cluster
// under overlapping faults. `SIM_SEEDS=N` runs more seeds, `SIM_SEED=n`
// replays one (with its event log printed on failure).

import { describe, expect, it } from 'vitest';
import { runSimulation, type SimOptions, type SimResult } from './simulation';

const ONE = process.env.SIM_SEED ? Number(process.env.SIM_SEED) : undefined;
const SEEDS = Number(process.env.SIM_SEEDS ?? 1000);
const CHUNKS = 4;

function explain(r: SimResult): string {
  const lines = [
    `seed ${r.seed}: ${r.violation}`,
    `  ${r.faults.join(' ')}; ${r.steps} events, ${Math.round(r.virtualMs)} virtual ms`,
    `  replay: SIM_SEED=${r.seed} npx vitest run sim/raft`,
  ];
  if (r.log.length > 0) lines.push('  event log (last 200):', ...r.log.slice(-200).map((l) => `    ${l}`));
  return lines.join('\n');
}

async function runSeeds(from: number, to: number, opts: Omit<SimOptions, 'seed'> = {}): Promise<SimResult[]> {
  const out: SimResult[] = [];
  for (let seed = from; seed <= to; seed++) out.push(await runSimulation({ ...opts, seed }));
  return out;
}

describe('raft simulation', () => {
  if (ONE !== undefined) {
    it(`seed ${ONE}`, async () => {
      const r = await runSimulation({ seed: ONE, verbose: true });
      if (!r.ok) throw new Error(explain(r));
      expect(r.ok).toBe(true);
    });
    return;
  }

  const per = Math.ceil(SEEDS / CHUNKS);
  // ~0.1 s a seed alone, several times that on a shared machine: a wall-clock budget per seed, not per chunk
  const budget = Math.max(600_000, per * 1_000);
  for (let c = 0; c < CHUNKS; c++) {
    const from = c * per + 1;
    const to = Math.min(SEEDS, (c + 1) * per);
    if (from > to) continue;
    it(`seeds ${from}..${to} keep raft's safety properties and linearizable writes`, { timeout: budget }, async () => {
      const failures: string[] = [];
      let acked = 0;
      for (const r of await runSeeds(from, to)) {
        acked += r.acked;
        if (!r.ok) {
          // replay with the event log so the report says what happened
          failures.push(explain(await runSimulation({ seed: r.seed, verbose: true })));
          if (failures.length >= 3) break;
        }
      }
      if (failures.length > 0) throw new Error(failures.join('\n\n'));
      expect(acked).toBeGreaterThan(0);
    });
  }

  it('replays a seed identically (same event trace hash)', async () => {
    const a = await runSimulation({ seed: 4242 });
    const b = await runSimulation({ seed: 4242 });
    expect(a.steps).toBeGreaterThan(500);
    expect(b.traceHash).toBe(a.traceHash);
    expect({ ...b, log: [] }).toEqual({ ...a, log: [] });
    const c = await runSimulation({ seed: 4243 });
    expect(c.traceHash).not.toBe(a.traceHash);
  });

  it('exercises crashes, snapshots and membership changes across seeds', async () => {
    const rs = await runSeeds(1, 40);
    const sum = (f: (r: SimResult) => number) => rs.reduce((n, r) => n + f(r), 0);
    expect(sum((r) => r.coverage.restarts)).toBeGreaterThan(10);
    expect(sum((r) => r.lostWrites)).toBeGreaterThan(0);
    expect(sum((r) => r.coverage.snapshotChunks)).toBeGreaterThan(0);
    expect(sum((r) => r.coverage.confChanges)).toBeGreaterThan(40 * 3);
    expect(sum((r) => r.leaderChecks)).toBeGreaterThan(40);
    expect(rs.some((r) => r.coverage.members > 5)).toBe(true); // members were added
  });
});

describe('the simulation catches known bugs', () => {
  it('a disk that acknowledges before fsync (and loses the write on a crash)', { timeout: 120_000 }, async () => {
    let caught: SimResult | undefined;
    for (let seed = 1; seed <= 300 && !caught; seed++) {
      const r = await runSimulation({ seed, bugs: { ackBeforeSync: true } });
      if (!r.ok) caught = r;
    }
    expect(caught?.violation).toMatch(
      /election safety|log matching|leader completeness|state-machine safety|lost write/,
    );
  });

  it('writers that build transactions on a possibly deposed leader without a read barrier', async () => {
    let caught: SimResult | undefined;
    for (let seed = 1; seed <= 300 && !caught; seed++) {
      const r = await runSimulation({ seed, writeBarrier: false });
      if (!r.ok) caught = r;
    }
    expect(caught?.violation).toMatch(/^linearizability: NOT linearizable/);
  });
});
