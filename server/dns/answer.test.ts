import { describe, expect, it } from 'vitest';
import { seededRandom } from '../util/random';
import { answerQuestion, askerForTask, RESPONSE_TTL, type DnsAnswer, type DnsAsker } from './answer';
import { network, service, sources, task } from './dns-fixtures';
import { buildResolverView } from './resolver-index';

const ingress = network('ing', 'ingress', true);
const appnet = network('app', 'appnet');
const other = network('oth', 'othernet');
const web = service('svcweb', 'web', { vips: { ing: '10.0.0.5/24', app: '10.0.1.2/24' } });
const webTasks = [
  task('t1', web, { slot: 1, nets: { ing: '10.0.0.6/24', app: '10.0.1.3/24' } }),
  task('t2', web, { slot: 2, nets: { ing: '10.0.0.7/24', app: '10.0.1.4/24' } }),
  task('t3', web, { slot: 3, nets: { ing: '10.0.0.8/24', app: '10.0.1.5/24' } }),
];
const view = buildResolverView(sources([ingress, appnet, other], [web], webTasks));
const onApp: DnsAsker = { networkIDs: ['app'] };
const rng = seededRandom(7);

const data = (a: DnsAnswer) => (a.kind === 'answer' ? a.records.map((r) => r.data) : 'forward');
const ask = (name: string, type = 'A', asker = onApp, v = view) => answerQuestion(v, asker, { name, type }, rng);

describe('DNS answers per name, network and mode', () => {
  it('answers <service> with its VIP on the shared network, TTL 600, echoing the question', () => {
    expect(ask('web')).toEqual({
      kind: 'answer',
      records: [{ name: 'web', type: 'A', ttl: RESPONSE_TTL, data: '10.0.1.2' }],
    });
    expect(RESPONSE_TTL).toBe(600);
  });

  it('answers tasks.<service> with every serving task IP on the shared network, shuffled by the injected rng', () => {
    expect([...(data(ask('tasks.web')) as string[])].sort()).toEqual(['10.0.1.3', '10.0.1.4', '10.0.1.5']);
    const order = (seed: number) =>
      data(answerQuestion(view, onApp, { name: 'tasks.web', type: 'A' }, seededRandom(seed)));
    expect(order(42)).toEqual(order(42));
    const orders = new Set([1, 2, 3, 4, 5, 6, 7, 8].map((s) => JSON.stringify(order(s))));
    expect(orders.size).toBeGreaterThan(1);
  });

  it('answers nothing for a network the asker does not share: the name goes upstream', () => {
    expect(ask('web', 'A', { networkIDs: ['oth'] })).toEqual({ kind: 'forward' });
    expect(ask('tasks.web', 'A', { networkIDs: [] })).toEqual({ kind: 'forward' });
  });

  it('answers nothing on ingress, even to a task attached only there', () => {
    const onIngress = { networkIDs: ['ing'] };
    expect(ask('web', 'A', onIngress)).toEqual({ kind: 'forward' });
    expect(ask(`web.1.t1`, 'A', onIngress)).toEqual({ kind: 'forward' });
    expect(ask('6.0.0.10.in-addr.arpa.', 'PTR', onIngress)).toEqual({ kind: 'forward' });
    // on both, the overlay answers, never the ingress VIP
    expect(data(ask('web', 'A', { networkIDs: ['ing', 'app'] }))).toEqual(['10.0.1.2']);
  });

  it('answers <service> with every task IP in dnsrr mode, ignoring a stale VIP', () => {
    const rr = service('svcrr', 'rr', { mode: 'dnsrr', vips: { app: '10.0.1.9/24' } });
    const v = buildResolverView(
      sources(
        [appnet],
        [rr],
        [task('r1', rr, { nets: { app: '10.0.1.20/24' } }), task('r2', rr, { slot: 2, nets: { app: '10.0.1.21/24' } })],
      ),
    );
    expect([...(data(ask('rr', 'A', onApp, v)) as string[])].sort()).toEqual(['10.0.1.20', '10.0.1.21']);
    expect([...(data(ask('tasks.rr', 'A', onApp, v)) as string[])].sort()).toEqual(['10.0.1.20', '10.0.1.21']);
  });

  it('falls back to task IPs in vip mode while the service has no VIP on that network (libnetwork)', () => {
    const novip = service('svcnv', 'novip');
    const v = buildResolverView(sources([appnet], [novip], [task('n1', novip, { nets: { app: '10.0.1.30/24' } })]));
    expect(data(ask('novip', 'A', onApp, v))).toEqual(['10.0.1.30']);
  });

  it('answers a VIP only while at least one task serves on that network', () => {
    const idle = buildResolverView(
      sources([appnet], [web], [task('s1', web, { state: 'starting', nets: { app: '10.0.1.3/24' } })]),
    );
    expect(ask('web', 'A', onApp, idle)).toEqual({ kind: 'forward' });
    expect(ask('tasks.web', 'A', onApp, idle)).toEqual({ kind: 'forward' });
  });

  it('answers change when a task stops being served (rebuild from the store)', () => {
    const stopping = webTasks.map((t) => (t.ID === 't2' ? { ...t, DesiredState: 'shutdown' as const } : t));
    const v = buildResolverView(sources([ingress, appnet], [web], stopping));
    expect([...(data(ask('tasks.web', 'A', onApp, v)) as string[])].sort()).toEqual(['10.0.1.3', '10.0.1.5']);
    expect(ask('web.2.t2', 'A', onApp, v)).toEqual({ kind: 'forward' });
  });

  it('keeps unhealthy and not-yet-healthy tasks out, healthy ones in', () => {
    const hc = { Test: ['CMD', 'true'] };
    const checked = service('svchc', 'api', { vips: { app: '10.0.1.40/24' }, healthcheck: hc });
    const ts = [
      task('h1', checked, { slot: 1, healthcheck: hc, health: 'healthy', nets: { app: '10.0.1.41/24' } }),
      task('h2', checked, { slot: 2, healthcheck: hc, health: 'starting', nets: { app: '10.0.1.42/24' } }),
      task('h3', checked, { slot: 3, healthcheck: hc, health: 'unhealthy', nets: { app: '10.0.1.43/24' } }),
    ];
    const v = buildResolverView(sources([appnet], [checked], ts));
    expect(data(ask('tasks.api', 'A', onApp, v))).toEqual(['10.0.1.41']);
  });
});

