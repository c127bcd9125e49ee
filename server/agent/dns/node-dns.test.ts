// The node's DNS as host-mode tasks reach it: a listener per task on 127.0.0.1
// (SWARMDECK_DNS), answered for that task's networks, fed by NetworkViews, with
// a fake upstream on loopback standing in for the host's nameservers.
import { Resolver } from 'node:dns/promises';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { NetworkView } from '../../api/network-view';
import { network, service, task } from '../../dns/dns-fixtures';
import { replyTo, startFakeUpstream, type FakeUpstream } from '../../dns/fake-upstream';
import type { DnsTask } from '../../dns/sources';
import { dnsUpstreams, NodeDns, resolvConfNameservers } from './node-dns';

const appnet = network('n-app', 'appnet');
const othernet = network('n-other', 'othernet');
const web = service('s-web', 'web', { vips: { 'n-app': '10.0.1.2/24' } });
const client = service('s-client', 'client');
const webTask = (i: number) => task(`tw${i}`, web, { slot: i, nets: { 'n-app': `10.0.1.${i + 2}/24` } });
const onApp = task('tc-app', client, { nets: { 'n-app': '10.0.1.20/24' } });
const onOther = task('tc-other', client, { slot: 2, nets: { 'n-other': '10.0.2.20/24' } });

const view = (revision: number, tasks: DnsTask[]): NetworkView => ({
  Revision: revision,
  Networks: [appnet, othernet] as NetworkView['Networks'],
  Services: [web, client],
  Tasks: tasks as NetworkView['Tasks'],
  Peers: [],
});

const resolverAt = (addr: string) => {
  const r = new Resolver({ timeout: 1_000, tries: 1 });
  r.setServers([addr]);
  return r;
};

describe('upstreams', () => {
  it("reads the host's nameservers, and a configured list replaces them", () => {
    const conf =
      '# generated\nsearch example\nnameserver 192.0.2.53\nnameserver  fe80::1%eth0\nnameserver 2001:db8::53\n';
    expect(resolvConfNameservers(conf)).toEqual(['192.0.2.53', '2001:db8::53']);
    expect(dnsUpstreams(undefined, () => conf)).toEqual(['192.0.2.53', '2001:db8::53']);
    expect(dnsUpstreams(' 127.0.0.9:5353, 127.0.0.10 ', () => conf)).toEqual(['127.0.0.9:5353', '127.0.0.10']);
    expect(
      dnsUpstreams('', () => {
        throw new Error('ENOENT');
      }),
    ).toEqual([]);
  });
});

describe('a task start waits for the DNS to know the task', () => {
  it('resolves when a view holding the task arrives, or after the bounded wait', async () => {
    const dns = new NodeDns([]);
    dns.setView(view(1, [webTask(1)]));
    await dns.known('tw1'); // known already
    let started = false;
    const waiting = dns.known('tw2', 5_000).then(() => (started = true));
    dns.setView(view(0, [webTask(1), webTask(2)])); // an older revision is ignored
    await new Promise((r) => setTimeout(r, 20));
    expect(started).toBe(false);
    const t0 = Date.now();
    dns.setView(view(2, [webTask(1), webTask(2)]));
    await waiting;
    expect(Date.now() - t0).toBeLessThan(100);
    const t1 = Date.now();
    await dns.known('never', 150);
    expect(Date.now() - t1).toBeGreaterThanOrEqual(140);
    await dns.stop();
  });
});

describe('per-task listeners (host mode)', () => {
  let upstream: FakeUpstream;
  let dns: NodeDns;

  beforeAll(async () => {
    upstream = await startFakeUpstream('127.0.0.9', (q) =>
      q.questions![0]!.name === 'example.test' ? replyTo(q, 0, ['192.0.2.7']) : replyTo(q, 3),
    );
    dns = new NodeDns([upstream.addr]);
    dns.setView(view(1, [webTask(1), webTask(2), onApp, onOther]));
  });
  afterAll(async () => {
    await dns.stop();
    await upstream.close();
  });

  it('answers names on the asking task’s networks, forwards the rest, follows each view', async () => {
    const app = resolverAt(await dns.open('tc-app'));
    expect(await app.resolve4('web')).toEqual(['10.0.1.2']);
    expect((await app.resolve4('tasks.web')).sort()).toEqual(['10.0.1.3', '10.0.1.4']);
    expect(await app.resolve4('example.test')).toEqual(['192.0.2.7']);
    // the same task gets the same listener
    expect(await dns.open('tc-app')).toBe(await dns.open('tc-app'));

    // a task on another network: web is not its name, so it goes upstream (NXDOMAIN there)
    const other = resolverAt(await dns.open('tc-other'));
    await expect(other.resolve4('web')).rejects.toMatchObject({ code: 'ENOTFOUND' });

    // a third replica starts: the next answer has it
    dns.setView(view(2, [webTask(1), webTask(2), webTask(3), onApp, onOther]));
    expect((await app.resolve4('tasks.web')).sort()).toEqual(['10.0.1.3', '10.0.1.4', '10.0.1.5']);
  });

  it('closes a task’s listener when it goes, and rebinds an adopted task’s port', async () => {
    const addr = await dns.open('tc-app');
    const port = Number(addr.split(':')[1]);
    await dns.close('tc-app');
    await expect(resolverAt(addr).resolve4('web')).rejects.toMatchObject({ code: expect.any(String) });
    expect(await dns.open('tc-app', port)).toBe(addr);
    expect(await resolverAt(addr).resolve4('web')).toEqual(['10.0.1.2']);
  });
});
