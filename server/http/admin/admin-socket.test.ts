import { X509Certificate } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import type { Cluster } from '../../api/types';
import { createRootCA } from '../../ca/root-ca';
import { HttpError } from '../http-error';
import { answerAdmin } from './admin-socket';

async function storeWithCA() {
  const root = await createRootCA();
  const cluster = { ID: 'cluster1', RootCA: { CACert: root.cert, CAKey: root.key } } as unknown as Cluster;
  return { root, view: { list: () => [cluster] } as never };
}

const refusal = (p: Promise<unknown>) =>
  p.then(
    () => undefined,
    (err: unknown) => (err instanceof HttpError ? [err.status, err.message] : err),
  );

describe('admin socket', () => {
  it('issues a client certificate for a name and role, with the swarm root as ca.pem', async () => {
    const { root, view } = await storeWithCA();
    const a = await answerAdmin(view, 'POST', '/certificates/client', {
      name: 'alice',
      role: 'viewer',
      expiryHours: 2,
    });
    expect(a.ca).toBe(root.cert);
    const x = new X509Certificate(a.cert);
    expect(x.subject).toContain('OU=viewer');
    expect(Date.parse(x.validTo) - Date.now()).toBeLessThanOrEqual(2 * 3_600_000);
    expect(a.key).toMatch(/^-----BEGIN PRIVATE KEY-----/);
  });

  it("issues the Engine API's certificate for its IPs and names", async () => {
    const { view } = await storeWithCA();
    const a = await answerAdmin(view, 'POST', '/certificates/engine', { hosts: ['127.0.0.1', 'manager.example'] });
    const x = new X509Certificate(a.cert);
    expect(x.subjectAltName).toBe('IP Address:127.0.0.1, DNS:manager.example');
    expect(x.checkIP('127.0.0.1')).toBe('127.0.0.1');
    expect(x.keyUsage).toEqual(['1.3.6.1.5.5.7.3.1']);
  });

  it('refuses bad input with a 400 naming the field, and unknown paths with a 404', async () => {
    const { view } = await storeWithCA();
    expect(await refusal(answerAdmin(view, 'POST', '/certificates/client', { name: 'bob', role: 'root' }))).toEqual([
      400,
      'role: one of viewer, operator, admin',
    ]);
    expect(await refusal(answerAdmin(view, 'POST', '/certificates/client', { name: 'a b', role: 'admin' }))).toEqual([
      400,
      expect.stringMatching(/^invalid name "a b"/),
    ]);
    expect(await refusal(answerAdmin(view, 'POST', '/certificates/engine', { hosts: ['bad host'] }))).toEqual([
      400,
      'invalid host "bad host": a DNS name or an IP address',
    ]);
    expect(await refusal(answerAdmin(view, 'POST', '/certificates/engine', { hosts: [], expiryHours: 0 }))).toEqual([
      400,
      'hosts: at least one host name or IP address',
    ]);
    expect(await refusal(answerAdmin(view, 'GET', '/certificates/client', undefined))).toEqual([
      404,
      'page not found: GET /certificates/client',
    ]);
    expect(await refusal(answerAdmin({ list: () => [] } as never, 'POST', '/certificates/client', {}))).toEqual([
      503,
      'this manager has no certificate authority yet',
    ]);
  });
});
