import { describe, expect, it } from 'vitest';
import { SequenceConflict, SwarmError } from '../../api/errors';
import { LOST_LEADERSHIP, NO_LEADER, NotLeaderError } from '../../raft/raft-log';
import { RequestError } from '../../raft/transport';
import { currentAudit, runAs } from '../../store/audit-context';
import type { ControlApi } from '../controlapi/types';
import {
  CONTROL_WRITES,
  controlRequestHandler,
  forwardingControlApi,
  NOT_LEADER_CODE,
  type LeaderLink,
} from './forward';

/** A control API whose writes record their calls. */
function fakeApi(calls: unknown[][], fail?: () => Error): ControlApi {
  const write =
    (name: string) =>
    async (...args: unknown[]) => {
      calls.push([name, ...args]);
      if (fail) throw fail();
      return { ID: 'svc1', from: 'local' };
    };
  return {
    getCluster: () => ({ ID: 'c' }) as never,
    listNodes: () => [],
    getNode: () => ({}) as never,
    listServices: () => [],
    getService: () => ({}) as never,
    listTasks: () => [],
    getTask: () => ({}) as never,
    updateCluster: write('updateCluster') as never,
    updateNode: write('updateNode') as never,
    removeNode: write('removeNode') as never,
    createService: write('createService') as never,
    updateService: write('updateService') as never,
    removeService: write('removeService') as never,
    listNetworks: () => [],
    getNetwork: () => ({}) as never,
    createNetwork: write('createNetwork') as never,
    removeNetwork: write('removeNetwork') as never,
    listSecrets: () => [],
    getSecret: () => ({}) as never,
    createSecret: write('createSecret') as never,
    updateSecret: write('updateSecret') as never,
    removeSecret: write('removeSecret') as never,
    listConfigs: () => [],
    getConfig: () => ({}) as never,
    createConfig: write('createConfig') as never,
    updateConfig: write('updateConfig') as never,
    removeConfig: write('removeConfig') as never,
    authWrite: write('authWrite') as never,
  };
}

function link(over: Partial<LeaderLink> & { sent?: unknown[] } = {}): LeaderLink {
  return {
    selfID: 'f',
    isLeader: () => false,
    leader: () => 'L',
    waitForLeader: async () => 'L',
    leaderlessMs: () => 0,
    electionTimeoutMs: () => 1_000,
    request: async (to, payload) => {
      over.sent?.push([to, payload]);
      return { ID: 'svc1', from: to };
    },
    sleep: async () => undefined,
    ...over,
  };
}

