// The embedded DNS over real sockets on loopback: Node's resolver (c-ares) and raw clients
// ask, a fake upstream on 127.0.0.1 stands in for the host's resolvers.
import { Resolver } from 'node:dns/promises';
import * as packet from 'dns-packet';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { NetworkView } from '../api/network-view';
import { network, service, task } from './dns-fixtures';
import {
  decodeReply,
  queryBytes,
  replyTo,
  startFakeUpstream,
  tcpExchange,
  udpExchange,
  type FakeUpstream,
} from './fake-upstream';
import { DnsServer, type DnsListener } from './server';
import type { DnsTask } from './sources';

const HOST = '127.0.0.11';
const appnet = network('n-app', 'appnet');
const othernet = network('n-other', 'othernet');
const ingress = network('n-ing', 'ingress', true);
const web = service('s-web', 'web', { vips: { 'n-app': '10.0.1.2/24', 'n-ing': '10.0.0.2/24' } });
const db = service('s-db', 'db', { mode: 'dnsrr' });
const client = service('s-client', 'client');

const webTasks = [3, 4, 5].map((i) =>
  task(`tw${i}`, web, { slot: i - 2, nets: { 'n-ing': `10.0.0.${i}/24`, 'n-app': `10.0.1.${i}/24` } }),
);
/** Askers known by source address: loopback addresses stand in for their overlay addresses. */
const onApp = task('tc-app', client, { nets: { 'n-app': '127.0.0.21/8' } });
const onOther = task('tc-other', client, { slot: 2, nets: { 'n-other': '127.0.0.22/8' } });
const onIngressOnly = task('tc-ing', client, { slot: 3, nets: { 'n-ing': '127.0.0.23/8' } });

function view(revision: number, tasks: DnsTask[]): NetworkView {
  return {
    Revision: revision,
    Networks: [appnet, othernet, ingress] as NetworkView['Networks'],
    Services: [web, db, client],
    Tasks: tasks as NetworkView['Tasks'],
    Peers: [],
  };
}

let upstream: FakeUpstream;
let dns: DnsServer;
let byTask: DnsListener;
let bySource: DnsListener;

function resolverAt(l: DnsListener, from?: string): Resolver {
  const r = new Resolver({ timeout: 1_000, tries: 1 });
  r.setServers([`${l.address}:${l.port}`]);
  if (from) r.setLocalAddress(from);
  return r;
}

beforeAll(async () => {
  upstream = await startFakeUpstream('127.0.0.1', (q) =>
    q.questions![0]!.name === 'example.test' ? replyTo(q, 0, ['192.0.2.7']) : replyTo(q, 3),
  );
  dns = new DnsServer({ upstreams: [upstream.addr] });
  dns.update(view(1, [...webTasks, onApp, onOther, onIngressOnly]));
  byTask = await dns.listen(HOST, 0, { asker: 'tc-app' });
  bySource = await dns.listen(HOST, 0);
});

afterAll(async () => {
  await dns?.close();
  await upstream?.close();
});

describe('answers over UDP (Node resolver)', () => {
  it('answers <service> with its VIP and tasks.<service> with the task IPs, TTL 600', async () => {
    const r = resolverAt(byTask);
    expect(await r.resolve4('web', { ttl: true })).toEqual([{ address: '10.0.1.2', ttl: 600 }]);
    const tasks = await r.resolve4('tasks.web', { ttl: true });
    expect(tasks.map((a) => a.address).sort()).toEqual(['10.0.1.3', '10.0.1.4', '10.0.1.5']);
    expect(tasks.every((a) => a.ttl === 600)).toBe(true);
  });

  it('answers PTR for a task address with its name on the network', async () => {
    const names = await resolverAt(byTask).reverse('10.0.1.4');
    expect(names).toEqual(['web.2.tw4.appnet']);
  });

  it('forwards other names upstream and relays the answer or the NXDOMAIN', async () => {
    const r = resolverAt(byTask);
    expect(await r.resolve4('example.test')).toEqual(['192.0.2.7']);
    await expect(r.resolve4('nowhere.test')).rejects.toMatchObject({ code: 'ENOTFOUND' });
    expect(upstream.queries.map((q) => q.name)).toEqual(expect.arrayContaining(['example.test', 'nowhere.test']));
  });

  it('shuffles the addresses of every answer', async () => {
    const orders = new Set<string>();
    const r = resolverAt(byTask);
    for (let i = 0; i < 20; i++) orders.add((await r.resolve4('tasks.web')).join(','));
    expect(orders.size).toBeGreaterThan(1);
  });
});

