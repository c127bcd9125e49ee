import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { findRoute } from '../../server/http/engine/router';
import { ENGINE_ROUTES } from '../../server/http/engine/server';
import { generate, STREAMS, type StreamName } from './generator';
import { requestToFile } from './request';
import { CATALOGUE, CONSOLE_CATALOGUE, ENGINE_CATALOGUE } from './routes';

const SAMPLE: Record<string, string> = {
  '{service}': 'fz-1',
  '{node}': 'sim-worker-1',
  '{task}': 'abc',
  '{version}': 'v1',
  '{key}': 'zone',
  '{image}': 'nginx:alpine',
};
const fill = (path: string) => path.replace(/\{\w+\}/g, (m) => SAMPLE[m] ?? m);

describe('generator', () => {
  it('gives the same request for the same (seed, stream, index), whatever ran before', () => {
    for (const stream of Object.keys(STREAMS) as StreamName[])
      for (const i of [0, 1, 17, 4_711, 99_999]) {
        const a = JSON.stringify(requestToFile(generate(123, stream, i)));
        generate(123, stream, i + 1);
        expect(JSON.stringify(requestToFile(generate(123, stream, i)))).toBe(a);
      }
    const seqA = Array.from({ length: 50 }, (_, i) => JSON.stringify(requestToFile(generate(1, 'main', i))));
    const seqB = Array.from({ length: 50 }, (_, i) => JSON.stringify(requestToFile(generate(2, 'main', i))));
    expect(seqA.filter((x, i) => x === seqB[i]).length).toBeLessThan(5);
  });

  it('reaches every route of its stream, in every category, within the CI run', () => {
    for (const [name, stream] of Object.entries(STREAMS)) {
      const routes = new Set<string>();
      const categories = new Set<string>();
      for (let i = 0; i < 2_000; i++) {
        const r = generate(9, name as StreamName, i);
        routes.add(r.route);
        categories.add(r.category);
      }
      expect(
        stream.routes.map((r) => r.id).filter((id) => !routes.has(id)),
        `${name}: routes never generated`,
      ).toEqual([]);
      expect(categories.size, name).toBe(8);
    }
  });

  it('knows every route the Engine API serves, and which of its own it does not serve', () => {
    for (const route of ENGINE_ROUTES) {
      const covered = ENGINE_CATALOGUE.some((c) => c.method === route.method && route.pattern.test(fill(c.path)));
      expect(covered, `no catalogue entry for ${route.method} ${route.pattern}`).toBe(true);
    }
    for (const c of ENGINE_CATALOGUE) {
      const served = !!findRoute(ENGINE_ROUTES, c.method, fill(c.path));
      expect(served, `${c.id}: the catalogue says served=${c.served}; flip it`).toBe(c.served);
    }
  });

  it('knows every console API route (the path names server/http/console/api.ts compares with)', () => {
    const source = readFileSync(new URL('../../server/http/console/api.ts', import.meta.url), 'utf8');
    const names = new Set([...source.matchAll(/\b(?:a|id|op) === '([\w-]+)'/g)].map((m) => m[1]!));
    const rollout = /ROLLOUT_OPS[^=]*=\s*new Set[^(]*\(\[([^\]]+)\]/.exec(source)?.[1] ?? '';
    for (const m of rollout.matchAll(/'([\w-]+)'/g)) names.add(m[1]!);
    // if this finds too few, api.ts changed shape: update the patterns above together with CONSOLE_CATALOGUE
    expect(names.size).toBeGreaterThanOrEqual(10);
    const segments = new Set(CONSOLE_CATALOGUE.flatMap((c) => c.path.split('/')));
    expect(
      [...names].filter((n) => !segments.has(n)),
      'console API path names missing from CONSOLE_CATALOGUE',
    ).toEqual([]);
  });

  it('gives every catalogue entry a unique id per method and path', () => {
    const keys = CATALOGUE.filter((r) => !r.socket).map(
      (r) => `${r.port} ${r.method} ${r.path} ${JSON.stringify(r.query?.map((q) => q.name))}`,
    );
    expect(new Set(keys).size).toBe(keys.length);
  });

  it('builds 40,000 requests of several seeds without throwing', () => {
    for (const seed of [1, 2, 3, 4])
      for (const stream of Object.keys(STREAMS) as StreamName[])
        for (let i = 0; i < 5_000; i++) expect(() => generate(seed, stream, i), `${seed} ${stream} ${i}`).not.toThrow();
  });

  it('sends node-unsendable targets and header bytes raw', () => {
    for (let i = 0; i < 3_000; i++) {
      const r = generate(5, 'main', i);
      if (/[^\u0021-\u00ff]/.test(r.path)) expect(r.raw, `${r.index} ${r.path}`).toBeDefined();
    }
  });
});
