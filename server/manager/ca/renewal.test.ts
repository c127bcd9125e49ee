import { afterEach, describe, expect, it } from 'vitest';
import { createCSR } from '../../ca';
import { SwarmError } from '../../api/errors';
import { isRenewAnswer, renewRequest } from '../../node-tls';
import { makeNode, openTempStore } from '../../store/test-support';
import { initCluster } from '../bootstrap';
import { parseRenewal, renewCertificate } from './issuer';

/** What the member CA does with a renewal from a node on its own connection: parse, then sign. */
const serveRenewal = async (view: Parameters<typeof renewCertificate>[0], nodeID: string, payload: unknown) =>
  renewCertificate(view, nodeID, parseRenewal(payload).csr);

const opened: Awaited<ReturnType<typeof openTempStore>>[] = [];
afterEach(async () => {
  while (opened.length) await opened.pop()!.close();
});

async function setup() {
  const s = await openTempStore();
  opened.push(s);
  const self = makeNode({ hostname: 'm1' });
  await initCluster(s.store, { nodeID: self.ID, description: self.Description, addr: '127.0.0.1' });
  return { view: s.store.view, nodeID: self.ID };
}

const refusal = async (p: Promise<unknown>): Promise<[number, string]> => {
  const e = await p.catch((x: unknown) => x);
  if (!(e instanceof SwarmError)) throw new Error(`expected a refusal, got ${String(e)}`);
  return [e.status, e.message];
};

describe('certificate renewal requests', () => {
  it('signs a real CSR, and the answer passes the node’s own check', async () => {
    const { view, nodeID } = await setup();
    const { csr } = await createCSR();
    const answer = await serveRenewal(view, nodeID, renewRequest(csr));
    expect(answer.certificate).toMatch(/^-----BEGIN CERTIFICATE-----/);
    expect(isRenewAnswer(answer)).toBe(true);
  });

  it('refuses an oversized or malformed CSR before parsing it, naming the field', async () => {
    const { view, nodeID } = await setup();
    const { csr } = await createCSR();
    const big = { ca: 'renew', csr: csr + 'A'.repeat(1024 * 1024) };
    expect(await refusal(serveRenewal(view, nodeID, big))).toEqual([
      400,
      'rpc error: code = InvalidArgument desc = renewal: csr: longer than 16384 characters',
    ]);
    expect(await refusal(serveRenewal(view, nodeID, { ca: 'renew', csr: 'hello' }))).toEqual([
      400,
      'rpc error: code = InvalidArgument desc = renewal: csr: not a PEM CERTIFICATE REQUEST',
    ]);
    expect(await refusal(serveRenewal(view, nodeID, { ca: 'renew', csr: 7 }))).toEqual([
      400,
      'rpc error: code = InvalidArgument desc = renewal: csr: a PEM CERTIFICATE REQUEST is required',
    ]);
    // a PEM header on garbage gets as far as the CA library, which refuses it too
    const garbage = {
      ca: 'renew',
      csr: '-----BEGIN CERTIFICATE REQUEST-----\nnope\n-----END CERTIFICATE REQUEST-----',
    };
    expect((await refusal(serveRenewal(view, nodeID, garbage)))[0]).toBe(400);
    // a member passing a renewal on names a node by the node-ID rule
    expect((await refusal(serveRenewal(view, nodeID, { ca: 'renew', csr, nodeID: 'swarm-manager' })))[0]).toBe(400);
  });

  it('the node refuses to send a bad CSR, and takes only a bounded PEM answer', () => {
    expect(() => renewRequest('x'.repeat(20_000))).toThrow(/renewal: csr: longer than 16384 characters/);
    const cert = '-----BEGIN CERTIFICATE-----\nMIIB\n-----END CERTIFICATE-----\n';
    expect(isRenewAnswer({ certificate: cert, rootCA: cert })).toBe(true);
    expect(isRenewAnswer({ certificate: cert + 'A'.repeat(70_000), rootCA: cert })).toBe(false);
    expect(isRenewAnswer({ certificate: 'oops', rootCA: cert })).toBe(false);
    expect(isRenewAnswer({ certificate: cert })).toBe(false);
  });
});
