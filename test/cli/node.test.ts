// `docker node …` against a real swarmdeck manager (three simulated workers)
// and one agent process with a generic resource, output and exit codes
// compared with dockerd's: ls with filters, --format and -q, inspect (--pretty,
// --format), ps, update, promote/demote (and their refusals), rm (--force, and
// swarmkit's refusals), TLS status, and the scheduler honouring generic
// resources.

import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Node } from '../../server/api/types';
import { startAgent, type RunningAgent } from '../agents/agent-harness';
import { newManager, until, type ManagerProc } from '../cluster-harness';
import { dockerBinary, dockerCli, tempDir } from '../integration/harness';

if (!dockerBinary()) throw new Error('the docker CLI is required for the CLI conformance tests (.ci/run installs it)');

describe('docker node', () => {
  const data = tempDir('swarmdeck-cli-node-');
  const config = tempDir('swarmdeck-cli-node-config-');
  let m: ManagerProc;
  let agent: RunningAgent | undefined;
  let docker: ReturnType<typeof dockerCli>;
  let self = '';
  let agentID = '';
  const idOf = new Map<string, string>();

  /** The CLI's run, which must succeed with nothing on stderr. */
  const ok = async (args: string[]) => {
    const r = await docker(args);
    expect([r.code, r.stderr], args.join(' ')).toEqual([0, '']);
    return r.stdout;
  };
  /** The CLI's run, which must fail with exactly this stderr. */
  const refused = async (args: string[], stderr: string, code = 1) => {
    const r = await docker(args);
    expect([r.code, r.stderr], args.join(' ')).toEqual([code, stderr]);
  };

  beforeAll(async () => {
    m = await newManager('m', `${data.path}/m`, ['--sim-workers', '3', '--dispatcher-heartbeat', '1s']);
    await m.start();
    docker = dockerCli(m.ports.engine, config.path);
    const tokens = ((await m.api('GET', '/swarm')).json as { JoinTokens: { Worker: string } }).JoinTokens;
    agent = await startAgent({
      join: m.clusterAddr,
      token: tokens.Worker,
      dataDir: `${data.path}/agent`,
      hostname: 'edge-gpu',
      executor: 'sim',
      extraArgs: ['--data-path-port', '0', '--generic-resource', 'gpu=1'],
    });
    agentID = agent.nodeID();
    self = m.nodeID;
    await until('five ready nodes', async () => {
      const nodes = (await m.api('GET', '/nodes')).json as Node[];
      for (const n of nodes) idOf.set(n.Description.Hostname, n.ID);
      return nodes.length === 5 && nodes.every((n) => n.Status.State === 'ready') ? true : undefined;
    });
  }, 120_000);

  afterAll(async () => {
    await agent?.stop();
    await m?.stop();
    data.remove();
    config.remove();
  }, 60_000);

  it('ls: the table, -q, --format (TLS status included) and filters', async () => {
    const table = (await ok(['node', 'ls'])).split('\n').filter(Boolean);
    expect(table[0]).toMatch(/^ID\s+HOSTNAME\s+STATUS\s+AVAILABILITY\s+MANAGER STATUS\s+ENGINE VERSION$/);
    expect(table).toHaveLength(6);
    const mine = table.find((l) => l.startsWith(`${self} *`));
    expect(mine).toMatch(/\s+Ready\s+Active\s+Leader\s+swarmdeck-0\.1\.0$/);
    expect(table.find((l) => l.includes('edge-gpu'))).toMatch(/^\S+\s+edge-gpu\s+Ready\s+Active\s+swarmdeck-0\.1\.0$/);

    const ids = (await ok(['node', 'ls', '-q'])).split('\n').filter(Boolean);
    expect(ids.sort()).toEqual([...idOf.values()].sort());

    // every node holds a certificate from the current root
    const tls = (await ok(['node', 'ls', '--format', '{{.Hostname}} {{.TLSStatus}} {{.Self}}'])).split('\n');
    expect(tls.filter(Boolean).sort()).toEqual(
      [...idOf.keys()].map((h) => `${h} Ready ${idOf.get(h) === self}`).sort(),
    );

    expect(await ok(['node', 'ls', '--filter', 'role=manager', '--format', '{{.ID}}'])).toBe(`${self}\n`);
    expect((await ok(['node', 'ls', '-q', '--filter', 'role=worker'])).split('\n').filter(Boolean)).toHaveLength(4);
    expect(await ok(['node', 'ls', '--filter', 'name=sim-worker-1', '--format', '{{.Hostname}}'])).toBe(
      'sim-worker-1\n',
    );
    // engine labels: the simulated workers' zones
    expect(await ok(['node', 'ls', '--filter', 'label=zone=zone-b', '--format', '{{.Hostname}}'])).toBe(
      'sim-worker-2\n',
    );
    expect(await ok(['node', 'ls', '--filter', `id=${agentID.slice(0, 6)}`, '--format', '{{.Hostname}}'])).toBe(
      'edge-gpu\n',
    );
    await refused(['node', 'ls', '--filter', 'role=boss'], "Error response from daemon: Invalid role filter: 'boss'\n");
    await refused(['node', 'ls', '--filter', 'colour=red'], "Error response from daemon: invalid filter 'colour'\n");
  }, 60_000);

  it('inspect: JSON, --format, --pretty, self, and a node that does not exist', async () => {
    const [node] = JSON.parse(await ok(['node', 'inspect', 'edge-gpu'])) as Node[];
    expect(node!.ID).toBe(agentID);
    expect(node!.Description.Resources.GenericResources).toEqual([{ DiscreteResourceSpec: { Kind: 'gpu', Value: 1 } }]);
    expect(
      await ok(['node', 'inspect', '--format', '{{.Spec.Role}} {{.Status.State}} {{.ManagerStatus.Leader}}', 'self']),
    ).toBe('manager ready true\n');
    const pretty = await ok(['node', 'inspect', '--pretty', 'sim-worker-1']);
    expect(pretty).toContain(`ID:\t\t\t${idOf.get('sim-worker-1')}\n`);
    expect(pretty).toContain('Hostname:              \tsim-worker-1\n');
    expect(pretty).toContain(' State:\t\t\tReady\n');
    expect(pretty).toContain(' Availability:         \tActive\n');
    expect(pretty).toContain('Engine Version:\t\tswarmdeck-sim\n');
    const missing = await docker(['node', 'inspect', 'nosuch']);
    expect(missing.code).toBe(1);
    expect(missing.stdout).toBe('[]\n');
    expect(missing.stderr).toBe('Error response from daemon: node nosuch not found\n');
  });

  it('update: availability and labels, shown by ls and inspect', async () => {
    expect(await ok(['node', 'update', '--availability', 'drain', 'sim-worker-2'])).toBe('sim-worker-2\n');
    expect(await ok(['node', 'ls', '--filter', 'name=sim-worker-2', '--format', '{{.Availability}}'])).toBe('Drain\n');
    await ok([
      'node',
      'update',
      '--availability',
      'active',
      '--label-add',
      'tier=gold',
      '--label-add',
      'ssd',
      'sim-worker-2',
    ]);
    expect(
      await ok(['node', 'ls', '--filter', 'node.label=tier=gold', '--format', '{{.Hostname}} {{.Availability}}']),
    ).toBe('sim-worker-2 Active\n');
    await ok(['node', 'update', '--label-rm', 'ssd', 'sim-worker-2']);
    const labels = JSON.parse(await ok(['node', 'inspect', '--format', '{{json .Spec.Labels}}', 'sim-worker-2']));
    expect(labels).toMatchObject({ tier: 'gold' });
    expect(labels).not.toHaveProperty('ssd');
    // the CLI sends it on; dockerd's convert refuses it
    await refused(
      ['node', 'update', '--availability', 'off', 'sim-worker-2'],
      'Error response from daemon: invalid Availability: "off"\n',
    );
  });

  it('promote and demote: a simulated node and an agent are refused plainly, a manager is one already', async () => {
    const sim = idOf.get('sim-worker-1')!;
    await refused(
      ['node', 'promote', 'sim-worker-1'],
      `Error response from daemon: rpc error: code = FailedPrecondition desc = node ${sim} is a simulated node: a simulated node cannot become a manager\n`,
    );
    const agentPromote = await docker(['node', 'promote', 'edge-gpu']);
    expect(agentPromote.code).toBe(1);
    expect(agentPromote.stderr).toContain(
      `Error response from daemon: rpc error: code = FailedPrecondition desc = node ${agentID} cannot become a manager: it is a worker process`,
    );
    // nothing changed: still a worker, no manager status
    expect(await ok(['node', 'inspect', '--format', '{{.Spec.Role}} {{.ManagerStatus}}', 'edge-gpu'])).toBe(
      'worker <nil>\n',
    );
    await refused(
      ['node', 'update', '--role', 'manager', 'sim-worker-1'],
      `Error response from daemon: rpc error: code = FailedPrecondition desc = node ${sim} is a simulated node: a simulated node cannot become a manager\n`,
    );
    expect(await ok(['node', 'promote', self])).toBe(`Node ${self} is already a manager.\n`);
    expect(await ok(['node', 'demote', 'sim-worker-1'])).toBe(`Node ${sim} is already a worker.\n`);
    await refused(
      ['node', 'demote', self],
      'Error response from daemon: rpc error: code = FailedPrecondition desc = attempting to demote the last manager of the swarm\n',
    );
  });

  it('ps: the tasks of a node, self included, with --format and -q', async () => {
    await ok([
      'service',
      'create',
      '-d',
      '--name',
      'onself',
      '--constraint',
      'node.role==manager',
      'busybox',
      'sleep',
      '600',
    ]);
    const row = await until('the task running on the manager', async () => {
      const out = await ok([
        'node',
        'ps',
        '--format',
        '{{.Name}}|{{.Node}}|{{.DesiredState}}|{{.CurrentState}}',
        'self',
      ]);
      return out.split('\n').find((l) => l.startsWith('onself.1|') && l.includes('|Running|Running'));
    });
    expect(row.split('|')[1]).toBe((await ok(['info', '--format', '{{.Name}}'])).trim());
    const ids = (await ok(['node', 'ps', '-q', self])).split('\n').filter(Boolean);
    expect(ids).toHaveLength(1);
    await refused(['node', 'ps', 'nosuch'], 'Error response from daemon: node nosuch not found\n');
  }, 60_000);

  it('generic resources: a task needing a gpu runs only on the node that has one; the next one waits', async () => {
    await ok([
      'service',
      'create',
      '-d',
      '--name',
      'gpu',
      '--replicas',
      '2',
      '--generic-resource',
      'gpu=1',
      'busybox',
      'sleep',
      '600',
    ]);
    const rows = await until('one gpu task running and one pending', async () => {
      const out = await ok([
        'service',
        'ps',
        '--no-trunc',
        '--format',
        '{{.Node}}|{{.CurrentState}}|{{.Error}}',
        'gpu',
      ]);
      const lines = out.split('\n').filter(Boolean);
      return lines.some((l) => l.startsWith('edge-gpu|Running')) && lines.some((l) => l.startsWith('|Pending'))
        ? lines
        : undefined;
    });
    expect(rows).toHaveLength(2);
    expect(rows.find((l) => l.startsWith('|Pending'))).toMatch(
      // the CLI quotes the error column
      /\|"no suitable node \(insufficient resources on \d+ nodes\)"$/,
    );
    // the CLI itself refuses a named resource for a service
    const named = await docker(['service', 'create', '-d', '--generic-resource', 'gpu=UUID1', 'busybox']);
    expect(named.code).not.toBe(0);
    expect(named.stderr).toContain('Named Generic Resources is not supported for service create or update');
  }, 60_000);

  it('rm: swarmkit refuses a ready node and a manager; --force removes a worker', async () => {
    const w3 = idOf.get('sim-worker-3')!;
    await refused(
      ['node', 'rm', 'sim-worker-3'],
      `Error response from daemon: rpc error: code = FailedPrecondition desc = node ${w3} is not down and can't be removed\n`,
    );
    await refused(
      ['node', 'rm', self],
      `Error response from daemon: rpc error: code = FailedPrecondition desc = node ${self} is a cluster manager and is a member of the raft cluster. It must be demoted to worker before removal\n`,
    );
    await refused(['node', 'rm', 'nosuch'], 'Error response from daemon: node nosuch not found\n');
    expect(await ok(['node', 'rm', '--force', 'sim-worker-3'])).toBe('sim-worker-3\n');
    expect(await ok(['node', 'ls', '--format', '{{.Hostname}}'])).not.toContain('sim-worker-3');
  });
});
