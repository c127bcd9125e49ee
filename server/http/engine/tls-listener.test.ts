import { request } from 'node:https';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { issueClientCertificate, issueEngineServerCertificate } from '../../ca/client-certificate';
import { createCSR, signCSR } from '../../ca/issue';
import { createRootCA, type CAKeyPair } from '../../ca/root-ca';
import { listenerLimits } from '../../net/listener-limits';
import { createEngineTLSListener, engineClientOf, readEngineTLS } from './tls-listener';

describe('the Engine API TLS listener with --tlsverify', () => {
  let root: CAKeyPair;
  let port = 0;
  const server = { close: () => undefined } as { close(): void };

  const get = (client?: { cert: string; key: string }) =>
    new Promise<{ status?: number; body: string }>((resolve, reject) => {
      const req = request({ host: '127.0.0.1', port, path: '/', ca: root.cert, ...client }, (res) => {
        let body = '';
        res.on('data', (c: Buffer) => (body += c.toString()));
        res.on('end', () => resolve({ status: res.statusCode, body }));
      });
      req.on('error', reject);
      req.end();
    });

  beforeAll(async () => {
    root = await createRootCA();
    const signer = { cert: root.cert, key: root.key, intermediates: '' };
    const own = await issueEngineServerCertificate(signer, { hosts: ['127.0.0.1'], clusterID: 'c1' });
    const s = createEngineTLSListener(
      { ca: root.cert, cert: own.cert, key: own.key },
      listenerLimits(undefined).engine,
      (req, res) => {
        res.writeHead(200, { 'Content-Type': 'application/json' });
        res.end(JSON.stringify(engineClientOf(req) ?? null));
      },
    );
    await new Promise<void>((r) => s.listen(0, '127.0.0.1', r));
    port = (s.address() as AddressInfo).port;
    server.close = () => s.close();
  });
  afterAll(() => server.close());

  it('hands the handler the certificate name and role', async () => {
    const signer = { cert: root.cert, key: root.key, intermediates: '' };
    const viewer = await issueClientCertificate(signer, { name: 'victor', role: 'viewer', clusterID: 'c1' });
    expect(await get(viewer)).toEqual({
      status: 200,
      body: JSON.stringify({ subject: 'CN=victor,OU=viewer,O=c1', name: 'victor', role: 'viewer' }),
    });
  });

  it("refuses a node's certificate with a 403, and no certificate in the handshake", async () => {
    const { key, csr } = await createCSR();
    const cert = await signCSR(
      { cert: root.cert, key: root.key, intermediates: '' },
      csr,
      { nodeID: 'node1', role: 'swarm-worker', clusterID: 'c1' },
      3_600_000,
    );
    const r = await get({ cert, key });
    expect(r.status).toBe(403);
    expect(JSON.parse(r.body)).toEqual({
      message:
        'a swarm node certificate is not an Engine API client certificate: issue one with `swarmdeck cert issue`',
    });
    await expect(get()).rejects.toThrow(/certificate required|socket hang up|ECONNRESET/);
  });

  it('names the flag whose file cannot be read', () => {
    expect(() =>
      readEngineTLS({ tlsVerify: true, tlsCACert: '/nonexistent/ca.pem', tlsCert: 'x', tlsKey: 'y' }),
    ).toThrow(/^--tlscacert \/nonexistent\/ca\.pem: ENOENT/);
  });
});
