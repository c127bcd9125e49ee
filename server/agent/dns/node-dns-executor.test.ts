// Host mode end to end in one process: the process executor gives a task on a
// network SWARMDECK_DNS, a real process reads it, and a resolver pointed at it
// is answered for that task; a task without networks gets none; remove closes it.
import { Resolver } from 'node:dns/promises';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { NetworkView } from '../../api/network-view';
import type { Task } from '../../api/types';
import { network, service, task } from '../../dns/dns-fixtures';
import { ProcessExecutor } from '../executor/process';
import { until } from '../executor/process-test-support';
import { NodeDns } from './node-dns';

const node = { ID: 'node1', Description: { Hostname: 'w1', Platform: { OS: 'linux', Architecture: 'x86_64' } } };
const appnet = network('n-app', 'appnet');
const web = service('s-web', 'web', { vips: { 'n-app': '10.0.1.2/24' } });
const client = service('s-client', 'client');

/** A store-shaped task of `client` on appnet (or on no network) that prints its DNS address. */
function clientTask(id: string, onNetwork: boolean): Task {
  const t = task(id, client, { nets: onNetwork ? { 'n-app': '10.0.1.20/24' } : {} });
  return {
    ...(t as unknown as Task),
    Version: { Index: 1 },
    CreatedAt: '',
    UpdatedAt: '',
    Labels: {},
    Status: { Timestamp: '', State: 'assigned', Message: '' },
    Spec: {
      ContainerSpec: { Image: 'ubuntu', Command: ['/bin/sh', '-c', 'echo "dns=${SWARMDECK_DNS:-none}"'] },
      ForceUpdate: 0,
    },
    ServiceAnnotations: { Name: 'client', Labels: {} },
    NetworksAttachments: (t.NetworksAttachments ?? []).map((a) => ({
      ...a,
      Network: { ...a.Network, Spec: { Name: 'appnet', Labels: {} } },
    })) as Task['NetworksAttachments'],
  };
}

describe('host-mode tasks and the node DNS', () => {
  let root: string;
  let dns: NodeDns;
  let ex: ProcessExecutor;

  beforeAll(async () => {
    root = await mkdtemp(join(tmpdir(), 'swarmdeck-nodedns-'));
    dns = new NodeDns([]);
    ex = new ProcessExecutor({ node, workRoot: root, ports: 'ephemeral', taskDns: dns });
  });
  afterAll(async () => {
    await dns.stop();
    await rm(root, { recursive: true, force: true });
  });

  it('exports SWARMDECK_DNS to a task on a network, answered as that task', async () => {
    const t = clientTask('tc-1', true);
    const tasks = [t, task('tw-1', web, { nets: { 'n-app': '10.0.1.3/24' } })];
    dns.setView({
      Revision: 1,
      Networks: [appnet] as NetworkView['Networks'],
      Services: [web, client],
      Tasks: tasks as NetworkView['Tasks'],
      Peers: [],
    });
    await ex.prepare(t);
    await ex.start(t);
    expect(await ex.wait(t)).toBe(0);
    const line = await until(() => ex.logs(t.ID).find((l) => l.line.startsWith('dns='))?.line);
    const addr = line.slice('dns='.length);
    expect(addr).toMatch(/^127\.0\.0\.1:\d+$/);
    const r = new Resolver({ timeout: 1_000, tries: 1 });
    r.setServers([addr]);
    expect(await r.resolve4('web')).toEqual(['10.0.1.2']);
    await ex.remove(t);
    await expect(r.resolve4('web')).rejects.toBeDefined();
  });

  it('gives a task on no network none (and does not wait for a view to hold it)', async () => {
    const t = clientTask('tc-2', false);
    await ex.prepare(t);
    await ex.start(t);
    expect(await ex.wait(t)).toBe(0);
    expect((await until(() => ex.logs(t.ID).find((l) => l.line.startsWith('dns='))))!.line).toBe('dns=none');
    await ex.remove(t);
  });
});
