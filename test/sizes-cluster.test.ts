// No write, however large, can stop three managers from committing. A label
// of quotes once passed the 4 MiB body bound, was proposed, and (its escapes
// escaped again on the wire) made an append message larger than any frame:
// the leader resent it forever and nothing else committed. Now every large
// write is a 400 before it reaches the log, on the leader and on a follower.

import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { tempDir } from './integration/harness';
import { readyLeader, startThreeManagers, until, type ManagerProc } from './cluster-harness';

describe('oversized writes on three managers', () => {
  const data = tempDir('swarmdeck-sizes-');
  const ms: ManagerProc[] = [];

  const leader = () => readyLeader(ms);

  beforeAll(async () => {
    await startThreeManagers(ms, data.path, { m1Args: ['--sim-workers', '1'], joinerArgs: ['--sim-workers', '0'] });
  }, 180_000);

  afterAll(async () => {
    await Promise.all(ms.map((m) => m.stop()));
    data.remove();
  }, 60_000);

  /** A 400 with a JSON `{message}` (Content-Type exactly application/json) matching `text`. */
  const refused = async (m: ManagerProc, method: string, path: string, body: unknown, text: RegExp) => {
    const r = await m.api(method, path, body, 30_000);
    expect([r.status, r.contentType], JSON.stringify(r.json)?.slice(0, 300)).toEqual([400, 'application/json']);
    expect((r.json as { message: string }).message).toMatch(text);
  };

  it('refuses each with a 400 on the leader and on a follower; the cluster still commits', async () => {
    const before = (await leader())!;
    const follower = ms.find((m) => m !== before.m)!;
    const node = ((await before.m.api('GET', '/nodes')).json as { ID: string; Version: { Index: number } }[])[0]!;
    const update = `/nodes/${node.ID}/update?version=${node.Version.Index}`;
    const spec = { Role: 'manager', Availability: 'active' };
    const quotes = (n: number) => '"'.repeat(n);
    for (const m of [before.m, follower]) {
      // the review's case: a body of nearly 4 MiB, all escaped quotes (16 MiB on the wire)
      await refused(
        m,
        'POST',
        update,
        { ...spec, Labels: { big: quotes(2_000_000) } },
        /^rpc error: code = InvalidArgument desc = Labels: the value of "big" is 2000000 characters long \(the limit is 65536\)$/,
      );
      // labels within the limits, together far over the proposal limit: refused by the log itself
      const many = Object.fromEntries(Array.from({ length: 28 }, (_, i) => [`l${i}`, quotes(60_000)]));
      await refused(
        m,
        'POST',
        update,
        { ...spec, Labels: many },
        /raft message is too large and can't be sent: the write is \d+ bytes encoded, the limit is 1572864$/,
      );
      // a spec just under the body limit, over the proposal limit
      const svc = {
        Name: 'big',
        TaskTemplate: { ContainerSpec: { Image: 'nginx', Env: [`A=${quotes(1_900_000)}`] } },
      };
      await refused(
        m,
        'POST',
        '/services/create',
        svc,
        /service spec is too large: \d+ bytes encoded, the limit is 376832/,
      );
    }

    // nothing was written, nobody crashed or fell behind, the leader kept its term
    for (const m of ms) {
      expect(m.running, m.out.slice(-2000)).toBe(true);
      const n = ((await m.api('GET', `/nodes/${node.ID}`)).json as { Spec: { Labels?: object } }).Spec;
      expect(Object.keys(n.Labels ?? {})).toEqual([]);
    }
    const after = (await leader())!;
    expect([after.m.name, after.h.term, after.h.stalledReplication]).toEqual([before.m.name, before.h.term, []]);

    // and it still commits: a service created on the leader is seen by a follower
    const created = await after.m.api('POST', '/services/create', {
      Name: 'web',
      TaskTemplate: { ContainerSpec: { Image: 'nginx' } },
    });
    expect(created.status, JSON.stringify(created.json)).toBe(201);
    const id = (created.json as { ID: string }).ID;
    await until(
      'the follower to see the new service',
      async () => ((await follower.api('GET', `/services/${id}`)).status === 200 ? true : undefined),
      20_000,
      100,
    );
    const commits = await Promise.all(ms.map(async (m) => (await m.health())!.commit));
    expect(Math.min(...commits)).toBeGreaterThan(before.h.commit);
  }, 180_000);
});
