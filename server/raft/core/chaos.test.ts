// A small randomized safety check (the full simulation lives elsewhere): lossy,
// reordering delivery, partitions, crashes with restart from disk, compaction
// and membership changes. Asserts election safety and state machine safety,
// then that the cluster converges once the network heals.

import { describe, expect, it } from 'vitest';
import { TestCluster, seededRandom } from './test-cluster';

function checkPrefixes(c: TestCluster, ids: string[]): void {
  const logs = ids.map((id) => c.applied.get(id)!);
  for (const a of logs) {
    for (const b of logs) {
      const n = Math.min(a.length, b.length);
      for (let i = 0; i < n; i++)
        if (a[i] !== b[i]) throw new Error(`applied logs diverge at ${i}: ${a[i]} vs ${b[i]}`);
    }
  }
}

function run(seed: number): number {
  const rand = seededRandom(seed);
  const ids = ['n1', 'n2', 'n3', 'n4', 'n5'];
  const c = new TestCluster(
    ids.slice(0, 3),
    { electionTick: 6, maxInflight: 4, maxMsgBytes: 200, snapshotChunkBytes: 64 },
    seed,
  );
  let members = ids.slice(0, 3);
  const leaderOfTerm = new Map<number, string>();
  let proposals = 0;
  const reads = new Map<string, number>();
  let answered = 0;
  c.dropIf = () => rand() < 0.1;

  for (let step = 0; step < 400; step++) {
    const r = rand();
    if (r < 0.35) {
      for (const id of members) c.node(id).tick();
    } else if (r < 0.6) {
      const leader = c.leaders()[0];
      if (leader) c.node(leader).propose(`v${seed}-${proposals++}`);
    } else if (r < 0.65) {
      c.heal();
      if (rand() < 0.5) c.isolate(members[Math.floor(rand() * members.length)]!);
    } else if (r < 0.67) {
      const id = members[Math.floor(rand() * members.length)]!;
      c.flush();
      c.restart(id);
    } else if (r < 0.7) {
      const id = members[Math.floor(rand() * members.length)]!;
      if (c.node(id).status().applied > 0) c.snapshotAndCompact(id, Math.floor(rand() * 3));
    } else if (r < 0.72) {
      const leader = c.leaders()[0];
      const joiner = ids.find((id) => !members.includes(id));
      if (leader && joiner && !c.nodes.has(joiner)) {
        if (c.node(leader).proposeConfChange({ type: 'add-learner', id: joiner }).ok) {
          c.addNode(joiner);
          members = [...members, joiner];
        }
      } else if (leader) {
        const learner = c.node(leader).conf.learners[0];
        if (learner) c.node(leader).proposeConfChange({ type: 'promote', id: learner });
      }
    }
    if (rand() < 0.05) {
      const id = members[Math.floor(rand() * members.length)]!;
      const context = `read-${reads.size}`;
      let maxCommit = 0;
      for (const n of c.nodes.values()) maxCommit = Math.max(maxCommit, n.status().commit);
      if (c.node(id).readIndex(context)) reads.set(context, maxCommit);
    }
    if (rand() < 0.01) {
      const leader = c.leaders()[0];
      if (leader) {
        const voters = c.node(leader).conf.voters.filter((v) => v !== leader);
        const pick = voters[Math.floor(rand() * voters.length)];
        if (pick && rand() < 0.5) c.node(leader).transferLeadership(pick);
        else if (pick && voters.length >= 3) c.node(leader).proposeConfChange({ type: 'remove', id: pick });
      }
    }
    c.flush();
    c.deliver(() => rand() < 0.7);
    // ReadIndex linearizability: a read point covers everything committed anywhere before the read began.
    for (const [id, states] of c.readStates) {
      for (const rs of states) {
        const floor = reads.get(rs.context);
        if (floor === undefined) throw new Error(`unknown read ${rs.context} on ${id}`);
        if (rs.index < floor) throw new Error(`read ${rs.context} at ${rs.index} misses commit ${floor}`);
        answered++;
      }
      states.length = 0;
    }
    for (const n of c.nodes.values()) {
      if (!n.isLeader) continue;
      const seen = leaderOfTerm.get(n.currentTerm);
      if (seen && seen !== n.id) throw new Error(`two leaders in term ${n.currentTerm}: ${seen}, ${n.id}`);
      leaderOfTerm.set(n.currentTerm, n.id);
    }
    checkPrefixes(c, members);
  }

  // Heal and let it converge.
  c.heal();
  c.dropIf = () => false;
  for (let t = 0; t < 200; t++) {
    c.tick(members);
    const leader = c.leaders()[0];
    if (!leader) continue;
    const st = c.node(leader).status();
    const live = [...st.conf.voters, ...st.conf.learners];
    if (!st.transferee && live.every((id) => c.node(id).status().applied === st.commit)) break;
  }
  const leader = c.leaders()[0];
  expect(leader).toBeDefined();
  const marker = c.node(leader!).propose('final');
  expect(marker.ok).toBe(true);
  c.tick(members, 3);
  checkPrefixes(c, members);
  const conf = c.node(leader!).conf;
  for (const id of [...conf.voters, ...conf.learners]) expect(c.applied.get(id)!.at(-1)).toBe('final');
  return answered;
}

describe('randomized safety (lossy network, partitions, restarts, compaction, membership)', () => {
  for (let seed = 1; seed <= 40; seed++) {
    it(`seed ${seed}`, () => {
      run(seed);
    });
  }
});
