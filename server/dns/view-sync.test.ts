import { describe, expect, it } from 'vitest';
import { seededRandom } from '../util/random';
import { canonical, network, service, task } from './dns-fixtures';
import { buildResolverView, ResolverIndex } from './resolver-index';
import type { DnsSources, DnsTask } from './sources';
import { ResolverSync } from './view-sync';

const NETS = [network('ing', 'ingress', true), network('a', 'neta'), network('b', 'netb')];
const pick = <T>(rng: () => number, xs: readonly T[]): T => xs[Math.floor(rng() * xs.length)] as T;

/** A whole view as a manager might push it: some of the networks, services and tasks, in any state. */
function randomSources(rng: () => number): DnsSources {
  const networks = NETS.filter(() => rng() < 0.85);
  const services = [0, 1, 2]
    .filter(() => rng() < 0.8)
    .map((i) =>
      service(`s${i}`, pick(rng, [`svc${i}`, 'same']), {
        mode: pick(rng, ['vip', 'dnsrr'] as const),
        vips: rng() < 0.7 ? { a: `10.1.${i}.2/24` } : {},
      }),
    );
  const tasks: DnsTask[] = [];
  for (let i = 0; i < 12; i++) {
    if (rng() < 0.3) continue;
    const nets: Record<string, string | [string, string[]]> = {};
    if (rng() < 0.4) nets.ing = `10.0.0.${i + 10}/24`;
    if (rng() < 0.8) nets.a = rng() < 0.5 ? `10.1.0.${i + 10}/24` : [`10.1.0.${i + 10}/24`, ['alias']];
    if (rng() < 0.4) nets.b = `10.2.0.${pick(rng, [i + 10, 99])}/24`;
    tasks.push(
      task(`t${i}`, service(`s${i % 3}`, 'x'), {
        slot: i,
        state: pick(rng, ['running', 'running', 'starting', 'failed'] as const),
        desired: pick(rng, ['running', 'running', 'shutdown'] as const),
        health: pick(rng, [undefined, undefined, 'healthy', 'unhealthy'] as const),
        nets,
      }),
    );
  }
  return { networks, services, tasks };
}

describe('ResolverSync', () => {
  it('after any sequence of pushed views, the index equals one built from the last view', () => {
    const rng = seededRandom(10);
    const index = new ResolverIndex();
    const sync = new ResolverSync(index);
    for (let step = 0; step < 400; step++) {
      const sources = randomSources(rng);
      sync.apply(sources);
      expect(canonical(index.view), `step ${step}`).toEqual(canonical(buildResolverView(sources)));
    }
  });

  it('touches nothing when nothing the answers read has changed', () => {
    const sync = new ResolverSync(new ResolverIndex());
    const sources = randomSources(seededRandom(3));
    sync.apply(sources);
    const copy = structuredClone(sources);
    copy.tasks.forEach((t) => (t.Status.Message = 'a status message is not read'));
    expect(sync.apply(copy)).toEqual({ set: 0, removed: 0 });
  });

  it('costs little per push among 10,000 tasks when one task changes', () => {
    const svc = service('s', 'web', { vips: { a: '10.1.0.2/16' } });
    const tasks = Array.from({ length: 10_000 }, (_, i) =>
      task(`t${i}`, svc, { slot: i + 1, nets: { a: `10.1.${i >> 8}.${i & 255}/16` } }),
    );
    const sync = new ResolverSync(new ResolverIndex());
    sync.apply({ networks: NETS, services: [svc], tasks });
    const changed = tasks.map((t, i) => (i === 5 ? { ...t, DesiredState: 'shutdown' as const } : t));
    const t0 = performance.now();
    expect(sync.apply({ networks: NETS, services: [svc], tasks: changed })).toEqual({ set: 1, removed: 0 });
    const ms = performance.now() - t0;
    console.log(`dns: one changed task among 10,000 patched in ${ms.toFixed(1)} ms`);
    expect(ms).toBeLessThan(1_000);
  });
});
