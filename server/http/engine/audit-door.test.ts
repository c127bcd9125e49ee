import { afterEach, describe, expect, it } from 'vitest';
import { startTestEngine, type TestEngine } from './test-support';

let engine: TestEngine | undefined;
afterEach(async () => {
  await engine?.close();
  engine = undefined;
});

const spec = {
  Name: 'web',
  TaskTemplate: { ContainerSpec: { Image: 'nginx:alpine' } },
  Mode: { Replicated: { Replicas: 1 } },
};

describe('Engine API in the audit log', () => {
  it("stamps a client's writes with the client and the request", async () => {
    engine = await startTestEngine();
    const r = await engine.call('POST', '/v1.48/services/create', spec);
    expect(r.status).toBe(201);
    const record = engine.opened.store.view.audit.list().at(-1)!;
    expect(record).toMatchObject({
      actor: { kind: 'engine-client', subject: 'local (no TLS)', peer: expect.stringMatching(/^127\.0\.0\.1:\d+$/) },
      action: 'POST /services/create',
      target: 'service web',
      result: 'ok',
    });
    // reads make no record and no note
    const size = engine.opened.store.view.audit.size;
    await engine.call('GET', '/v1.48/services');
    await engine.call('GET', '/v1.48/services/nope');
    expect(engine.opened.store.view.audit.size).toBe(size);
    expect(engine.notes).toEqual([]);
  });

  it('notes a refused write with the message the client got, and nothing for a write that went to the log', async () => {
    engine = await startTestEngine();
    const r = await engine.call('POST', '/v1.48/services/nope/update?version=1', spec);
    expect(r.status).toBe(404);
    await engine.call('POST', '/v1.48/services/create', spec);
    const dup = await engine.call('POST', '/v1.48/services/create', spec);
    expect(dup.status).toBe(409);
    await new Promise((res) => setImmediate(res));
    expect(engine.notes).toEqual([
      {
        actor: { kind: 'engine-client', subject: 'local (no TLS)', peer: expect.any(String) },
        action: 'POST /services/nope/update',
        result: 'refused (404): service nope not found',
      },
      expect.objectContaining({
        action: 'POST /services/create',
        result: expect.stringMatching(/^refused \(409\): .*exists/),
      }),
    ]);
  });
});
