import { describe, expect, it } from 'vitest';
import { admit, dialHeaders, INVALID_JOIN_TOKEN } from './handshake';
import { CLUSTER_ID, MANAGER_TOKEN, MEMBER_KEY, NODE_KEY, testCredentials, WORKER_TOKEN } from './test-support';

const self = { raftId: 'r1', addr: '10.0.0.1:2377' };
const lower = (h: Record<string, unknown>) =>
  Object.fromEntries(Object.entries(h).map(([k, v]) => [k.toLowerCase(), String(v)]));

describe('admit', () => {
  const policy = testCredentials();

  it('admits a member with its member key and a joining manager with the manager token', () => {
    const member = admit(lower(dialHeaders(self, { clusterId: CLUSTER_ID, memberKey: MEMBER_KEY }, 'peer')), policy);
    expect(member).toEqual({ ok: true, purpose: 'peer', peer: { raftId: 'r1', addr: self.addr, via: 'member' } });
    const joiner = admit(lower(dialHeaders(self, { joinToken: MANAGER_TOKEN }, 'oneshot')), policy);
    expect(joiner).toEqual({
      ok: true,
      purpose: 'oneshot',
      peer: { raftId: 'r1', addr: self.addr, via: 'join-token' },
    });
  });

  it('admits a joining agent with the worker token for one request, and an admitted agent with its node key', () => {
    const joining = admit(lower(dialHeaders(self, { joinToken: WORKER_TOKEN }, 'oneshot')), policy);
    expect(joining).toEqual({
      ok: true,
      purpose: 'oneshot',
      peer: { raftId: 'r1', addr: self.addr, via: 'worker-token' },
    });
    const agent = admit(lower(dialHeaders(self, { clusterId: CLUSTER_ID, nodeKey: NODE_KEY }, 'peer')), policy);
    expect(agent).toEqual({ ok: true, purpose: 'peer', peer: { raftId: 'r1', addr: self.addr, via: 'node' } });
    expect(admit(lower(dialHeaders(self, { nodeKey: 'forged' }, 'peer')), policy)).toMatchObject({ status: 403 });
    // a member key is not a node key and the other way round
    expect(admit(lower(dialHeaders(self, { nodeKey: MEMBER_KEY }, 'peer')), policy)).toMatchObject({ status: 403 });
  });

  it('refuses bad or missing credentials with 401 and the swarm message', () => {
    for (const creds of [{ joinToken: 'SWMTKN-1-wrong' }, {}]) {
      expect(admit(lower(dialHeaders(self, creds, 'peer')), policy)).toEqual({
        ok: false,
        status: 401,
        message: INVALID_JOIN_TOKEN,
      });
    }
  });

  it('refuses a worker token on a member link, a wrong member key, another cluster and a removed member with 403', () => {
    const cases = [
      { joinToken: WORKER_TOKEN },
      { clusterId: CLUSTER_ID, memberKey: 'stolen' },
      { clusterId: 'othercluster', memberKey: MEMBER_KEY },
    ];
    for (const c of cases) expect(admit(lower(dialHeaders(self, c, 'peer')), policy)).toMatchObject({ status: 403 });
    policy.removed.add('r1');
    expect(admit(lower(dialHeaders(self, { memberKey: MEMBER_KEY }, 'peer')), policy)).toMatchObject({ status: 403 });
  });

  it('requires the caller to say who and where it is', () => {
    expect(admit({ authorization: `Swarm-Member ${MEMBER_KEY}` }, testCredentials())).toMatchObject({ status: 400 });
  });
});