describe('task names, aliases and the name.network form', () => {
  it('answers <service>.<slot>.<taskID>, the node ID for global tasks, and a set task name', () => {
    const g = service('svcg', 'agent');
    const v = buildResolverView(
      sources(
        [appnet],
        [web, g],
        [
          task('t1', web, { slot: 1, nets: { app: '10.0.1.3/24' } }),
          task('tg', g, { slot: 0, node: 'nodeA', nets: { app: '10.0.1.50/24' } }),
          { ...task('tn', web, { slot: 9, nets: { app: '10.0.1.51/24' } }), Annotations: { Name: 'named-task' } },
        ],
      ),
    );
    expect(data(ask('web.1.t1', 'A', onApp, v))).toEqual(['10.0.1.3']);
    expect(data(ask('agent.nodeA.tg', 'A', onApp, v))).toEqual(['10.0.1.50']);
    expect(data(ask('named-task', 'A', onApp, v))).toEqual(['10.0.1.51']);
    expect(ask('web.9.tn', 'A', onApp, v)).toEqual({ kind: 'forward' });
  });

  it('answers the hostname and the short container ID of a task', () => {
    const t = task('t1', web, {
      hostname: 'web-host',
      containerID: 'abcdef0123456789ff',
      nets: { app: '10.0.1.3/24' },
    });
    const v = buildResolverView(sources([appnet], [web], [t]));
    expect(data(ask('web-host', 'A', onApp, v))).toEqual(['10.0.1.3']);
    expect(data(ask('abcdef012345', 'A', onApp, v))).toEqual(['10.0.1.3']);
    const templated = task('t2', web, { hostname: '{{.Node.Hostname}}', nets: { app: '10.0.1.4/24' } });
    expect(
      buildResolverView(sources([appnet], [web], [templated]))
        .networks.get('app')
        ?.names.has('{{.node.hostname}}'),
    ).toBe(false);
  });

  it('answers a network alias with the VIP (tasks.<alias> with task IPs), and from the task spec before the allocator copies it', () => {
    const v = buildResolverView(
      sources(
        [appnet],
        [web],
        [
          task('t1', web, { slot: 1, nets: { app: ['10.0.1.3/24', ['front']] } }),
          {
            ...task('t2', web, { slot: 2, nets: { app: '10.0.1.4/24' } }),
            Spec: { ...webTasks[0]!.Spec, Networks: [{ Target: 'app', Aliases: ['front'] }] },
          },
        ],
      ),
    );
    expect(data(ask('front', 'A', onApp, v))).toEqual(['10.0.1.2']);
    expect([...(data(ask('tasks.front', 'A', onApp, v)) as string[])].sort()).toEqual(['10.0.1.3', '10.0.1.4']);
  });

  it('resolves a stack service by its full name and by its alias on the stack network, also as name.network', () => {
    const shopnet = network('shopnet', 'shop_default');
    const sw = service('svcshop', 'shop_web', { vips: { shopnet: '10.0.2.2/24' } });
    const v = buildResolverView(
      sources([shopnet], [sw], [task('s1', sw, { nets: { shopnet: ['10.0.2.3/24', ['web']] } })]),
    );
    const asker = { networkIDs: ['shopnet'] };
    for (const name of ['shop_web', 'web', 'web.shop_default', 'shop_web.shop_default', 'SHOP_WEB.Shop_Default.']) {
      expect(data(ask(name, 'A', asker, v))).toEqual(['10.0.2.2']);
    }
    expect(data(ask('tasks.web', 'A', asker, v))).toEqual(['10.0.2.3']);
  });

  it('answers name.network from that network only, and forwards an unknown network', () => {
    const both = service('svcb', 'web', { vips: { app: '10.0.1.2/24', oth: '10.0.3.2/24' } });
    const v = buildResolverView(
      sources([appnet, other], [both], [task('b1', both, { nets: { app: '10.0.1.3/24', oth: '10.0.3.3/24' } })]),
    );
    const asker = { networkIDs: ['app', 'oth'] };
    expect(data(ask('web', 'A', asker, v))).toEqual(['10.0.1.2']);
    expect(data(ask('web', 'A', { networkIDs: ['oth', 'app'] }, v))).toEqual(['10.0.3.2']);
    expect(data(ask('web.othernet', 'A', asker, v))).toEqual(['10.0.3.2']);
    expect(ask('web.nonet', 'A', asker, v)).toEqual({ kind: 'forward' });
  });

  it('is case-insensitive and takes the trailing dot, repeating the name as asked', () => {
    const a = ask('WeB.');
    expect(a).toEqual({ kind: 'answer', records: [{ name: 'WeB.', type: 'A', ttl: 600, data: '10.0.1.2' }] });
  });

  it('answers a duplicate address once (an alias equal to the service name)', () => {
    const v = buildResolverView(
      sources([appnet], [web], [task('t1', web, { nets: { app: ['10.0.1.3/24', ['web', 'WEB']] } })]),
    );
    expect(data(ask('web', 'A', onApp, v))).toEqual(['10.0.1.2']);
  });
});

