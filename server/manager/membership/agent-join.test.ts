import { X509Certificate } from 'node:crypto';
import { afterEach, beforeAll, describe, expect, it } from 'vitest';
import { SwarmError } from '../../api/errors';
import { checkNodeChain, createCSR } from '../../ca';
import { openTempStore } from '../../store/test-support';
import { initCluster, simWorkerDescription } from '../bootstrap';
import { agentJoinHandler, MANAGER_TOKEN_FOR_AGENT } from './agent-join';

const cleanups: (() => Promise<void>)[] = [];
afterEach(async () => {
  while (cleanups.length) await cleanups.pop()!();
});

async function setup(opts: { leader?: boolean } = {}) {
  const s = await openTempStore();
  cleanups.push(() => s.close());
  await initCluster(s.store, { nodeID: 'm1', description: simWorkerDescription(0), addr: '127.0.0.1' });
  const cluster = s.store.view.list('cluster')[0]!;
  const forwarded: unknown[] = [];
  const handle = agentJoinHandler({
    store: s.store,
    isLeader: () => opts.leader ?? true,
    leader: () => 'm1',
    members: () => new Map([['m1', '127.0.0.1:2377']]),
    removed: () => ['gone'],
    barrier: async () => 0,
    request: async (to, payload) => {
      forwarded.push([to, payload]);
      return { forwarded: true };
    },
  });
  return { s, cluster, forwarded, handle };
}

const agent = (id = 'w1') => ({ raftId: id, addr: '127.0.0.9:0', via: 'worker-token' as const });
let csr = '';
let key = '';
beforeAll(async () => ({ csr, key } = await createCSR()));
const body = (token: string) => ({
  agentJoin: { token, addr: '127.0.0.9', description: { ...simWorkerDescription(1), Hostname: 'edge-1' }, csr },
});

describe('agent join', () => {
  it('admits an agent with the worker token: a worker Node, its worker certificate, the managers', async () => {
    const { s, cluster, handle } = await setup();
    const answer = await handle(body(cluster.JoinTokens.Worker), agent());
    expect(answer).toEqual({
      clusterID: cluster.ID,
      nodeID: 'w1',
      certificate: expect.stringMatching(/^-----BEGIN CERTIFICATE-----/),
      rootCA: cluster.RootCA!.CACert,
      leader: 'm1',
      managers: { m1: '127.0.0.1:2377' },
    });
    await expect(checkNodeChain(answer.certificate, answer.rootCA, key)).resolves.toMatchObject({
      nodeID: 'w1',
      role: 'worker',
    });
    const node = s.store.view.get('node', 'w1')!;
    expect(node).toMatchObject({
      Role: 'worker',
      Spec: { Role: 'worker', Availability: 'active' },
      Description: { Hostname: 'edge-1' },
      Status: { State: 'unknown', Addr: '127.0.0.9' },
    });
    // what a later `node rm` blacklists it until
    expect(node.CertificateNotAfter).toBe(new Date(new X509Certificate(answer.certificate).validTo).toISOString());
    // the token does not buy an existing node's identity (or a certificate for it)
    await expect(handle(body(cluster.JoinTokens.Worker), agent())).rejects.toThrow(/already part of this swarm/);
    expect(s.store.view.list('node').filter((n) => n.ID === 'w1')).toHaveLength(1);
    // checked before the CSR is read: nothing is signed for an existing node
    const badCSR = { agentJoin: { ...body(cluster.JoinTokens.Worker).agentJoin, csr: 'junk' } };
    await expect(handle(badCSR, agent())).rejects.toThrow(/already part of this swarm/);
    await expect(handle(badCSR, agent('w2'))).rejects.toThrow(/invalid CSR/);
    expect(s.store.view.get('node', 'w2')).toBeUndefined();
  });

  it('refuses the manager token, a bad token, a manager node ID and a removed member', async () => {
    const { cluster, handle } = await setup();
    await expect(handle(body(cluster.JoinTokens.Manager), agent())).rejects.toThrow(MANAGER_TOKEN_FOR_AGENT);
    await expect(handle(body('SWMTKN-1-nope'), agent())).rejects.toThrow(/valid join token/);
    await expect(handle(body(cluster.JoinTokens.Worker), agent('m1'))).rejects.toThrow(/already part of this swarm/);
    await expect(handle(body(cluster.JoinTokens.Worker), agent('gone'))).rejects.toThrow(/removed/);
    const err = await handle(body(cluster.JoinTokens.Worker), agent('bad id!')).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(SwarmError);
  });

  it('passes the join to the leader from a follower, naming the agent', async () => {
    const { cluster, forwarded, handle } = await setup({ leader: false });
    expect(await handle(body(cluster.JoinTokens.Worker), agent('w7'))).toEqual({ forwarded: true });
    expect(forwarded).toEqual([['m1', { agentJoin: { ...body(cluster.JoinTokens.Worker).agentJoin, nodeID: 'w7' } }]]);
  });
});
