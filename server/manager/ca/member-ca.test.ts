import { X509Certificate } from 'node:crypto';
import { afterEach, describe, expect, it } from 'vitest';
import { createCSR } from '../../ca';
import { NodeCredentials } from '../../node-tls';
import { openTempStore } from '../../store/test-support';
import { systemClock } from '../../util/clock';
import { initCluster, newNode, simWorkerDescription } from '../bootstrap';
import { RequestRouter } from '../dispatcher/remote/request-router';
import { MemberCA } from './member-ca';

const cleanups: (() => Promise<void>)[] = [];
afterEach(async () => {
  while (cleanups.length) await cleanups.pop()!();
});

async function setup(leader: boolean) {
  const s = await openTempStore();
  cleanups.push(() => s.close());
  await initCluster(s.store, { nodeID: 'm1', description: simWorkerDescription(0), addr: '127.0.0.1' });
  await s.store.update(
    (tx) => void tx.create('node', newNode('w1', 'worker', simWorkerDescription(1), '127.0.0.9', tx.now)),
  );
  const router = new RequestRouter();
  const forwarded: unknown[] = [];
  const ca = new MemberCA({
    store: s.store,
    selfID: leader ? 'm1' : 'm2',
    tls: new NodeCredentials(undefined),
    router,
    clock: systemClock,
    removedFromRaft: () => false,
    leader: () => 'm1',
    request: async (to, payload) => {
      forwarded.push([to, payload]);
      return { certificate: 'from the leader', rootCA: '' };
    },
    log: () => undefined,
  });
  if (!leader)
    await s.store.update(
      (tx) => void tx.create('node', newNode('m2', 'manager', simWorkerDescription(2), '127.0.0.2', tx.now)),
    );
  await ca.start(() => leader);
  cleanups.push(() => ca.stop());
  return { s, router, forwarded };
}

describe('member CA: other nodes’ renewals', () => {
  it('the leader signs, and records the certificate’s expiry on the node before it goes out', async () => {
    const { s, router } = await setup(true);
    const { csr } = await createCSR();
    const answer = (await router.handle({ ca: 'renew', csr }, { raftId: 'w1', addr: 'x', via: 'node' })) as {
      certificate: string;
    };
    const notAfter = new Date(new X509Certificate(answer.certificate).validTo).toISOString();
    expect(s.store.view.get('node', 'w1')!.CertificateNotAfter).toBe(notAfter);
    // a node names only itself: a nodeID in its request is ignored
    await router.handle({ ca: 'renew', csr, nodeID: 'm1' }, { raftId: 'w1', addr: 'x', via: 'node' });
    expect(s.store.view.get('node', 'm1')!.CertificateNotAfter).toBeUndefined();
  });

  it('any other manager passes the renewal to the leader, naming the node', async () => {
    const { s, router, forwarded } = await setup(false);
    const { csr } = await createCSR();
    const answer = await router.handle({ ca: 'renew', csr }, { raftId: 'w1', addr: 'x', via: 'node' });
    expect(answer).toEqual({ certificate: 'from the leader', rootCA: '' });
    expect(forwarded).toEqual([['m1', { ca: 'renew', csr, nodeID: 'w1' }]]);
    expect(s.store.view.get('node', 'w1')!.CertificateNotAfter).toBeUndefined();
  });
});
