// Certificates that expire every few seconds (a test-only lifetime the API
// never accepts) are renewed by the manager and an agent process over and
// over, without the agent's session dropping or its task restarting; after
// the first certificate has long expired, a restarted agent comes back with
// the renewed one it kept on disk.

import { X509Certificate } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { TEST_CERT_EXPIRY_ENV } from '../server/manager/ca/expiry';
import { startAgent, type RunningAgent } from './agents/agent-harness';
import { newManager, type ManagerProc } from './cluster-harness';
import { tempDir } from './integration/harness';
import { until } from './until';

const LIFETIME_MS = 6_000;
const serialOf = (dataDir: string) =>
  new X509Certificate(readFileSync(`${dataDir}/certificates/swarm-node.crt`)).serialNumber;

describe('certificate renewal on a short lifetime', () => {
  const data = tempDir('swarmdeck-renew-');
  let m1: ManagerProc;
  let agent: RunningAgent | undefined;

  beforeAll(async () => {
    m1 = await newManager('m1', `${data.path}/m1`, ['--dispatcher-heartbeat', '1s']);
    m1.env = { [TEST_CERT_EXPIRY_ENV]: String(LIFETIME_MS) };
    await m1.start();
    const tokens = (await m1.api('GET', '/swarm')).json as { JoinTokens: { Worker: string } };
    agent = await startAgent({
      join: m1.clusterAddr,
      token: tokens.JoinTokens.Worker,
      dataDir: `${data.path}/agent`,
      hostname: 'edge-1',
      executor: 'sim',
    });
  }, 120_000);

  afterAll(async () => {
    await agent?.stop();
    await m1?.kill9();
    data.remove();
  }, 30_000);

  it('renews again and again while the session and the task carry on', async () => {
    const nodeID = agent!.nodeID();
    const created = await m1.api('POST', '/services/create', {
      Name: 'steady',
      TaskTemplate: {
        ContainerSpec: { Image: 'busybox', Command: ['sleep', '1000'] },
        Placement: { Constraints: [`node.id==${nodeID}`] },
      },
      Mode: { Replicated: { Replicas: 1 } },
    });
    expect(created.status).toBe(201);
    const running = async () => {
      const tasks = (await m1.api('GET', '/tasks')).json as { ID: string; Status: { State: string } }[];
      return tasks.filter((t) => t.Status.State === 'running');
    };
    const [task] = await until('the task running on the agent', async () => {
      const r = await running();
      return r.length === 1 ? r : undefined;
    });

    const firstAgentCert = readFileSync(`${data.path}/agent/certificates/swarm-node.crt`, 'utf8');
    const agentSerials = new Set([serialOf(`${data.path}/agent`)]);
    const managerSerials = new Set([serialOf(`${data.path}/m1`)]);
    const states = new Set<string>();
    // three lifetimes: every certificate held at the start has long expired
    const end = Date.now() + 3 * LIFETIME_MS;
    while (Date.now() < end) {
      agentSerials.add(serialOf(`${data.path}/agent`));
      managerSerials.add(serialOf(`${data.path}/m1`));
      const node = (await m1.api('GET', `/nodes/${nodeID}`)).json as { Status: { State: string } };
      states.add(node.Status.State);
      await new Promise((r) => setTimeout(r, 200));
    }
    expect(agentSerials.size).toBeGreaterThanOrEqual(3);
    expect(managerSerials.size).toBeGreaterThanOrEqual(3);
    expect([...states]).toEqual(['ready']);
    // one session all along, and the same task, never restarted
    expect(agent!.output().match(/session opened with leader/g)).toHaveLength(1);
    expect(agent!.output()).toMatch(/tls: renewed this node's certificate \(scheduled renewal\)/);
    expect((await running()).map((t) => t.ID)).toEqual([task!.ID]);
    expect(Date.parse(new X509Certificate(firstAgentCert).validTo)).toBeLessThan(Date.now());

    // a new process starts from the renewed certificate it kept: its first one has expired
    await agent!.stop();
    agent = await startAgent({
      join: '',
      token: '',
      dataDir: `${data.path}/agent`,
      hostname: 'edge-1',
      executor: 'sim',
    });
    expect(agent.nodeID()).toBe(nodeID);
    await until('the agent ready again', async () => {
      const node = (await m1.api('GET', `/nodes/${nodeID}`)).json as { Status: { State: string } };
      return node.Status.State === 'ready' || undefined;
    });
  }, 90_000);

  it("refuses to promote an agent (it has no raft), so its certificate's OU stays a worker's", async () => {
    const nodeID = agent!.nodeID();
    const ou = () =>
      /OU=(swarm-\w+)/.exec(
        new X509Certificate(readFileSync(`${data.path}/agent/certificates/swarm-node.crt`)).subject,
      )?.[1];
    const n = (await m1.api('GET', `/nodes/${nodeID}`)).json as { Version: { Index: number }; Spec: object };
    const r = await m1.api('POST', `/nodes/${nodeID}/update?version=${n.Version.Index}`, {
      ...n.Spec,
      Role: 'manager',
    });
    expect(r.status).toBe(400);
    expect((r.json as { message: string }).message).toContain('cannot become a manager');
    expect(ou()).toBe('swarm-worker');
  }, 60_000);
});