describe('forwarded writes', () => {
  it('runs writes locally on the leader and sends them to the leader from a follower; reads stay local', async () => {
    const calls: unknown[][] = [];
    const leaderApi = forwardingControlApi(fakeApi(calls), link({ selfID: 'L', isLeader: () => true }));
    expect(await leaderApi.createService({ Name: 'a' } as never)).toEqual({ ID: 'svc1', from: 'local' });
    const sent: unknown[] = [];
    const followerApi = forwardingControlApi(fakeApi(calls), link({ sent }));
    expect(await followerApi.updateService('a', 3, { Name: 'a' } as never)).toEqual({ ID: 'svc1', from: 'L' });
    expect(sent).toEqual([['L', { control: 'updateService', args: ['a', 3, { Name: 'a' }] }]]);
    expect(followerApi.getCluster()).toEqual({ ID: 'c' });
    expect(calls).toEqual([['createService', { Name: 'a' }]]);
  });

  it('forwards every control-API write from a follower, secret and config writes included', async () => {
    const sent: [string, { control: string }][] = [];
    const followerApi = forwardingControlApi(fakeApi([]), link({ sent }));
    for (const write of CONTROL_WRITES) await (followerApi[write] as (...a: unknown[]) => Promise<unknown>)('x', 1, {});
    expect(sent.map(([, p]) => p.control)).toEqual([...CONTROL_WRITES]);
    expect(CONTROL_WRITES).toEqual(
      expect.arrayContaining([
        'createSecret',
        'updateSecret',
        'removeSecret',
        'createConfig',
        'updateConfig',
        'removeConfig',
      ]),
    );
  });

  it('rebuilds the leader’s error: status, message, and SequenceConflict itself', async () => {
    const remote = (code: string, message: string, status: number) =>
      link({
        request: async () => {
          throw new RequestError('remote', message, code, status);
        },
      });
    const api1 = forwardingControlApi(fakeApi([]), remote('NotFound', 'service x not found', 404));
    const e1 = await api1.removeService('x').catch((e: unknown) => e);
    expect(e1).toBeInstanceOf(SwarmError);
    expect((e1 as SwarmError).status).toBe(404);
    expect((e1 as SwarmError).message).toBe('service x not found');
    const api2 = forwardingControlApi(fakeApi([]), remote('Unknown', new SequenceConflict().message, 500));
    expect(await api2.removeService('x').catch((e: unknown) => e)).toBeInstanceOf(SequenceConflict);
  });

  it('refuses a write too large for a frame with a 400, once, without retrying', async () => {
    let tries = 0;
    const api = forwardingControlApi(
      fakeApi([]),
      link({
        request: async () => {
          tries++;
          throw new RequestError(
            'too-large',
            'request to peer L: frame of 9000000 bytes exceeds the 8388608-byte limit',
          );
        },
      }),
    );
    const e = (await api.createService({ Name: 'a' } as never).catch((x: unknown) => x)) as SwarmError;
    expect([e.status, e.message, tries]).toEqual([
      400,
      'rpc error: code = InvalidArgument desc = the write is too large to send to the leader: request to peer L: frame of 9000000 bytes exceeds the 8388608-byte limit',
      1,
    ]);
  });

  it('retries at the new leader when the old one refused before proposing', async () => {
    let leader = 'L';
    const sent: string[] = [];
    const api = forwardingControlApi(
      fakeApi([]),
      link({
        leader: () => leader,
        request: async (to) => {
          sent.push(to);
          if (to === 'L') {
            leader = 'M';
            throw new RequestError('remote', 'not the leader', NOT_LEADER_CODE, 503);
          }
          return { ok: to };
        },
      }),
    );
    expect(await api.removeService('x')).toEqual({ ok: 'M' });
    expect(sent).toEqual(['L', 'M']);
  });

  it('without a leader for an election timeout, fails at once with swarm’s message; an unanswered write is ambiguous', async () => {
    let waited = 0;
    const none = link({
      leader: () => '',
      leaderlessMs: () => 5_000,
      waitForLeader: async () => {
        waited++;
        return '';
      },
    });
    const e = await forwardingControlApi(fakeApi([]), none)
      .removeService('x')
      .catch((x: unknown) => x);
    expect((e as SwarmError).status).toBe(503);
    expect((e as SwarmError).message).toBe(NO_LEADER);
    expect(waited).toBe(0);
    // during an election it waits for one first
    const electing = link({ leader: () => '', leaderlessMs: () => 200, waitForLeader: async () => 'M' });
    expect(await forwardingControlApi(fakeApi([]), electing).removeService('x')).toEqual({ ID: 'svc1', from: 'M' });
    const lost = link({
      request: async () => {
        throw new RequestError('timeout', 'request timed out');
      },
    });
    const e2 = await forwardingControlApi(fakeApi([]), lost)
      .removeService('x')
      .catch((x: unknown) => x);
    expect((e2 as SwarmError).message).toBe(LOST_LEADERSHIP);
  });

  it('the leader side serves members only, and refuses with NotLeader when not leading', async () => {
    const calls: unknown[][] = [];
    let leading = true;
    const handle = controlRequestHandler(fakeApi(calls), { isLeader: () => leading, leader: () => 'M' });
    const member = { raftId: 'f', addr: 'x', via: 'member' as const };
    expect(await handle({ control: 'removeService', args: ['x'] }, member)).toEqual({ ID: 'svc1', from: 'local' });
    await expect(handle({ control: 'removeService', args: ['x'] }, { ...member, via: 'join-token' })).rejects.toThrow(
      /only raft members/,
    );
    await expect(handle({ control: 'getCluster', args: [] }, member)).rejects.toThrow(/not a control request/);
    leading = false;
    await expect(handle({ control: 'removeService', args: ['x'] }, member)).rejects.toMatchObject({
      code: NOT_LEADER_CODE,
    });
    const deposed = controlRequestHandler(
      fakeApi([], () => new NotLeaderError('M')),
      {
        isLeader: () => true,
        leader: () => 'f',
      },
    );
    await expect(deposed({ control: 'removeService', args: ['x'] }, member)).rejects.toMatchObject({
      code: NOT_LEADER_CODE,
    });
  });

  it("carries the writer's actor to the leader, which writes as it (an unsound one: as the member that sent it)", async () => {
    const sent: [string, unknown][] = [];
    const followerApi = forwardingControlApi(fakeApi([]), link({ sent: sent as unknown[] }));
    const ann = { kind: 'account', id: 'a1', name: 'ann', role: 'operator' } as const;
    await runAs({ actor: ann, action: 'POST /api/services/a/scale' }, () => followerApi.removeService('a'));
    expect(sent[0]![1]).toEqual({
      control: 'removeService',
      args: ['a'],
      audit: { actor: ann, action: 'POST /api/services/a/scale' },
    });
    const seen: unknown[] = [];
    const api = fakeApi([]);
    api.removeService = async () => {
      seen.push(currentAudit());
      return undefined as never;
    };
    const handle = controlRequestHandler(api, { isLeader: () => true, leader: () => 'L' });
    const member = { raftId: 'f1', addr: 'x', via: 'member' as const };
    await handle(sent[0]![1], member);
    await handle({ control: 'removeService', args: ['a'], audit: { actor: { kind: 'root' } } }, member);
    expect(seen).toEqual([
      { actor: ann, action: 'POST /api/services/a/scale' },
      { actor: { kind: 'system', name: 'forwarded by f1' } },
    ]);
  });
});
