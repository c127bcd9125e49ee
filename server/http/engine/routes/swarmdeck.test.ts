import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestEngine, type TestEngine } from '../test-support';

let engine: TestEngine;
beforeAll(async () => {
  engine = await startTestEngine();
});
afterAll(() => engine.close());

describe('GET /swarmdeck/raft', () => {
  it("is this manager's raft member in numbers, with or without a version prefix", async () => {
    for (const path of ['/swarmdeck/raft', '/v1.50/swarmdeck/raft']) {
      const r = await engine.call('GET', path);
      expect(r.status).toBe(200);
      expect(r.headers['content-type']).toBe('application/json');
      const st = engine.opened.log.status();
      expect(r.json).toEqual({
        id: st.id,
        role: 'leader',
        leader: st.id,
        leaderReady: true,
        term: st.term,
        commit: st.commit,
        applied: st.storeIndex,
        voters: [st.id],
        learners: [],
        snapshotIndex: 0,
        snapshotsInstalled: 0,
        timing: engine.opened.log.timing(),
        stalledReplication: [],
      });
    }
  });

  it('answers only GET', async () => {
    expect((await engine.call('POST', '/swarmdeck/raft', {})).status).toBe(404);
  });
});

describe('/swarmdeck/settings', () => {
  it('reads and writes the settings no docker CLI flag sets, through a swarm update', async () => {
    expect((await engine.call('GET', '/swarmdeck/settings')).json).toEqual({
      maxReplicas: 10000,
      specHistoryLimit: 20,
    });
    const r = await engine.call('POST', '/swarmdeck/settings', { specHistoryLimit: 50 });
    expect([r.status, r.json]).toEqual([200, { maxReplicas: 10000, specHistoryLimit: 50 }]);
    // the cluster label every manager reads
    const swarm = (await engine.call('GET', '/swarm')).json as { Spec: { Labels: Record<string, string> } };
    expect(swarm.Spec.Labels['swarmdeck.spec-history-limit']).toBe('50');
  });

  it('refuses a value out of range or an unknown setting with a 400 that names it', async () => {
    const low = await engine.call('POST', '/swarmdeck/settings', { specHistoryLimit: 1 });
    expect([low.status, low.headers['content-type']]).toEqual([400, 'application/json']);
    expect((low.json as { message: string }).message).toBe(
      'specHistoryLimit must be a whole number from 2 to 500 (cluster label swarmdeck.spec-history-limit)',
    );
    const typo = await engine.call('POST', '/swarmdeck/settings', { specHistory: 5 });
    expect([typo.status, (typo.json as { message: string }).message]).toEqual([
      400,
      'unknown setting "specHistory": the settings are maxReplicas, specHistoryLimit',
    ]);
    expect((await engine.call('GET', '/swarmdeck/settings')).json).toMatchObject({ specHistoryLimit: 50 });
  });
});
