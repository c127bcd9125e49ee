import { afterEach, beforeAll, describe, expect, it } from 'vitest';
import { SwarmError } from '../../api/errors';
import { checkNodeChain, createCSR } from '../../ca';
import { openTempStore } from '../../store/test-support';
import { initCluster, simWorkerDescription } from '../bootstrap';
import { joinRequestHandler, requestJoin, type JoinDeps } from './join';

const cleanups: (() => Promise<void>)[] = [];
afterEach(async () => {
  while (cleanups.length) await cleanups.pop()!();
});

async function setup(opts: { leader?: boolean } = {}) {
  const s = await openTempStore();
  cleanups.push(() => s.close());
  await initCluster(s.store, { nodeID: 'm1', description: simWorkerDescription(0), addr: '127.0.0.1' });
  const cluster = s.store.view.list('cluster')[0]!;
  const added: [string, string, boolean][] = [];
  const forwarded: unknown[] = [];
  const conf = { voters: ['m1'], learners: [] as string[], removed: ['gone'] };
  const deps: JoinDeps = {
    store: s.store,
    log: {
      isLeader: () => opts.leader ?? true,
      leader: () => 'm1',
      members: () => new Map([['m1', '127.0.0.1:2377'], ...added.map(([id, addr]) => [id, addr] as [string, string])]),
      status: () => ({ conf }),
      addMember: async (id, addr, o) => {
        added.push([id, addr, !!o.asLearner]);
        conf.learners.push(id);
      },
    },
    barrier: async () => 0,
    request: async (to, payload) => {
      forwarded.push([to, payload]);
      return { forwarded: true };
    },
    sleep: async () => undefined,
  };
  return { s, cluster, added, forwarded, handle: joinRequestHandler(deps) };
}

const joiner = { raftId: 'm2', addr: '127.0.0.1:2387', via: 'join-token' as const };
let csr = '';
let key = '';
beforeAll(async () => ({ csr, key } = await createCSR()));
const body = (token: string) => ({
  join: { token, addr: '127.0.0.1:2387', description: simWorkerDescription(9), csr },
});

describe('join', () => {
  it('admits a manager: creates its Node, signs its certificate, adds it as a learner, answers with the members', async () => {
    const { s, cluster, added, handle } = await setup();
    const answer = await handle(body(cluster.JoinTokens.Manager), joiner);
    expect(answer).toEqual({
      clusterID: cluster.ID,
      nodeID: 'm2',
      certificate: expect.stringMatching(/^-----BEGIN CERTIFICATE-----/),
      rootCA: cluster.RootCA!.CACert,
      members: { m1: '127.0.0.1:2377', m2: '127.0.0.1:2387' },
    });
    await expect(checkNodeChain(answer.certificate, answer.rootCA, key)).resolves.toMatchObject({
      nodeID: 'm2',
      role: 'manager',
      clusterID: cluster.ID,
    });
    expect(added).toEqual([['m2', '127.0.0.1:2387', true]]);
    const node = s.store.view.get('node', 'm2')!;
    expect(node).toMatchObject({ Role: 'manager', Spec: { Role: 'manager' }, Status: { Addr: '127.0.0.1' } });
  });

  it('refuses an ID the swarm already has (the leader’s own included) before signing anything', async () => {
    const { s, cluster, added, handle } = await setup();
    const already = (id: string) =>
      `rpc error: code = AlreadyExists desc = node ${id} is already part of this swarm; a node that lost its credentials joins again with a fresh data directory`;
    await handle(body(cluster.JoinTokens.Manager), joiner);
    const before = s.store.view.get('node', 'm2');
    // a second join as m2 (say, with a stolen token) gets no certificate for m2
    await expect(handle(body(cluster.JoinTokens.Manager), joiner)).rejects.toThrow(already('m2'));
    await expect(handle(body(cluster.JoinTokens.Manager), { ...joiner, raftId: 'm1' })).rejects.toThrow(already('m1'));
    // refused before the CSR is even read: nothing was signed
    const badCSR = { join: { ...body(cluster.JoinTokens.Manager).join, csr: 'junk' } };
    await expect(handle(badCSR, { ...joiner, raftId: 'm1' })).rejects.toThrow(already('m1'));
    expect(s.store.view.get('node', 'm2')).toEqual(before);
    expect(added).toHaveLength(1);
  });

  it('refuses a node ID that is not a plain ID, such as a role name', async () => {
    const { cluster, handle } = await setup();
    for (const raftId of ['swarm-manager', 'swarm-ca', 'a.b', ''])
      await expect(handle(body(cluster.JoinTokens.Manager), { ...joiner, raftId })).rejects.toThrow(
        /invalid joiner ID/,
      );
  });

  it('refuses a bad token, a worker token, a removed member and a bad CSR with swarm’s messages', async () => {
    const { cluster, handle } = await setup();
    const badCSR = { join: { ...body(cluster.JoinTokens.Manager).join, csr: 'junk' } };
    await expect(handle(badCSR, joiner)).rejects.toThrow(/invalid CSR/);
    await expect(handle(body('SWMTKN-1-nope'), joiner)).rejects.toThrow(
      'rpc error: code = InvalidArgument desc = A valid join token is necessary to join this cluster',
    );
    await expect(handle(body(cluster.JoinTokens.Worker), joiner)).rejects.toThrow(/worker join token/);
    await expect(handle(body(cluster.JoinTokens.Manager), { ...joiner, raftId: 'gone' })).rejects.toThrow(
      /was removed/,
    );
  });

  it('a follower passes the join on to the leader, naming the joiner', async () => {
    const { cluster, forwarded, handle } = await setup({ leader: false });
    expect(await handle(body(cluster.JoinTokens.Manager), joiner)).toEqual({ forwarded: true });
    expect(forwarded).toEqual([['m1', { join: { ...body(cluster.JoinTokens.Manager).join, raftId: 'm2' } }]]);
  });

  it('the joiner maps a refused handshake to swarm’s error', async () => {
    const refused = {
      request: async () =>
        Promise.reject(
          Object.assign(new Error('A valid join token is necessary to join this cluster'), { kind: 'unreachable' }),
        ),
    };
    const err = await requestJoin(refused, '127.0.0.1:2377', body('x').join).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(SwarmError);
    expect((err as SwarmError).status).toBe(400);
  });
});
