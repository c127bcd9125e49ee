import { describe, expect, it } from 'vitest';
import { applyUpdateForm, formToServiceSpec, labelKeyProblem, lines, parseLabel } from './console';
import { SwarmError } from './errors';
import { readFileSync } from 'node:fs';
import type { ServiceSpec } from './types';

// what docker CLI 28.2 sent for `docker service create` (test/fuzz/corpus has the commands)
const CLI_BODIES = JSON.parse(
  readFileSync(new URL('../../test/fuzz/corpus/cli-bodies.json', import.meta.url), 'utf8'),
) as { serviceSpecs: Record<'replicated' | 'global', ServiceSpec> };

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
      EndpointSpec: { Mode: 'vip' },
    });
  });

  it('makes global services and leaves optional parts out', () => {
    expect(formToServiceSpec({ name: 'agent', image: 'busybox', mode: 'global', reserveCpus: 0 })).toEqual({
      Name: 'agent',
      Labels: {},
      TaskTemplate: { ContainerSpec: { Image: 'busybox' }, ForceUpdate: 0 },
      Mode: { Global: {} },
      EndpointSpec: { Mode: 'vip' },
    });
  });

  // docker service create --name corpus-web --label team=ops --label tier=web --entrypoint /bin/sh
  //   --publish published=8080,target=80 --publish published=9090,target=9000,protocol=udp,mode=host
  //   --network app --mount type=volume,source=data,target=/data
  //   --mount type=bind,source=/tmp,target=/host-tmp,readonly --mount type=tmpfs,target=/scratch
  //   --secret db-pass --config site --env A=1 --replicas 2 nginx:alpine -c 'exec nginx -g "daemon off;"'
  // (the CLI's fields as test/fuzz/corpus/cli-bodies.json captured them, written out by hand)
  it('maps command, args, labels, ports, networks, mounts, secrets and configs as the CLI does', () => {
    const ids: Record<string, string> = { 'db-pass': 'sec1', site: 'cfg1' };
    const spec = formToServiceSpec(
      {
        name: 'corpus-web',
        image: 'nginx:alpine',
        mode: 'replicated',
        replicas: 2,
        entrypoint: '/bin/sh',
        command: `-c 'exec nginx -g "daemon off;"'`,
        env: ['A=1'],
        labels: ['team=ops', ' tier=web ', ''],
        ports: [
          { target: 80, published: 8080 },
          { target: 9000, published: 9090, protocol: 'udp', mode: 'host' },
        ],
        networks: ['app'],
        mounts: [
          { type: 'volume', source: 'data', target: '/data' },
          { type: 'bind', source: '/tmp', target: '/host-tmp', readonly: true },
          { type: 'tmpfs', target: '/scratch', readonly: false },
        ],
        secrets: ['db-pass'],
        configs: ['site'],
      },
      { secret: (n) => ids[n], config: (n) => ids[n] },
    );
    const file = (Name: string) => ({ Name, UID: '0', GID: '0', Mode: 0o444 });
    expect(spec).toEqual({
      Name: 'corpus-web',
      Labels: { team: 'ops', tier: 'web' },
      TaskTemplate: {
        ContainerSpec: {
          Image: 'nginx:alpine',
          Command: ['/bin/sh'],
          Args: ['-c', 'exec nginx -g "daemon off;"'],
          Env: ['A=1'],
          Mounts: [
            { Type: 'volume', Source: 'data', Target: '/data' },
            { Type: 'bind', Source: '/tmp', Target: '/host-tmp', ReadOnly: true },
            { Type: 'tmpfs', Target: '/scratch' },
          ],
          Secrets: [{ File: file('db-pass'), SecretID: 'sec1', SecretName: 'db-pass' }],
          Configs: [{ File: file('site'), ConfigID: 'cfg1', ConfigName: 'site' }],
        },
        ForceUpdate: 0,
        Networks: [{ Target: 'app' }],
      },
      Mode: { Replicated: { Replicas: 2 } },
      EndpointSpec: {
        Mode: 'vip',
        Ports: [
          { Protocol: 'tcp', TargetPort: 80, PublishedPort: 8080, PublishMode: 'ingress' },
          { Protocol: 'udp', TargetPort: 9000, PublishedPort: 9090, PublishMode: 'host' },
        ],
      },
    });
    // the captured CLI body agrees where the two overlap
    const cli = CLI_BODIES.serviceSpecs.replicated;
    expect(spec.TaskTemplate.ContainerSpec.Command).toEqual(cli.TaskTemplate.ContainerSpec.Command);
    expect(spec.TaskTemplate.ContainerSpec.Args).toEqual(cli.TaskTemplate.ContainerSpec.Args);
    expect(spec.EndpointSpec).toEqual(cli.EndpointSpec);
    expect(spec.TaskTemplate.ContainerSpec.Mounts?.[1]).toEqual(cli.TaskTemplate.ContainerSpec.Mounts?.[1]);
  });

  it('puts IMAGE [COMMAND] [ARG...] in Args, as `docker service create busybox:latest sleep 3600` does', () => {
    const cli = CLI_BODIES.serviceSpecs.global;
    const spec = formToServiceSpec({
      name: 'corpus-global',
      image: 'busybox:latest',
      mode: 'global',
      command: 'sleep 3600',
      env: ['X=1'],
    });
    expect(spec.TaskTemplate.ContainerSpec).toEqual({ Image: 'busybox:latest', Args: ['sleep', '3600'], Env: ['X=1'] });
    expect(spec.TaskTemplate.ContainerSpec.Args).toEqual(cli.TaskTemplate.ContainerSpec.Args);
    expect(spec.EndpointSpec).toEqual(cli.EndpointSpec);
    expect(spec.Labels).toEqual(cli.Labels);
  });

  it.each([
    [{ name: 'x', image: '', mode: 'replicated' }, /image reference must be provided/],
    [{ name: 'x', image: 'a', mode: 'replicated', replicas: -1 }, /replicas/],
    [{ name: 'x', image: 'a', mode: 'replicated', replicas: 1.5 }, /replicas/],
    [{ name: 'x', image: 'a', mode: 'global', constraints: ['node.role=worker'] }, /invalid constraint/],
    [{ name: 'x', image: 'a', mode: 'global', reserveCpus: Number.NaN }, /CPU reservation/],
    [{ name: 'x', image: 'a', mode: 'both' }, /invalid mode/],
    [{ name: 'x', image: 'a', mode: 'global', command: 'sh -c "echo' }, /desc = command: unterminated quote/],
    [{ name: 'x', image: 'a', mode: 'global', entrypoint: 3 }, /entrypoint must be a string/],
    [{ name: 'x', image: 'a', mode: 'global', labels: ['=v'] }, /invalid label '=v': empty name/],
    [{ name: 'x', image: 'a', mode: 'global', ports: [{ target: 0 }] }, /ports\[0\]\.target must be a port number/],
    [
      { name: 'x', image: 'a', mode: 'global', ports: [{ target: 80 }, { target: 81, published: 70000 }] },
      /ports\[1\]\.published/,
    ],
    [
      { name: 'x', image: 'a', mode: 'global', ports: [{ target: 80, protocol: 'icmp' }] },
      /ports\[0\]\.protocol "icmp"/,
    ],
    [{ name: 'x', image: 'a', mode: 'global', ports: [{ target: 80, mode: 'vip' }] }, /ports\[0\]\.mode "vip"/],
    [{ name: 'x', image: 'a', mode: 'global', ports: 'x' }, /ports must be a list/],
    [{ name: 'x', image: 'a', mode: 'global', mounts: [{ type: 'nfs', target: '/d' }] }, /mounts\[0\]\.type "nfs"/],
    [
      { name: 'x', image: 'a', mode: 'global', mounts: [{ type: 'volume', target: '' }] },
      /mounts\[0\]\.target is required/,
    ],
    [
      { name: 'x', image: 'a', mode: 'global', mounts: [{ type: 'volume', target: 'd' }] },
      /mounts\[0\]\.target: .*absolute/,
    ],
    [
      { name: 'x', image: 'a', mode: 'global', mounts: [{ type: 'bind', source: 'rel', target: '/d' }] },
      /mounts\[0\]\.source: invalid bind/,
    ],
    [
      { name: 'x', image: 'a', mode: 'global', mounts: [{ type: 'tmpfs', source: '/x', target: '/d' }] },
      /mounts\[0\]\.source: invalid tmpfs/,
    ],
    [
      { name: 'x', image: 'a', mode: 'global', mounts: [{ type: 'tmpfs', target: '/d', readonly: 'yes' }] },
      /mounts\[0\]\.readonly/,
    ],
    [{ name: 'x', image: 'a', mode: 'global', networks: ['app', 'app'] }, /networks: app is listed twice/],
    [{ name: 'x', image: 'a', mode: 'global', networks: [1] }, /networks must be a list/],
    [{ name: 'x', image: 'a', mode: 'global', secrets: 'db' }, /secrets must be a list/],
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

describe('formToServiceSpec secrets and configs', () => {
  const none = { secret: () => undefined, config: () => undefined };
  it('refuses a name the swarm does not have, naming the field', () => {
    expect(() => formToServiceSpec({ name: 'x', image: 'a', mode: 'global', secrets: ['nope'] }, none)).toThrow(
      'secrets: secret not found: nope',
    );
    expect(() => formToServiceSpec({ name: 'x', image: 'a', mode: 'global', configs: ['nope'] }, none)).toThrow(
      'configs: config not found: nope',
    );
  });
});
