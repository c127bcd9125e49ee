import { describe, expect, it } from 'vitest';
import { network, service, sources, task } from './dns-fixtures';
import { buildResolverView } from './resolver-index';
import { ipv4Of } from './resolver-records';
import type { DnsService, DnsTask } from './sources';

describe('the resolver view', () => {
  it('reads IPv4 from CIDR text and skips IPv6', () => {
    expect(ipv4Of('10.0.1.3/24')).toBe('10.0.1.3');
    expect(ipv4Of('10.0.1.3')).toBe('10.0.1.3');
    expect(ipv4Of('fd00::3/64')).toBeUndefined();
  });

  it('indexes per network, skips tasks of deleted services and attachments to deleted networks', () => {
    const app = network('app', 'appnet');
    const web = service('w', 'web', { vips: { app: '10.0.1.2/24' } });
    const orphan = task('o1', service('gone', 'gone'), { nets: { app: '10.0.1.8/24' } });
    const stray = task('t2', web, { slot: 2, nets: { gone: '10.9.0.3/24' } });
    const v = buildResolverView(
      sources([app], [web], [task('t1', web, { nets: { app: '10.0.1.3/24' } }), orphan, stray]),
    );
    const names = v.networks.get('app')?.names;
    expect([...(names?.keys() ?? [])].sort()).toEqual(['tasks.web', 'web', 'web.1.t1']);
    expect(v.networks.get('app')?.ptr.get('10.0.1.3')).toEqual(['web.1.t1']);
    expect(v.taskNetworks.get('t2')).toEqual([]);
    expect(v.taskNetworks.get('o1')).toEqual(['app']);
  });

  it('rebuilds 1,000 services × 10 tasks on 5 networks quickly (logged, not asserted)', () => {
    const nets = [network('ing', 'ingress', true), ...[0, 1, 2, 3].map((i) => network(`n${i}`, `net${i}`))];
    const services: DnsService[] = [];
    const tasks: DnsTask[] = [];
    for (let s = 0; s < 1000; s++) {
      const n = `n${s % 4}`;
      const hi = Math.floor(s / 250);
      const lo = s % 250;
      const svc = service(`s${s}`, `svc${s}`, {
        mode: s % 10 === 0 ? 'dnsrr' : 'vip',
        vips: { [n]: `10.${hi}.${lo}.2/24` },
      });
      services.push(svc);
      for (let t = 1; t <= 10; t++) {
        const k = s * 10 + t;
        const ing = `10.255.${Math.floor(k / 250)}.${(k % 250) + 1}/16`;
        tasks.push(
          task(`s${s}t${t}`, svc, { slot: t, nets: { ing, [n]: [`10.${hi}.${lo}.${t + 10}/24`, [`alias${s}`]] } }),
        );
      }
    }
    const src = sources(nets, services, tasks);
    buildResolverView(src); // warm up the JIT
    const runs = 5;
    const started = performance.now();
    let v = buildResolverView(src);
    for (let i = 1; i < runs; i++) v = buildResolverView(src);
    const ms = (performance.now() - started) / runs;
    console.log(
      `[dns] resolver view rebuild: 1,000 services × 10 tasks (10,000 tasks, 20,000 attachments) in ${ms.toFixed(1)} ms`,
    );
    // per service: name, alias, tasks.name, tasks.alias + 10 task names
    const total = [...v.networks.values()].reduce((sum, n) => sum + n.names.size, 0);
    expect(total).toBe(1000 * 14);
    expect(v.networks.get('ing')?.names.size).toBe(0);
    expect(v.taskByAddress.size).toBe(20_000);
  });
});