describe('scoping to the asking task', () => {
  it('knows the asker by source address: a task on appnet gets web, one on othernet does not', async () => {
    expect(await resolverAt(bySource, '127.0.0.21').resolve4('web')).toEqual(['10.0.1.2']);
    await expect(resolverAt(bySource, '127.0.0.22').resolve4('web')).rejects.toMatchObject({ code: 'ENOTFOUND' });
  });

  it('answers nothing on ingress: a task only on ingress does not find web, and ingress IPs are never answered', async () => {
    await expect(resolverAt(bySource, '127.0.0.23').resolve4('web')).rejects.toMatchObject({ code: 'ENOTFOUND' });
    const all = await resolverAt(byTask).resolve4('tasks.web');
    expect(all.some((ip) => ip.startsWith('10.0.0.'))).toBe(false);
  });

  it('a stranger (no task holds its address) is answered nothing of ours', async () => {
    await expect(resolverAt(bySource, '127.0.0.99').resolve4('web')).rejects.toMatchObject({ code: 'ENOTFOUND' });
  });
});

describe('updates', () => {
  it('a task starting and stopping changes the answer well within 1 s of update()', async () => {
    const r = resolverAt(byTask);
    const started = task('tw9', web, { slot: 9, nets: { 'n-app': '10.0.1.9/24' } });
    const base = [...webTasks, onApp, onOther, onIngressOnly];
    /** Pushes the view, then asks until the answer shows the change: the ms in between. */
    const changeTime = async (revision: number, tasks: DnsTask[], changed: (ips: string[]) => boolean) => {
      const t0 = performance.now();
      dns.update(view(revision, tasks));
      while (!changed(await r.resolve4('tasks.web'))) {
        if (performance.now() - t0 > 1_000) throw new Error('the answer did not change within 1 s');
      }
      return performance.now() - t0;
    };
    const startMs = await changeTime(2, [...base, started], (ips) => ips.includes('10.0.1.9'));
    const stopMs = await changeTime(3, base, (ips) => !ips.includes('10.0.1.9') && ips.length === 3);
    console.log(`dns: task start visible after ${startMs.toFixed(1)} ms, stop after ${stopMs.toFixed(1)} ms`);
    expect(startMs).toBeLessThan(1_000);
    expect(stopMs).toBeLessThan(1_000);
  });

  it('patches only what changed and ignores an older revision', () => {
    const server = new DnsServer();
    const base = [...webTasks, onApp];
    expect(server.update(view(10, base))).toEqual({ set: 3 + 3 + 4, removed: 0 });
    const running = { ...webTasks[0]!, DesiredState: 'shutdown' as const };
    expect(server.update(view(11, [running, ...base.slice(1)]))).toEqual({ set: 1, removed: 0 });
    expect(server.update(view(12, base.slice(1)))).toEqual({ set: 0, removed: 1 });
    expect(server.update(view(5, base))).toBeUndefined();
    expect(server.index.view.networks.get('n-app')!.names.get('tasks.web')!.size).toBe(2);
  });
});

