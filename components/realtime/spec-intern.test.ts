import { describe, expect, it } from 'vitest';
import { fixtureService, fixtureTask } from '../cluster/test-fixtures';
import { TaskSpecInterner } from './spec-intern';

const web = fixtureService({ ID: 'web', SpecVersion: { Index: 4 } });
// as they come off the wire: each task with its own copy of the template
const wire = (ID: string, version = 4, spec = web.Spec.TaskTemplate) =>
  fixtureTask(web, { ID, SpecVersion: { Index: version }, Spec: structuredClone(spec) });

describe('TaskSpecInterner', () => {
  it('gives the tasks of one service version one spec object', () => {
    const i = new TaskSpecInterner();
    const [a, b, c] = [i.intern(wire('a')), i.intern(wire('b')), i.intern(wire('c'))];
    expect(b.Spec).toBe(a.Spec);
    expect(c.Spec).toBe(a.Spec);
    // another version keeps its own
    expect(i.intern(wire('d', 5)).Spec).not.toBe(a.Spec);
  });

  it('leaves a task whose spec differs from its version with its own, unchanged', () => {
    const i = new TaskSpecInterner();
    const a = i.intern(wire('a'));
    const odd = wire('b', 4, { ...web.Spec.TaskTemplate, ContainerSpec: { Image: 'other' } });
    const spec = odd.Spec;
    expect(i.intern(odd).Spec).toBe(spec);
    expect(odd.Spec.ContainerSpec.Image).toBe('other');
    expect(a.Spec.ContainerSpec.Image).toBe('nginx:alpine');
  });

  it('forgets what it held once cleared (a new snapshot)', () => {
    const i = new TaskSpecInterner();
    const a = i.intern(wire('a'));
    i.clear();
    const b = i.intern(wire('b'));
    expect(b.Spec).not.toBe(a.Spec);
    expect(i.intern(wire('c')).Spec).toBe(b.Spec);
  });
});
