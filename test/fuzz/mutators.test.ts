import { describe, expect, it } from 'vitest';
import { body, BODIES, type BodyName } from './corpus';
import { getAt, pathText, paths, render, type Json } from './json-tree';
import { applyMutation, jsonType, MUTATION_KINDS, mutateBody, wrongType } from './mutators';
import { Rng } from './rng';

describe('mutators', () => {
  it('mutate the same way for the same seed, and differently for another', () => {
    const a = mutateBody(new Rng(7), body('serviceSpec'));
    const b = mutateBody(new Rng(7), body('serviceSpec'));
    const c = mutateBody(new Rng(8), body('serviceSpec'));
    expect(render(a.body)).toBe(render(b.body));
    expect(a.mutations).toEqual(b.mutations);
    expect(render(c.body)).not.toBe(render(a.body));
  });

  it('give every JSON type a value of another type', () => {
    const rng = new Rng(1);
    for (const v of [null, true, 0, 1.5, '', 'x', [], [1], {}, { a: 1 }] as Json[])
      for (let i = 0; i < 20; i++) expect(jsonType(wrongType(rng, v))).not.toBe(jsonType(v));
  });

  it('reach every field of every valid body, with every kind of mutation', () => {
    const names = Object.keys(BODIES) as BodyName[];
    for (const name of names) {
      const valid = body(name);
      const fields = new Set(
        paths(valid)
          .slice(1)
          .map((p) => pathText(p)),
      );
      const hit = new Set<string>();
      const rng = new Rng(42);
      for (let i = 0; i < 40 * fields.size + 200; i++)
        for (const m of mutateBody(rng, valid).mutations) hit.add(pathText(m.path));
      const missed = [...fields].filter((f) => !hit.has(f));
      expect(missed, `${name}: fields never mutated`).toEqual([]);
    }
    const kinds = new Set<string>();
    const rng = new Rng(3);
    for (let i = 0; i < 3_000; i++) for (const m of mutateBody(rng, body('serviceSpec')).mutations) kinds.add(m.kind);
    expect([...kinds].sort()).toEqual([...MUTATION_KINDS].sort());
  });

  it('leave the valid body alone and change the body at the path they name', () => {
    const valid = body('serviceSpec');
    const before = render(valid);
    const rng = new Rng(5);
    for (const kind of MUTATION_KINDS) {
      const r = applyMutation(rng, valid, ['TaskTemplate', 'ContainerSpec', 'Env'], kind);
      expect(render(valid)).toBe(before);
      expect(render(r.body)).not.toBe(before);
      if (kind === 'remove') expect(getAt(r.body, r.mutation.path)).toBeUndefined();
    }
  });
});
