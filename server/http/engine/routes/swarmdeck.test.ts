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