describe('truncation and TCP', () => {
  const many = Array.from({ length: 40 }, (_, i) =>
    task(`tm${i}`, db, { slot: i + 1, nets: { 'n-app': `10.0.2.${i + 1}/24` } }),
  );
  let server: DnsServer;
  let l: DnsListener;
  beforeAll(async () => {
    server = new DnsServer();
    server.update({ networks: [appnet], services: [db], tasks: [...many, onApp] });
    l = await server.listen(HOST, 0, { asker: 'tc-app' });
  });
  afterAll(() => server.close());

  it('truncates a UDP answer to 512 bytes with TC set, or to the EDNS size', async () => {
    const plain = (await udpExchange(`${HOST}:${l.port}`, queryBytes('tasks.db')))!;
    expect(plain.length).toBeLessThanOrEqual(512);
    const d = decodeReply(plain);
    expect(d.flag_tc).toBe(true);
    // 12-byte header, 15-byte question, 16 bytes per compressed A record: 30 fit
    expect(d.answers).toHaveLength(30);
    const edns = decodeReply((await udpExchange(`${HOST}:${l.port}`, queryBytes('tasks.db', 'A', 4096)))!);
    expect(edns.flag_tc).toBe(false);
    expect(edns.answers).toHaveLength(40);
  });

  it("Node's resolver gets all 40 (it retries a truncated answer over TCP)", async () => {
    expect(await resolverAt(l).resolve4('tasks.db')).toHaveLength(40);
  });

  it('answers pipelined TCP queries on one connection, each with all its records', async () => {
    const qs = [queryBytes('tasks.db'), queryBytes('db'), queryBytes('tasks.db', 'AAAA')];
    const replies = (await tcpExchange(`${HOST}:${l.port}`, qs)).map((b) => decodeReply(b));
    const byID = new Map(replies.map((r) => [r.id, r]));
    const ids = qs.map((q) => q.readUInt16BE(0));
    expect(byID.get(ids[0]!)!.answers).toHaveLength(40);
    expect(byID.get(ids[0]!)!.flag_tc).toBe(false);
    expect(byID.get(ids[1]!)!.answers).toHaveLength(40); // dnsrr: the service name is every task
    expect(byID.get(ids[2]!)!.answers).toHaveLength(0); // AAAA of a known name: empty NOERROR
    expect(byID.get(ids[2]!)!.rcode).toBe('NOERROR');
  });
});

describe('malformed input', () => {
  const addr = () => `${HOST}:${byTask.port}`;

  it('drops what is shorter than a header and responses; FORMERR for the unreadable', async () => {
    expect(await udpExchange(addr(), Buffer.from([1, 2, 3, 4, 5]), 300)).toBeUndefined();
    const response = queryBytes('web');
    response.writeUInt16BE(response.readUInt16BE(2) | 0x8000, 2);
    expect(await udpExchange(addr(), response, 300)).toBeUndefined();
    const garbage = Buffer.concat([Buffer.from([0xab, 0xcd, 1, 0, 0, 1, 0, 0, 0, 0, 0, 0]), Buffer.from([200, 1, 2])]);
    const formerr = decodeReply((await udpExchange(addr(), garbage))!);
    expect(formerr.id).toBe(0xabcd);
    expect(formerr.rcode).toBe('FORMERR');
  });

  it('FORMERR for two questions, NOTIMP for another opcode, and it keeps serving', async () => {
    const two = packet.encode({
      id: 7,
      type: 'query',
      questions: [
        { name: 'web', type: 'A' },
        { name: 'db', type: 'A' },
      ],
    });
    expect(decodeReply((await udpExchange(addr(), two))!).rcode).toBe('FORMERR');
    const update = queryBytes('web');
    update.writeUInt16BE(update.readUInt16BE(2) | (5 << 11), 2);
    expect(decodeReply((await udpExchange(addr(), update))!).rcode).toBe('NOTIMP');
    const [junk, ok] = await tcpExchange(addr(), [Buffer.from('not dns at all'), queryBytes('web')]);
    expect(decodeReply(junk!).rcode).toBe('FORMERR');
    expect(decodeReply(ok!).answers).toHaveLength(1);
    expect(await resolverAt(byTask).resolve4('web')).toEqual(['10.0.1.2']);
  });
});
