import { describe, expect, it } from 'vitest';
import { seededRandom } from '../util/random';
import { answerQuestion } from './answer';
import { canonical, network, service, task } from './dns-fixtures';
import { ResolverIndex } from './resolver-index';
import type { DnsNetwork, DnsService, DnsTask } from './sources';

const NETS = [network('ing', 'ingress', true), network('a', 'neta'), network('b', 'netb')];
const pick = <T>(rng: () => number, xs: readonly T[]): T => xs[Math.floor(rng() * xs.length)] as T;

function randomService(rng: () => number, i: number): DnsService {
  const mode = pick(rng, ['vip', 'dnsrr'] as const);
  const vips: Record<string, string> = rng() < 0.7 ? { a: `10.1.${i}.2/24`, b: `10.2.${i}.2/24` } : {};
  return service(`s${i}`, pick(rng, [`svc${i}`, `other${i}`]), { mode, vips });
}

function randomTask(rng: () => number, i: number): DnsTask {
  const svc = `s${i % 3}`;
  const nets: Record<string, string | [string, string[]]> = {};
  if (rng() < 0.5) nets.ing = `10.0.0.${i + 10}/24`;
  if (rng() < 0.8)
    nets.a = rng() < 0.5 ? `10.1.${i % 3}.${i + 10}/24` : [`10.1.${i % 3}.${i + 10}/24`, ['shared', `al${i}`]];
  if (rng() < 0.5) nets.b = `10.2.${i % 3}.${i + 10}/24`;
  return task(`t${i}`, service(svc, 'unused'), {
    slot: i,
    state: pick(rng, ['running', 'running', 'starting', 'shutdown'] as const),
    desired: pick(rng, ['running', 'running', 'shutdown'] as const),
    hostname: rng() < 0.3 ? 'samehost' : undefined,
    nets,
  });
}

describe('the resolver index, updated change by change', () => {
  it('always equals a view built from scratch from the same objects', () => {
    const rng = seededRandom(2026);
    const idx = new ResolverIndex();
    const networks = new Map<string, DnsNetwork>();
    const services = new Map<string, DnsService>();
    const tasks = new Map<string, DnsTask>();
    for (let step = 0; step < 1500; step++) {
      const r = rng();
      const i = Math.floor(rng() * 12);
      if (r < 0.45) {
        const t = randomTask(rng, i);
        tasks.set(t.ID, t);
        idx.setTask(t);
      } else if (r < 0.6) {
        tasks.delete(`t${i}`);
        idx.removeTask(`t${i}`);
      } else if (r < 0.75) {
        const s = randomService(rng, i % 3);
        services.set(s.ID, s);
        idx.setService(s);
      } else if (r < 0.82) {
        services.delete(`s${i % 3}`);
        idx.removeService(`s${i % 3}`);
      } else if (r < 0.93) {
        const n = pick(rng, NETS);
        networks.set(n.ID, n);
        idx.setNetwork(n);
      } else {
        const n = pick(rng, NETS);
        networks.delete(n.ID);
        idx.removeNetwork(n.ID);
      }
      const fresh = ResolverIndex.from({
        networks: [...networks.values()],
        services: [...services.values()],
        tasks: [...tasks.values()],
      });
      expect(canonical(idx.view), `step ${step}`).toEqual(canonical(fresh.view));
    }
    // the sequence reached states with records in them, not only empty views
    expect(canonical(idx.view).networks.some((n) => n.names.length > 0)).toBe(true);
  });

  it('answers follow a task starting, turning unhealthy and being removed', () => {
    const app = network('app', 'appnet');
    const web = service('w', 'web', { vips: { app: '10.0.1.2/24' } });
    const idx = ResolverIndex.from({ networks: [app], services: [web], tasks: [] });
    const ask = (name: string) =>
      answerQuestion(idx.view, { networkIDs: ['app'] }, { name, type: 'A' }, seededRandom(1));
    expect(ask('web')).toEqual({ kind: 'forward' });
    idx.setTask(task('t1', web, { nets: { app: '10.0.1.3/24' } }));
    idx.setTask(task('t2', web, { slot: 2, nets: { app: '10.0.1.4/24' } }));
    expect(ask('web')).toMatchObject({ records: [{ data: '10.0.1.2' }] });
    idx.setTask(task('t1', web, { health: 'unhealthy', nets: { app: '10.0.1.3/24' } }));
    expect(ask('tasks.web')).toMatchObject({ records: [{ data: '10.0.1.4' }] });
    idx.removeTask('t2');
    expect(ask('web')).toEqual({ kind: 'forward' });
  });

  it('patches one task of 10,000 quickly (logged, not asserted)', () => {
    const nets = [network('n0', 'net0')];
    const services: DnsService[] = [];
    const tasks: DnsTask[] = [];
    for (let s = 0; s < 1000; s++) {
      const svc = service(`s${s}`, `svc${s}`, { vips: { n0: `10.${Math.floor(s / 250)}.${s % 250}.2/24` } });
      services.push(svc);
      for (let t = 1; t <= 10; t++)
        tasks.push(
          task(`s${s}t${t}`, svc, { slot: t, nets: { n0: `10.${100 + Math.floor(s / 25)}.${(s % 25) * 10 + t}.1/8` } }),
        );
    }
    const idx = ResolverIndex.from({ networks: nets, services, tasks });
    const victim = tasks[5000] as DnsTask;
    const stopped = { ...victim, DesiredState: 'shutdown' as const };
    const runs = 1000;
    const started = performance.now();
    for (let i = 0; i < runs; i++) idx.setTask(i % 2 === 0 ? stopped : victim);
    const us = ((performance.now() - started) / runs) * 1000;
    console.log(`[dns] resolver index: one task's start or stop among 10,000 tasks applied in ${us.toFixed(1)} µs`);
    expect(idx.view.networks.get('n0')?.names.get('tasks.svc500')?.size).toBe(10);
  });
});
