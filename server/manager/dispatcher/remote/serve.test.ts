// serveDispatcher's checks of who is calling: an agent (worker certificate) acts only as
// its own node, token holders reach nothing, every answer carries the managers.
import { afterEach, describe, expect, it } from 'vitest';
import type { Cluster } from '../../../api/types';
import type { PeerIdentity } from '../../../raft/transport';
import { makeNode, openTempStore } from '../../../store/test-support';
import { iso, systemClock } from '../../../util/clock';
import { Dispatcher } from '../dispatcher';
import { RequestRouter } from './request-router';
import { serveDispatcher } from './serve';

const cleanups: (() => Promise<void> | void)[] = [];
afterEach(async () => {
  while (cleanups.length) await cleanups.pop()!();
});

const node = (id: string): PeerIdentity => ({ raftId: id, addr: '127.0.0.1:0', via: 'node' });
const directory = { leader: 'm1', managers: { m1: '127.0.0.1:2377' } };

async function setup() {
  const s = await openTempStore();
  cleanups.push(() => s.close());
  const w1 = makeNode({ ID: 'w1' });
  const w2 = makeNode({ ID: 'w2' });
  await s.store.update((tx) => {
    tx.create('cluster', {
      ID: 'c1',
      Version: { Index: 0 },
      CreatedAt: iso(0),
      UpdatedAt: iso(0),
      Spec: { Dispatcher: { HeartbeatPeriod: 5e9 } },
    } as unknown as Cluster);
    tx.create('node', w1);
    tx.create('node', w2);
  });
  const dispatcher = new Dispatcher(s.store, systemClock);
  dispatcher.start();
  cleanups.push(() => dispatcher.stop());
  const router = new RequestRouter();
  cleanups.push(serveDispatcher(router, () => dispatcher, { directory: () => directory }));
  const call = (payload: unknown, from: PeerIdentity) => Promise.resolve().then(() => router.handle(payload, from));
  const register = (id: string, as = id) =>
    call({ dispatcher: 'register', req: { nodeID: as, description: w1.Description, addr: '' } }, node(id)) as Promise<{
      sessionID: string;
      directory: unknown;
    }>;
  return { call, register };
}

describe('serveDispatcher callers', () => {
  it('lets an agent register and heartbeat as itself, with the manager list in every answer', async () => {
    const { call, register } = await setup();
    const res = await register('w1');
    expect(res.directory).toEqual(directory);
    const hb = (await call({ dispatcher: 'heartbeat', sessionID: res.sessionID }, node('w1'))) as {
      directory: unknown;
    };
    expect(hb.directory).toEqual(directory);
    expect(await call({ managers: 1 }, node('w1'))).toEqual(directory);
  });

  it('refuses an agent acting as another node or on another node session', async () => {
    const { call, register } = await setup();
    await expect(register('w1', 'w2')).rejects.toThrow(/PermissionDenied.*cannot register as w2/);
    const { sessionID } = await register('w2');
    await expect(call({ dispatcher: 'heartbeat', sessionID }, node('w1'))).rejects.toThrow(/session invalid/);
    await expect(call({ dispatcher: 'updateTaskStatus', sessionID, updates: [] }, node('w1'))).rejects.toThrow(
      /session invalid/,
    );
  });

  it('serves nothing to callers holding only a join token', async () => {
    const { call } = await setup();
    for (const via of ['worker-token', 'join-token'] as const) {
      await expect(call({ managers: 1 }, { raftId: 'x', addr: 'h:1', via })).rejects.toMatchObject({
        code: 'PermissionDenied',
      });
    }
  });
});
