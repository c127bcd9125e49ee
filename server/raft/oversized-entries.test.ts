// The raft shell and entries too large for the wire: a proposal over the limit
// is refused before it reaches the log, and an entry already in the log that
// no message can carry (written before the limit) is reported once, loudly,
// instead of being resent at every heartbeat.

import { describe, expect, it } from 'vitest';
import type { Batch } from '../store/batch';
import { config, create, threeMembers, World } from './test-world';

/** A config whose name is `n` quotes: 4 bytes each once the batch is inside a message. */
const quotes = (id: string, n: number): Batch => ({
  ops: [{ op: 'create', kind: 'config', object: { ...config(id), Spec: { Name: '"'.repeat(n), Labels: {} } } }],
});

describe('oversized entries', () => {
  it('refuses a proposal over the limit, measured with its escapes, and keeps committing', async () => {
    const w = new World();
    const leader = await threeMembers(w);
    const before = leader.status().lastIndex;
    // 400,000 characters: 1.6 MB on the wire, over 1.5 MiB
    const err = await leader.propose(quotes('big', 400_000)).catch((e: unknown) => e);
    expect(err).toMatchObject({
      status: 400,
      message: expect.stringMatching(
        /^rpc error: code = InvalidArgument desc = raft: raft message is too large and can't be sent: the write is \d+ bytes encoded, the limit is 1572864$/,
      ),
    });
    expect(leader.status().lastIndex).toBe(before);
    await leader.propose(create('small'));
    await w.until(() => [...w.stores.values()].every((s) => !!s.get('config', 'small')));
  });

  it('reports a follower stalled behind an entry no message can carry, once, without resending it', async () => {
    const w = new World();
    // a log from before proposals were capped: the entry goes in, but is larger than a message may be
    const core = { electionTick: 10, heartbeatTick: 1, maxProposalBytes: 1e9, maxEntryBytes: 64 * 1024 };
    const boot = { n1: 'addr-n1', n2: 'addr-n2', n3: 'addr-n3' };
    for (const id of Object.keys(boot)) await w.open(id, { bootstrap: boot, core });
    await w.until(() => !!w.leader());
    const leader = w.leader()!;
    const sent: string[] = [];
    for (const [id, t] of w.transports) {
      const send = t.send.bind(t);
      t.send = (to, m) => {
        if (m.type === 'app' && m.entries.length > 0) sent.push(`${id}->${to}`);
        return send(to, m);
      };
    }
    void leader.propose(quotes('big', 20_000)).catch(() => undefined);
    await w.run(3_000); // 30 heartbeats
    const stalls = leader.status().stalledReplication;
    expect(stalls.map((s) => s.to).sort()).toEqual(['n2', 'n3']);
    expect(stalls[0]).toMatchObject({ limit: 64 * 1024, bytes: expect.any(Number) });
    expect(stalls[0]!.bytes).toBeGreaterThan(80_000);
    expect(sent).toEqual([]);
    const logged = w.errors.filter((e) => e.includes('is stalled'));
    expect(logged).toHaveLength(2);
    expect(logged[0]).toMatch(
      /^raft: cannot replicate entry \d+ to n[23]: it is \d+ bytes encoded, more than a message may carry \(65536\); replication to n[23] is stalled$/,
    );
    expect(w.leader()).toBe(leader); // heartbeats go on: no election
  });
});
