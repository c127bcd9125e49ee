import { request } from 'node:https';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { issueClientCertificate, issueEngineServerCertificate } from '../../ca/client-certificate';
import { createRootCA, type CAKeyPair } from '../../ca/root-ca';
import { listenerLimits } from '../../net/listener-limits';
import { createEngineHandler } from './server';
import { startTestEngine, type TestEngine } from './test-support';
import { createEngineTLSListener } from './tls-listener';

const spec = {
  Name: 'web',
  TaskTemplate: { ContainerSpec: { Image: 'nginx:alpine' } },
  Mode: { Replicated: { Replicas: 1 } },
};

describe('Engine API clients over --tlsverify in the audit log', () => {
  let root: CAKeyPair;
  let engine: TestEngine;
  let port = 0;
  let close = () => undefined as void;

  const post = (path: string, body: unknown, client: { cert: string; key: string }) =>
    new Promise<number | undefined>((resolve, reject) => {
      const data = JSON.stringify(body);
      const req = request(
        {
          host: '127.0.0.1',
          port,
          path,
          method: 'POST',
          ca: root.cert,
          headers: { 'Content-Type': 'application/json', 'Content-Length': Buffer.byteLength(data) },
          ...client,
        },
        (res) => {
          res.resume();
          res.on('end', () => resolve(res.statusCode));
        },
      );
      req.on('error', reject);
      req.end(data);
    });

  beforeAll(async () => {
    root = await createRootCA();
    engine = await startTestEngine();
    const signer = { cert: root.cert, key: root.key, intermediates: '' };
    const own = await issueEngineServerCertificate(signer, { hosts: ['127.0.0.1'], clusterID: 'c1' });
    const s = createEngineTLSListener(
      { ca: root.cert, cert: own.cert, key: own.key },
      listenerLimits(undefined).engine,
      createEngineHandler(engine.ctx),
    );
    await new Promise<void>((r) => s.listen(0, '127.0.0.1', r));
    port = (s.address() as AddressInfo).port;
    close = () => void s.close();
  });
  afterAll(async () => {
    close();
    await engine.close();
  });

  it("records a write as its certificate's subject and role, and notes a refused one the same way", async () => {
    const signer = { cert: root.cert, key: root.key, intermediates: '' };
    const viewer = await issueClientCertificate(signer, { name: 'victor', role: 'viewer', clusterID: 'c1' });
    const admin = await issueClientCertificate(signer, { name: 'ada', role: 'admin', clusterID: 'c1' });
    expect(await post('/v1.48/services/create', spec, viewer)).toBe(403);
    expect(await post('/v1.48/services/create', spec, admin)).toBe(201);
    await new Promise((r) => setImmediate(r));
    expect(engine.notes).toEqual([
      {
        actor: {
          kind: 'engine-client',
          subject: 'CN=victor,OU=viewer,O=c1',
          role: 'viewer',
          peer: expect.stringMatching(/^127\.0\.0\.1:/),
        },
        action: 'POST /services/create',
        result: expect.stringMatching(/^refused \(403\): .*viewer/),
      },
    ]);
    expect(engine.opened.store.view.audit.list().at(-1)).toMatchObject({
      actor: { kind: 'engine-client', subject: 'CN=ada,OU=admin,O=c1', role: 'admin' },
      action: 'POST /services/create',
      target: 'service web',
      result: 'ok',
    });
  });
});