describe('record types and what goes upstream', () => {
  it('answers PTR for a task IP with <task name>.<network>. and forwards the rest', () => {
    expect(ask('3.1.0.10.in-addr.arpa.', 'PTR')).toEqual({
      kind: 'answer',
      records: [{ name: '3.1.0.10.in-addr.arpa.', type: 'PTR', ttl: 600, data: 'web.1.t1.appnet.' }],
    });
    expect(data(ask('4.1.0.10.IN-ADDR.ARPA', 'ptr'))).toEqual(['web.2.t2.appnet.']);
    expect(ask('2.1.0.10.in-addr.arpa.', 'PTR')).toEqual({ kind: 'forward' }); // a VIP has no reverse name
    expect(ask('3.1.0.10.in-addr.arpa.', 'PTR', { networkIDs: ['oth'] })).toEqual({ kind: 'forward' });
    expect(ask('1.0.10.in-addr.arpa.', 'PTR')).toEqual({ kind: 'forward' });
    expect(ask('web', 'PTR')).toEqual({ kind: 'forward' });
  });

  it('answers AAAA and MX for a known name with an empty NOERROR, and forwards unknown ones', () => {
    expect(ask('web', 'AAAA')).toEqual({ kind: 'answer', records: [] });
    expect(ask('example.org', 'AAAA')).toEqual({ kind: 'forward' });
    expect(ask('tasks.web', 'MX')).toEqual({ kind: 'answer', records: [] });
    expect(ask('example.org', 'MX')).toEqual({ kind: 'forward' });
  });

  it('forwards SRV (libnetwork keeps no SRV records in swarm mode), other types and unknown names', () => {
    expect(ask('_http._tcp.web', 'SRV')).toEqual({ kind: 'forward' });
    expect(ask('web', 'TXT')).toEqual({ kind: 'forward' });
    expect(ask('example.org')).toEqual({ kind: 'forward' });
    expect(ask('db')).toEqual({ kind: 'forward' });
  });

  it('with ndots set, answers an unknown single label empty instead of forwarding it', () => {
    const asker = { networkIDs: ['app'], ndotsSet: true };
    expect(ask('db', 'A', asker)).toEqual({ kind: 'answer', records: [] });
    expect(ask('db', 'AAAA', asker)).toEqual({ kind: 'answer', records: [] });
    expect(ask('example.org', 'A', asker)).toEqual({ kind: 'forward' });
    expect(ask('db', 'MX', asker)).toEqual({ kind: 'forward' });
  });

  it('scopes a task that does not serve yet to its own networks all the same', () => {
    const starting = task('s1', web, { state: 'starting', nets: { app: '10.0.1.9/24' } });
    const v = buildResolverView(sources([appnet], [web], [...webTasks, starting]));
    expect(askerForTask(v, 's1', ['ndots:2'])).toEqual({ networkIDs: ['app'], ndotsSet: true });
    expect(askerForTask(v, 'nope')).toEqual({ networkIDs: [], ndotsSet: false });
    expect(data(ask('web', 'A', askerForTask(v, 's1'), v))).toEqual(['10.0.1.2']);
    expect(v.taskByAddress.get('10.0.1.9')).toBe('s1');
  });
});
