import { describe, expect, it } from 'vitest';
import { admitHeaders, denied, dialHeaders, INVALID_JOIN_TOKEN, WORKER_TOKEN_FOR_MEMBER_LINK } from './handshake';
import { CLUSTER_ID, MANAGER_TOKEN, testSecurity, WORKER_TOKEN } from './test-support';

const self = { raftId: 'r1', addr: '10.0.0.1:2377' };
const lower = (h: Record<string, unknown>) =>
  Object.fromEntries(Object.entries(h).map(([k, v]) => [k.toLowerCase(), String(v)]));
const certified = (cn: string, ou: string, o = CLUSTER_ID) => ({
  kind: 'certified' as const,
  cn,
  ous: [ou],
  orgs: [o],
});
const none = { kind: 'none' } as const;

describe('admission', () => {
  it('knows managers and workers by their certificate', async () => {
    const policy = await testSecurity('self');
    const h = lower(dialHeaders(self, 'peer', undefined));
    expect(admitHeaders(h, certified('r1', 'swarm-manager'), policy)).toEqual({
      ok: true,
      purpose: 'peer',
      peer: { raftId: 'r1', addr: self.addr, via: 'member' },
    });
    expect(admitHeaders(h, certified('r1', 'swarm-worker'), policy)).toMatchObject({
      ok: true,
      peer: { via: 'node' },
    });
    // the certificate names the caller: a header claiming someone else is refused
    expect(admitHeaders(h, certified('r2', 'swarm-manager'), policy)).toMatchObject({ ok: false, status: 400 });
  });

  it('gives a manager certificate member rights only while its node is a raft member', async () => {
    const policy = await testSecurity('self');
    const h = lower(dialHeaders(self, 'peer', undefined));
    policy.notMembers.add('r1');
    // demoted, or never added (a promoted agent): a worker's rights, whatever the OU says
    expect(admitHeaders(h, certified('r1', 'swarm-manager'), policy)).toMatchObject({
      ok: true,
      peer: { raftId: 'r1', via: 'node' },
    });
    policy.notMembers.delete('r1');
    expect(admitHeaders(h, certified('r1', 'swarm-manager'), policy)).toMatchObject({
      ok: true,
      peer: { via: 'member' },
    });
  });

  it('refuses a joiner whose claimed ID or address is not plain and short (it would become its node ID)', async () => {
    const policy = await testSecurity('self');
    const joiner = (id: string, addr = '127.0.0.1:2377') =>
      admitHeaders(lower(dialHeaders({ raftId: id, addr }, 'oneshot', MANAGER_TOKEN)), none, policy);
    expect(joiner('n1')).toMatchObject({ ok: true, peer: { raftId: 'n1', via: 'join-token' } });
    for (const bad of ['x'.repeat(65), 'a b', '../etc', 'é', '-lead', 'swarm-manager', 'swarm-ca', 'a.b'])
      expect(joiner(bad), bad).toMatchObject({ ok: false, status: 400, message: expect.stringMatching(/^malformed /) });
    expect(joiner('n1', 'host name:1')).toMatchObject({ ok: false, status: 400 });
    expect(joiner('n1', 'h:'.repeat(200))).toMatchObject({ ok: false, status: 400 });
  });

  it("refuses certificates with swarm's messages: unverified, foreign organization, removed node, unknown OU", async () => {
    const policy = await testSecurity('self');
    const h = lower(dialHeaders(self, 'peer', undefined));
    expect(admitHeaders(h, { kind: 'unverified' }, policy)).toEqual({
      ok: false,
      status: 403,
      message: 'Permission denied: no verified chains for remote certificate',
    });
    expect(admitHeaders(h, certified('r1', 'swarm-manager', 'other'), policy)).toEqual({
      ok: false,
      status: 403,
      message: `Permission denied: remote certificate not part of organization: ${CLUSTER_ID}`,
    });
    expect(admitHeaders(h, certified('r1', 'swarm-admin'), policy)).toEqual({
      ok: false,
      status: 403,
      message: 'Permission denied: remote certificate not part of OUs: [swarm-manager swarm-worker]',
    });
    policy.removed.add('r1');
    expect(admitHeaders(h, certified('r1', 'swarm-worker'), policy)).toEqual({
      ok: false,
      status: 403,
      message: 'Permission denied: node r1 was removed from swarm',
    });
    expect(denied.ous(['swarm-manager'])).toBe(
      'Permission denied: remote certificate not part of OUs: [swarm-manager]',
    );
  });

  it('admits a caller without a certificate only with a join token, for one request', async () => {
    const policy = await testSecurity('self');
    const oneshot = (t?: string) => lower(dialHeaders(self, 'oneshot', t));
    expect(admitHeaders(oneshot(MANAGER_TOKEN), none, policy)).toMatchObject({ ok: true, peer: { via: 'join-token' } });
    expect(admitHeaders(oneshot(WORKER_TOKEN), none, policy)).toMatchObject({
      ok: true,
      peer: { via: 'worker-token' },
    });
    expect(admitHeaders(lower(dialHeaders(self, 'peer', WORKER_TOKEN)), none, policy)).toEqual({
      ok: false,
      status: 403,
      message: WORKER_TOKEN_FOR_MEMBER_LINK,
    });
    expect(admitHeaders(lower(dialHeaders(self, 'peer', MANAGER_TOKEN)), none, policy)).toMatchObject({ status: 403 });
    for (const t of [undefined, 'SWMTKN-1-wrong'])
      expect(admitHeaders(oneshot(t), none, policy)).toEqual({ ok: false, status: 401, message: INVALID_JOIN_TOKEN });
  });

  it('requires the caller to say where it is, and never names this swarm to a caller without a certificate', async () => {
    const policy = await testSecurity('self');
    expect(admitHeaders({ authorization: `Swarm-Join ${MANAGER_TOKEN}` }, none, policy)).toMatchObject({ status: 400 });
    const refusals = [
      admitHeaders(lower(dialHeaders(self, 'oneshot', 'bad')), none, policy),
      admitHeaders(lower(dialHeaders(self, 'peer', WORKER_TOKEN)), none, policy),
      admitHeaders(lower(dialHeaders(self, 'peer', undefined)), { kind: 'unverified' }, policy),
    ];
    for (const r of refusals) expect(JSON.stringify(r)).not.toContain(CLUSTER_ID);
  });
});
