import { describe, expect, it } from 'vitest';
import { applyUpdateForm, formToServiceSpec, labelKeyProblem, lines, parseLabel } from './console';
import { SwarmError } from './errors';

describe('formToServiceSpec', () => {
  it('builds the spec the CLI would send, in Engine API units', () => {
    const spec = formToServiceSpec({
      name: ' web ',
      image: 'nginx:alpine',
      mode: 'replicated',
      replicas: 3,
      env: ['A=1', ' ', 'B=two'],
      constraints: ['node.role==worker'],
      reserveCpus: 0.5,
      reserveMemoryMiB: 64,
      restartCondition: 'on-failure',
      restartDelaySeconds: 5,
      restartMaxAttempts: 3,
    });
    expect(spec).toEqual({
      Name: 'web',
      Labels: {},
      TaskTemplate: {
        ContainerSpec: { Image: 'nginx:alpine', Env: ['A=1', 'B=two'] },
        ForceUpdate: 0,
        Placement: { Constraints: ['node.role==worker'] },
        Resources: { Reservations: { NanoCPUs: 500_000_000, MemoryBytes: 64 * 1024 * 1024 } },
        RestartPolicy: { Condition: 'on-failure', Delay: 5_000_000_000, MaxAttempts: 3 },
      },
      Mode: { Replicated: { Replicas: 3 } },
    });
  });

  it('makes global services and leaves optional parts out', () => {
    expect(formToServiceSpec({ name: 'agent', image: 'busybox', mode: 'global', reserveCpus: 0 })).toEqual({
      Name: 'agent',
      Labels: {},
      TaskTemplate: { ContainerSpec: { Image: 'busybox' }, ForceUpdate: 0 },
      Mode: { Global: {} },
    });
  });

  it.each([
    [{ name: 'x', image: '', mode: 'replicated' }, /image reference must be provided/],
    [{ name: 'x', image: 'a', mode: 'replicated', replicas: -1 }, /replicas/],
    [{ name: 'x', image: 'a', mode: 'replicated', replicas: 1.5 }, /replicas/],
    [{ name: 'x', image: 'a', mode: 'global', constraints: ['node.role=worker'] }, /invalid constraint/],
    [{ name: 'x', image: 'a', mode: 'global', reserveCpus: Number.NaN }, /CPU reservation/],
    [{ name: 'x', image: 'a', mode: 'both' }, /invalid mode/],
  ])('rejects %j as InvalidArgument', (form, msg) => {
    let err: unknown;
    try {
      formToServiceSpec(form as never);
    } catch (e) {
      err = e;
    }
    expect(err).toBeInstanceOf(SwarmError);
    expect((err as SwarmError).status).toBe(400);
    expect((err as SwarmError).message).toMatch(msg);
  });

  it('splits textarea lines', () => {
    expect(lines(' A=1 \n\nB=2\n')).toEqual(['A=1', 'B=2']);
  });
});

describe('applyUpdateForm', () => {
  const job = {
    Name: 'batch',
    Labels: {},
    TaskTemplate: { ContainerSpec: { Image: 'busybox' }, ForceUpdate: 2 },
    Mode: { ReplicatedJob: { MaxConcurrent: 1, TotalCompletions: 3 } },
  };

  it('runs a job again with --force and gives it no update config (swarmkit refuses one)', () => {
    const s = applyUpdateForm(job, { image: 'busybox:1.36', force: true });
    expect(s.UpdateConfig).toBeUndefined();
    expect(s.TaskTemplate.ForceUpdate).toBe(3);
    expect(s.TaskTemplate.ContainerSpec.Image).toBe('busybox:1.36');
  });

  it('refuses rollout settings for a job in the CLI’s words, and keeps them for a replicated service', () => {
    expect(() => applyUpdateForm(job, { parallelism: 2 })).toThrow(
      'update and rollback configuration is not supported for jobs',
    );
    const web = { ...job, Mode: { Replicated: { Replicas: 2 } } };
    expect(applyUpdateForm(web, { parallelism: 2 }).UpdateConfig).toEqual({ Parallelism: 2 });
  });
});

describe('parseLabel', () => {
  it('splits key=value at the first = like --label-add', () => {
    expect(parseLabel('zone=a')).toEqual({ key: 'zone', value: 'a' });
    expect(parseLabel(' ssd ')).toEqual({ key: 'ssd', value: '' });
    expect(parseLabel('k=a=b')).toEqual({ key: 'k', value: 'a=b' });
    expect(parseLabel('k=')).toEqual({ key: 'k', value: '' });
  });

  it('rejects an empty or spaced key with the CLI text', () => {
    expect(() => parseLabel('=a')).toThrow("invalid label '=a': empty name");
    expect(() => parseLabel('')).toThrow("invalid label '': empty name");
    expect(() => parseLabel('a b=c')).toThrow("label 'a b' contains whitespaces");
    expect(labelKeyProblem('ok.key/x')).toBeUndefined();
  });
});
