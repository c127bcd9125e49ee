// A manager certificate grants what the raft membership allows now, not what
// the node was when it was signed. Three real managers and an agent: a demoted
// manager's old certificate, an agent's certificate (its promotion is refused:
// an agent never joins raft) and a removed node's certificate are all refused
// raft, and none of them can move the others' term or leadership.

import { X509Certificate } from 'node:crypto';
import { cpSync, readFileSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { NodeCredentials, nodeSecurity } from '../server/node-tls';
import { ClusterTransport, silentTransportLogger } from '../server/raft/transport';
import { startAgent, type RunningAgent } from './agents/agent-harness';
import { newManager, until, type ManagerProc } from './cluster-harness';
import { tempDir } from './integration/harness';

describe('manager certificates follow the raft membership', () => {
  const data = tempDir('swarmdeck-cert-rights-');
  const ms: ManagerProc[] = [];
  let agent: RunningAgent | undefined;
  const cleanup: (() => Promise<void>)[] = [];
  const dump = () => ms.map((m) => `--- ${m.name} ---\n${m.out.slice(-2500)}`).join('\n');

  beforeAll(async () => {
    const m1 = await newManager('m1', `${data.path}/m1`, ['--dispatcher-heartbeat', '1s']);
    ms.push(m1);
    await m1.start();
    const tokens = ((await m1.api('GET', '/swarm')).json as { JoinTokens: { Manager: string; Worker: string } })
      .JoinTokens;
    const m2 = await newManager('m2', `${data.path}/m2`);
    const m3 = await newManager('m3', `${data.path}/m3`);
    ms.push(m2, m3);
    await m2.start(['--join', m1.clusterAddr, '--token', tokens.Manager]);
    await m3.start(['--join', m1.clusterAddr, '--token', tokens.Manager]);
    await until('three voters', async () => ((await m1.health())?.voters.length === 3 ? true : undefined), 60_000);
    agent = await startAgent({
      join: m1.clusterAddr,
      token: tokens.Worker,
      dataDir: `${data.path}/agent`,
      hostname: 'edge-1',
      executor: 'sim',
    });
  }, 180_000);

  afterAll(async () => {
    for (const c of cleanup.reverse()) await c().catch(() => undefined);
    await agent?.stop();
    for (const m of ms) await m.kill9();
    data.remove();
  }, 60_000);

  const running = () => ms.filter((m) => m.running && !m.out.includes('no longer takes part'));
  const leaderOf = async () => {
    for (const m of running()) {
      const h = await m.health();
      if (h?.leader && h.leaderReady) return { m, h };
    }
    return undefined;
  };
  /** Term and leader on every manager still in raft: what an intruder must not move. */
  const snapshot = async () => {
    const out: Record<string, { term: number; leader: string }> = {};
    for (const m of running()) {
      const h = await m.health();
      if (h) out[m.name] = { term: h.term, leader: h.leader };
    }
    return out;
  };
  /** A read-then-update; redone on 409 (a renewal recorded on the node moves its version). */
  const setRole = (via: ManagerProc, nodeID: string, Role: string) =>
    until(`node ${nodeID} updated to ${Role}`, async () => {
      const n = (await via.api('GET', `/nodes/${nodeID}`)).json as { Version: { Index: number }; Spec: object };
      const r = await via.api('POST', `/nodes/${nodeID}/update?version=${n.Version.Index}`, { ...n.Spec, Role });
      if (r.status === 409) return undefined;
      expect(r.status, JSON.stringify(r.json)).toBe(200);
      return true;
    });

  /**
   * Dial the leader as `selfId` with the certificate kept in `dataDir`, and try what only members
   * may: a vote and a pre-vote for a far higher term, a heartbeat claiming leadership, a probe.
   */
  async function intrude(dataDir: string, selfId: string) {
    const before = await snapshot();
    const target = (await leaderOf())!;
    const t = new ClusterTransport({
      selfId,
      selfAddr: '127.0.0.1:1',
      security: nodeSecurity(await NodeCredentials.load(dataDir)),
      logger: silentTransportLogger,
    });
    cleanup.push(() => t.close());
    const peer = target.h.id;
    t.addPeer(peer, target.m.clusterAddr);
    const term = target.h.term + 100;
    const probe = await t.request(peer, { probe: 1 }, 5_000).catch((e: Error) => e);
    for (let i = 0; i < 5; i++) {
      for (const type of ['pre-vote', 'vote'])
        t.send(peer, { type, from: selfId, to: peer, term, index: 1e9, logTerm: term, transfer: true });
      t.send(peer, { type: 'heartbeat', from: selfId, to: peer, term, commit: 0, context: '' });
      await new Promise((r) => setTimeout(r, 200));
    }
    // a couple of election timeouts on loopback
    await new Promise((r) => setTimeout(r, 2_000));
    const after = await snapshot();
    const [link] = t.peerStatus();
    await t.close();
    return { before, after, probe, link };
  }

  it('an agent cannot be promoted, and its worker certificate is worth a worker’s rights: no raft, no manager RPC', async () => {
    const nodeID = agent!.nodeID();
    const certFile = `${data.path}/agent/certificates/swarm-node.crt`;
    const ou = () => /OU=(swarm-\w+)/.exec(new X509Certificate(readFileSync(certFile)).subject)?.[1];
    // an agent process has no raft: its promotion is refused instead of naming a manager that never joins
    const { m: leader } = (await leaderOf())!;
    const n = (await leader.api('GET', `/nodes/${nodeID}`)).json as { Version: { Index: number }; Spec: object };
    const r = await leader.api('POST', `/nodes/${nodeID}/update?version=${n.Version.Index}`, {
      ...n.Spec,
      Role: 'manager',
    });
    expect(r.status).toBe(400);
    expect((r.json as { message: string }).message).toContain(`node ${nodeID} cannot become a manager`);
    expect(ou()).toBe('swarm-worker');
    const stolen = `${data.path}/stolen-agent`;
    cpSync(`${data.path}/agent/certificates`, `${stolen}/certificates`, { recursive: true });
    const i = await intrude(stolen, nodeID);
    expect(i.after, dump()).toEqual(i.before);
    expect((i.probe as Error).message).toBe('Permission denied: remote certificate not part of OUs: [swarm-manager]');
    // its session as a node carries on meanwhile
    const node = (await leader.api('GET', `/nodes/${nodeID}`)).json as { Status: { State: string }; Role: string };
    expect([node.Status.State, node.Role]).toEqual(['ready', 'worker']);
  }, 90_000);

  it('a demoted manager’s old certificate is refused, and it cannot disrupt the others', async () => {
    const { m: leader } = (await leaderOf())!;
    const victim = ms.find((m) => m !== leader && running().includes(m))!;
    const stolen = `${data.path}/stolen-${victim.name}`;
    cpSync(`${victim.dataDir}/certificates`, `${stolen}/certificates`, { recursive: true });
    await setRole(leader, victim.nodeID, 'worker');
    await until(
      'the demoted manager out of raft',
      async () => {
        const h = await leader.health();
        const n = (await leader.api('GET', `/nodes/${victim.nodeID}`)).json as { Role: string };
        return h && !h.voters.includes(victim.nodeID) && n.Role === 'worker' ? true : undefined;
      },
      30_000,
    );
    // the demoted process may still hold connections open: the managers closed them (M6)
    await until('the others no longer hear it', () => victim.out.includes('no longer takes part') || undefined, 15_000);
    const r = await intrude(stolen, victim.nodeID);
    expect(r.after, dump()).toEqual(r.before);
    expect((r.probe as Error).message).toContain(`Permission denied: node ${victim.nodeID} was removed from swarm`);
    expect(r.link?.lastError).toBe(`Permission denied: node ${victim.nodeID} was removed from swarm`);
  }, 90_000);

  it('a removed node’s certificate is refused', async () => {
    const nodeID = agent!.nodeID();
    const stolen = `${data.path}/stolen-agent`; // its certificate, from the first test
    const { m: leader } = (await leaderOf())!;
    await agent!.stop();
    agent = undefined;
    const rm = await leader.api('DELETE', `/nodes/${nodeID}?force=1`);
    expect(rm.status, JSON.stringify(rm.json)).toBe(200);
    const r = await intrude(stolen, nodeID);
    expect(r.after, dump()).toEqual(r.before);
    expect((r.probe as Error).message).toContain(`Permission denied: node ${nodeID} was removed from swarm`);
  }, 90_000);
});
