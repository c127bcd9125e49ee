// `docker service …` conformance: every command of the family and its common flags, run by the real
// docker CLI (28.2) against one swarmdeck server with simulated workers. Output is checked with --format
// where the default is a table (and the table headers once), exit codes and error texts as dockerd,
// swarmkit and the CLI word them. The end-to-end scenario (converge, roll, scale, restart, drain) is in
// test/integration/docker-cli.test.ts, network attachment in network.test.ts, logs of real processes in
// test/integration/service-logs.test.ts.

import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { until } from '../until';
import { startCliSession, tableRows, type CliSession } from './cli-session';

const ID = /^[0-9a-z]{25}$/;

let cli: CliSession;
let nodes: { id: string; hostname: string }[] = [];

/** `name|node|current state` of the service's tasks meant to run, once there are `n`, all Running. */
const running = (service: string, n: number) =>
  until(
    `${n} running tasks of ${service}`,
    async () => {
      const out = await cli.ok([
        'service',
        'ps',
        '--filter',
        'desired-state=running',
        '--format',
        '{{.Name}}|{{.Node}}|{{.CurrentState}}',
        service,
      ]);
      const rows = out.split('\n').filter(Boolean);
      return rows.length === n && rows.every((r) => r.split('|')[2]!.startsWith('Running ')) ? rows : undefined;
    },
    45_000,
    200,
  );

const spec = async <T = Record<string, unknown>>(service: string): Promise<T> =>
  JSON.parse(await cli.ok(['service', 'inspect', '--format', '{{json .Spec}}', service])) as T;

/** The progress lines the CLI prints without a terminal, each once, in order of first appearance. */
const progressLines = (out: string) => [...new Set(out.split('\n').map((l) => l.trimEnd()))].filter(Boolean);

beforeAll(async () => {
  cli = await startCliSession('cli-service', { simWorkers: 3 });
  const out = await until('four ready nodes', async () => {
    const lines = (await cli.ok(['node', 'ls', '--format', '{{.ID}}|{{.Hostname}}|{{.Status}}'])).trim().split('\n');
    return lines.length === 4 && lines.every((l) => l.endsWith('|Ready')) ? lines : undefined;
  });
  nodes = out.map((l) => ({ id: l.split('|')[0]!, hostname: l.split('|')[1]! }));
  await cli.ok(['network', 'create', '-d', 'overlay', 'svcnet']);
}, 120_000);

afterAll(async () => {
  await cli?.stop();
}, 30_000);

describe('service create', () => {
  it('waits for convergence by default, printing the progress lines dockerd lets the CLI print', async () => {
    const out = await cli.ok(
      ['service', 'create', '--name', 'web', '--replicas', '2', '--update-monitor', '1s', 'nginx:alpine'],
      60_000,
    );
    const lines = progressLines(out);
    const id = lines[0]!;
    expect(id).toMatch(ID);
    // the first poll comes before the tasks run, unless the machine is very slow to start the CLI
    expect(lines[1]).toMatch(/^overall progress: [0-2] out of 2 tasks$/);
    expect(lines).toContain('1/2:');
    expect(lines).toContain('2/2:');
    expect(lines).toContain('overall progress: 2 out of 2 tasks');
    expect(lines).toContain('verify: Waiting 1 seconds to verify that tasks are stable...');
    // the CLI polls the ID the create answered
    expect(lines.at(-1)).toBe(`verify: Service ${id} converged`);
    expect((await cli.ok(['service', 'ls', '--filter', 'name=web', '--format', '{{.Replicas}}'])).trim()).toBe('2/2');
  }, 70_000);

  it('--quiet still waits but prints only the ID; --detach returns at once with the ID', async () => {
    const quiet = await cli.ok(
      ['service', 'create', '-q', '--name', 'quiet', '--update-monitor', '1s', 'busybox'],
      60_000,
    );
    expect(quiet).toMatch(/^[0-9a-z]{25}\n$/);
    // waited: the task runs already
    expect((await cli.ok(['service', 'ls', '--filter', 'name=quiet', '--format', '{{.Replicas}}'])).trim()).toBe('1/1');
    const detached = await cli.docker(['service', 'create', '-d', '--name', 'detached', 'busybox']);
    expect(detached.stdout).toMatch(/^[0-9a-z]{25}\n$/);
    // the image is left unpinned without the CLI's registry warning (the quiet answer of an offline
    // server at /distribution, spec/engine-api-compat.md §9)
    expect([detached.code, detached.stderr]).toEqual([0, '']);
    expect(
      (
        await cli.ok(['service', 'inspect', '--format', '{{.Spec.TaskTemplate.ContainerSpec.Image}}', 'detached'])
      ).trim(),
    ).toBe('busybox:latest');
  }, 70_000);

  it('every common flag reaches the spec as dockerd stores it', async () => {
    const netID = (await cli.ok(['network', 'inspect', '--format', '{{.Id}}', 'svcnet'])).trim();
    // the CLI asks the server for the ID it shows; -d so the spec is the subject, not the tasks
    const out = await cli.ok([
      'service', 'create', '-d', '--name', 'full', '--replicas', '2',
      '-e', 'A=1', '--env', 'B=2', '--label', 'tier=web', '--label', 'flag', '--container-label', 'c=1',
      '--constraint', 'node.role==worker', '--placement-pref', 'spread=node.labels.zone', '--replicas-max-per-node', '1',
      '--reserve-cpu', '0.1', '--reserve-memory', '32M', '--limit-cpu', '0.5', '--limit-memory', '64M',
      '--restart-condition', 'on-failure', '--restart-delay', '3s', '--restart-max-attempts', '4', '--restart-window', '10s',
      '--update-parallelism', '2', '--update-delay', '1s', '--update-failure-action', 'rollback', '--update-monitor', '2s',
      '--update-max-failure-ratio', '0.2', '--update-order', 'start-first',
      '--rollback-parallelism', '3', '--rollback-delay', '2s', '--rollback-failure-action', 'continue',
      '--rollback-monitor', '3s', '--rollback-max-failure-ratio', '0.5', '--rollback-order', 'stop-first',
      '--health-cmd', 'true', '--health-interval', '5s', '--health-timeout', '2s', '--health-retries', '3', '--health-start-period', '1s',
      '--mount', 'type=volume,source=data,target=/data', '--mount', 'type=bind,source=/tmp,target=/host,readonly',
      '--mount', 'type=tmpfs,target=/scratch,tmpfs-size=1000000',
      '--publish', '8080:80', '--publish', 'published=9090,target=90,protocol=udp,mode=host',
      '--network', 'name=svcnet,alias=full-alias',
      '--hostname', 'h1', '--workdir', '/app', '--user', '1000:1000', '--entrypoint', '/bin/echo',
      'busybox:1.36', 'arg1', 'arg2',
    ]); // prettier-ignore
    expect(out).toMatch(/^[0-9a-z]{25}\n$/);
    expect(await spec('full')).toEqual({
      Name: 'full',
      Labels: { tier: 'web', flag: '' },
      TaskTemplate: {
        ContainerSpec: {
          Image: 'busybox:1.36',
          Labels: { c: '1' },
          Command: ['/bin/echo'],
          Args: ['arg1', 'arg2'],
          Hostname: 'h1',
          Env: ['A=1', 'B=2'],
          Dir: '/app',
          User: '1000:1000',
          Init: false,
          Mounts: [
            { Type: 'volume', Source: 'data', Target: '/data' },
            { Type: 'bind', Source: '/tmp', Target: '/host', ReadOnly: true },
            { Type: 'tmpfs', Target: '/scratch', TmpfsOptions: { SizeBytes: 1_000_000 } },
          ],
          StopGracePeriod: 10_000_000_000,
          Healthcheck: {
            Test: ['CMD-SHELL', 'true'],
            Interval: 5_000_000_000,
            Timeout: 2_000_000_000,
            StartPeriod: 1_000_000_000,
            Retries: 3,
          },
          DNSConfig: {},
          Isolation: 'default',
        },
        Resources: {
          Limits: { NanoCPUs: 500_000_000, MemoryBytes: 64 * 1024 * 1024 },
          Reservations: { NanoCPUs: 100_000_000, MemoryBytes: 32 * 1024 * 1024 },
        },
        RestartPolicy: { Condition: 'on-failure', Delay: 3_000_000_000, MaxAttempts: 4, Window: 10_000_000_000 },
        Placement: {
          Constraints: ['node.role==worker'],
          Preferences: [{ Spread: { SpreadDescriptor: 'node.labels.zone' } }],
          MaxReplicas: 1,
        },
        Networks: [{ Target: netID, Aliases: ['full-alias'] }],
        ForceUpdate: 0,
        Runtime: 'container',
      },
      Mode: { Replicated: { Replicas: 2 } },
      UpdateConfig: {
        Parallelism: 2,
        Delay: 1_000_000_000,
        FailureAction: 'rollback',
        Monitor: 2_000_000_000,
        MaxFailureRatio: 0.2,
        Order: 'start-first',
      },
      RollbackConfig: {
        Parallelism: 3,
        Delay: 2_000_000_000,
        FailureAction: 'continue',
        Monitor: 3_000_000_000,
        MaxFailureRatio: 0.5,
        Order: 'stop-first',
      },
      EndpointSpec: {
        Mode: 'vip',
        Ports: [
          { Protocol: 'tcp', TargetPort: 80, PublishedPort: 8080, PublishMode: 'ingress' },
          { Protocol: 'udp', TargetPort: 90, PublishedPort: 9090, PublishMode: 'host' },
        ],
      },
    });
    // placed as asked: workers only, at most one per node
    const rows = await running('full', 2);
    const placed = rows.map((r) => r.split('|')[1]!);
    expect(new Set(placed).size).toBe(2);
    expect(placed.every((n) => n.startsWith('sim-worker-'))).toBe(true);
    expect(
      (await cli.ok(['service', 'ls', '--filter', 'name=full', '--format', '{{.Replicas}}|{{.Ports}}'])).trim(),
    ).toBe('2/2 (max 1 per node)|*:8080->80/tcp');
  }, 60_000);

  it('--mode global runs one task on every node, named by node ID', async () => {
    await cli.ok(['service', 'create', '-d', '--name', 'everywhere', '--mode', 'global', 'busybox']);
    const rows = await running('everywhere', nodes.length);
    expect(rows.map((r) => r.split('|')[0]).sort()).toEqual(nodes.map((n) => `everywhere.${n.id}`).sort());
    expect(
      (await cli.ok(['service', 'ls', '--filter', 'name=everywhere', '--format', '{{.Mode}} {{.Replicas}}'])).trim(),
    ).toBe(`global ${nodes.length}/${nodes.length}`);
  }, 60_000);

  it('refuses what dockerd and swarmkit refuse, in their words', async () => {
    const create = (...args: string[]) => ['service', 'create', '-d', ...args];
    await cli.fails(
      create('--name', 'bad_name!', 'busybox'),
      'Error response from daemon: rpc error: code = InvalidArgument desc = name must be valid as a DNS name component',
    );
    await cli.fails(
      create('--name', 'web', 'busybox'),
      'Error response from daemon: rpc error: code = AlreadyExists desc = name conflicts with an existing object: service web already exists',
    );
    const fullID = (await cli.ok(['service', 'inspect', '--format', '{{.ID}}', 'full'])).trim();
    await cli.fails(
      create('--name', 'clash', '-p', '8080:81', 'busybox'),
      `Error response from daemon: rpc error: code = InvalidArgument desc = port '8080' is already in use by service 'full' (${fullID}) as an ingress port`,
    );
    await cli.fails(
      create('--name', 'x', '--network', 'ingress', 'busybox'),
      'Error response from daemon: rpc error: code = InvalidArgument desc = Service cannot be explicitly attached to the ingress network "ingress"',
    );
    await cli.fails(
      create('--name', 'x', '--constraint', 'node.role=worker', 'busybox'),
      'Error response from daemon: rpc error: code = InvalidArgument desc = constraint expected one operator from ==, !=',
    );
    await cli.fails(
      create('--name', 'x', '--mount', 'type=tmpfs,target=/a', '--mount', 'type=tmpfs,target=/a', 'busybox'),
      'Error response from daemon: rpc error: code = InvalidArgument desc = ContainerSpec: duplicate mount point: /a',
    );
    // swarmkit's validateServiceSpec over the common flags
    const rpc = (desc: string) => `Error response from daemon: rpc error: code = InvalidArgument desc = ${desc}`;
    await cli.fails(
      create('--name', 'x', '--limit-memory', '1k', 'busybox'),
      rpc('invalid memory value 1024: Must be at least 4MiB'),
    );
    await cli.fails(
      create('--name', 'x', '--reserve-cpu', '0.0001', 'busybox'),
      rpc('invalid cpu value 0.0001: Must be at least 0.001'),
    );
    await cli.fails(
      create('--name', 'x', '--restart-delay', '-1s', 'busybox'),
      rpc('TaskSpec: restart-delay cannot be negative'),
    );
    await cli.fails(
      create('--name', 'x', '--update-delay', '-1s', 'busybox'),
      rpc('TaskSpec: update-delay cannot be negative'),
    );
    await cli.fails(
      create('--name', 'x', '--update-max-failure-ratio', '2', 'busybox'),
      rpc('TaskSpec: update-maxfailureratio cannot be less than 0 or bigger than 1'),
    );
    await cli.fails(
      create('--name', 'x', '--health-retries', '-1', 'busybox'),
      rpc('ContainerSpec: Retries in HealthConfig cannot be negative'),
    );
    await cli.fails(
      create('--name', 'x', '--endpoint-mode', 'dnsrr', '-p', '80:80', 'busybox'),
      rpc("EndpointSpec: port published with ingress mode can't be used with dnsrr mode"),
    );
    await cli.fails(
      create('--name', 'x', '-p', '80:80', '-p', '80:81', 'busybox'),
      rpc('EndpointSpec: duplicate published ports provided'),
    );
    // moby's converter, before swarmkit sees the spec
    await cli.fails(
      create('--name', 'x', '--restart-condition', 'sometimes', 'busybox'),
      'Error response from daemon: invalid RestartCondition: "sometimes"',
    );
    await cli.fails(
      create('--name', 'x', '--update-failure-action', 'explode', 'busybox'),
      'Error response from daemon: unrecognized update failure action explode',
    );
    // the CLI's own check, never sent
    await cli.fails(
      create('--name', 'x', '--mode', 'global', '--replicas', '2', 'busybox'),
      'replicas can only be used with replicated or replicated-job mode',
    );
    // nothing of the refused ones was created
    expect((await cli.ok(['service', 'ls', '--filter', 'name=x', '-q'])).trim()).toBe('');
  }, 60_000);
});

describe('service inspect', () => {
  it('--pretty prints the defaults docker create stores', async () => {
    await cli.ok(['service', 'create', '-d', '--name', 'plain', 'nginx:alpine']);
    const id = (await cli.ok(['service', 'inspect', '--format', '{{.ID}}', 'plain'])).trim();
    expect(await cli.ok(['service', 'inspect', '--pretty', 'plain'])).toBe(
      [
        '',
        `ID:\t\t${id}`,
        'Name:\t\tplain',
        'Service Mode:\tReplicated',
        ' Replicas:\t1',
        'Placement:',
        'UpdateConfig:',
        ' Parallelism:\t1',
        ' On failure:\tpause',
        ' Monitoring Period: 5s',
        ' Max failure ratio: 0',
        ' Update order:      stop-first',
        'RollbackConfig:',
        ' Parallelism:\t1',
        ' On failure:\tpause',
        ' Monitoring Period: 5s',
        ' Max failure ratio: 0',
        ' Rollback order:    stop-first',
        'ContainerSpec:',
        ' Image:\t\tnginx:alpine',
        ' Init:\t\tfalse',
        'Resources:',
        'Endpoint Mode:\tvip',
        '',
        '',
      ].join('\n'),
    );
  });

  it('--format over several services, by name, ID and ID prefix', async () => {
    const id = (await cli.ok(['service', 'inspect', '--format', '{{.ID}}', 'plain'])).trim();
    expect(id).toMatch(ID);
    const out = await cli.ok([
      'service',
      'inspect',
      '--format',
      '{{.Spec.Name}} {{.Spec.Mode.Replicated.Replicas}} {{.Spec.TaskTemplate.ContainerSpec.Image}}',
      'web',
      id,
      id.slice(0, 6),
    ]);
    expect(out).toBe('web 2 nginx:alpine\nplain 1 nginx:alpine\nplain 1 nginx:alpine\n');
    // without --format: a JSON array, one object per argument
    const list = await cli.json<{ ID: string; Spec: { Name: string }; Version: { Index: number } }[]>([
      'service',
      'inspect',
      'web',
      'plain',
    ]);
    expect(list.map((s) => s.Spec.Name)).toEqual(['web', 'plain']);
    expect(list[1]!.ID).toBe(id);
  });

  it('an ID prefix two services share is refused as dockerd words it, and nothing is removed', async () => {
    // IDs are random: create (idle) services until two share a first character; 37 make that certain
    const firstChars = async () =>
      (await cli.ok(['service', 'ls', '-q']))
        .split('\n')
        .filter(Boolean)
        .map((id) => id[0]!);
    const made: string[] = [];
    let shared: string | undefined;
    while (!shared && made.length < 37) {
      const name = `amb${made.length}`;
      await cli.ok(['service', 'create', '-d', '--replicas', '0', '--name', name, 'busybox']);
      made.push(name);
      const seen = await firstChars();
      // a one-character prefix that is also a service's exact name would resolve by name
      shared = seen.find((c, i) => seen.indexOf(c) !== i && !made.includes(c));
    }
    expect(shared).toBeDefined();
    const n = (await firstChars()).filter((c) => c === shared).length;
    const ambiguous = `Error response from daemon: service ${shared} is ambiguous (${n} matches found)`;
    await cli.fails(['service', 'inspect', shared!], ambiguous);
    await cli.fails(['service', 'rm', shared!], ambiguous);
    await cli.fails(['service', 'update', '-d', '--image', 'x', shared!], ambiguous);
    expect((await firstChars()).filter((c) => c === shared)).toHaveLength(n);
    await cli.ok(['service', 'rm', ...made]);
  }, 60_000);

  it('an unknown service: the others are printed, then the CLI says which one, exit 1', async () => {
    const r = await cli.fails(['service', 'inspect', 'nosuch'], 'Error: no such service: nosuch');
    expect(r.stdout).toBe('[]\n');
    const mixed = await cli.fails(
      ['service', 'inspect', '--format', '{{.Spec.Name}}', 'web', 'nosuch'],
      'Error: no such service: nosuch',
    );
    expect(mixed.stdout).toBe('web\n');
  });
});

describe('service ls', () => {
  it('the default table: headers, mode, replicas, image and ports', async () => {
    const rows = tableRows(await cli.ok(['service', 'ls', '--filter', 'name=full']));
    expect(rows[0]).toEqual(['ID', 'NAME', 'MODE', 'REPLICAS', 'IMAGE', 'PORTS']);
    const id = (await cli.ok(['service', 'inspect', '--format', '{{.ID}}', 'full'])).trim();
    expect(rows.slice(1)).toEqual([
      [id.slice(0, 12), 'full', 'replicated', '2/2 (max 1 per node)', 'busybox:1.36', '*:8080->80/tcp'],
    ]);
  });

  it('a published port without a number gets one from 30000 on', async () => {
    await cli.ok(['service', 'create', '-d', '--name', 'dyn', '-p', '80', 'busybox']);
    const ports = await until('dyn allocated a port', async () => {
      const out = (await cli.ok(['service', 'ls', '--filter', 'name=dyn', '--format', '{{.Ports}}'])).trim();
      return out || undefined;
    });
    expect(ports).toBe('*:30000->80/tcp');
    expect(JSON.parse(await cli.ok(['service', 'inspect', '--format', '{{json .Endpoint.Ports}}', 'dyn']))).toEqual([
      { Protocol: 'tcp', TargetPort: 80, PublishedPort: 30000, PublishMode: 'ingress' },
    ]);
    await cli.ok(['service', 'rm', 'dyn']);
  });

  it('--filter id, name, label and mode; -q; --format', async () => {
    const names = async (...args: string[]) =>
      (await cli.ok(['service', 'ls', ...args, '--format', '{{.Name}}'])).trim().split('\n').filter(Boolean);
    const webID = (await cli.ok(['service', 'inspect', '--format', '{{.ID}}', 'web'])).trim();
    expect(await names()).toEqual(['detached', 'everywhere', 'full', 'plain', 'quiet', 'web']);
    expect(await names('--filter', `id=${webID.slice(0, 5)}`)).toEqual(['web']);
    // name is a prefix (swarmkit NamePrefixes)
    expect(await names('--filter', 'name=pl')).toEqual(['plain']);
    expect(await names('--filter', 'label=tier=web')).toEqual(['full']);
    expect(await names('--filter', 'label=flag')).toEqual(['full']);
    expect(await names('--filter', 'label=tier=db')).toEqual([]);
    expect(await names('--filter', 'mode=global')).toEqual(['everywhere']);
    expect(await names('--filter', 'mode=replicated', '--filter', 'name=w')).toEqual(['web']);
    // dockerd matches the mode exactly and refuses no value: an unknown mode lists nothing
    expect(await names('--filter', 'mode=bogus')).toEqual([]);
    expect((await cli.ok(['service', 'ls', '-q', '--filter', 'name=web'])).trim()).toBe(webID.slice(0, 12));
    expect(
      (
        await cli.ok([
          'service',
          'ls',
          '--filter',
          'name=web',
          '--format',
          '{{.ID}}|{{.Mode}}|{{.Replicas}}|{{.Image}}',
        ])
      ).trim(),
    ).toBe(`${webID.slice(0, 12)}|replicated|2/2|nginx:alpine`);
    await cli.fails(['service', 'ls', '--filter', 'colour=red'], "Error response from daemon: invalid filter 'colour'");
  });
});

describe('service ps', () => {
  it('the default table: headers, names rebuilt from slot, node hostnames', async () => {
    const rows = tableRows(await cli.ok(['service', 'ps', '--filter', 'desired-state=running', 'full']));
    expect(rows[0]).toEqual(['ID', 'NAME', 'IMAGE', 'NODE', 'DESIRED STATE', 'CURRENT STATE', 'ERROR', 'PORTS']);
    expect(rows.slice(1).map((r) => r.slice(1, 5))).toEqual([
      ['full.1', 'busybox:1.36', expect.stringMatching(/^sim-worker-\d$/), 'Running'],
      ['full.2', 'busybox:1.36', expect.stringMatching(/^sim-worker-\d$/), 'Running'],
    ]);
    for (const r of rows.slice(1)) {
      expect(r[0]).toMatch(/^[0-9a-z]{12}$/);
      expect(r[5]).toMatch(/^Running .* ago$/);
    }
  });

  it('--filter desired-state, name, node and id; --no-trunc; -q; several services', async () => {
    const fmt = ['--format', '{{.Name}}|{{.DesiredState}}'];
    const all = await running('web', 2);
    expect(all.map((r) => r.split('|')[0])).toEqual(['web.1', 'web.2']);
    expect(await cli.ok(['service', 'ps', '--filter', 'desired-state=running', ...fmt, 'web'])).toBe(
      'web.1|Running\nweb.2|Running\n',
    );
    expect(await cli.ok(['service', 'ps', '--filter', 'desired-state=shutdown', ...fmt, 'web'])).toBe('');
    expect(await cli.ok(['service', 'ps', '--filter', 'name=web.2', ...fmt, 'web'])).toBe('web.2|Running\n');
    // node: by hostname or ID
    const worker = nodes.find((n) => n.hostname === 'sim-worker-1')!;
    const onWorker = await cli.ok([
      'service',
      'ps',
      '--filter',
      'node=sim-worker-1',
      '--format',
      '{{.Node}}',
      'everywhere',
    ]);
    expect(onWorker).toBe('sim-worker-1\n');
    expect(
      await cli.ok(['service', 'ps', '--filter', `node=${worker.id}`, '--format', '{{.Name}}', 'everywhere']),
    ).toBe(`everywhere.${worker.id}\n`);
    const full = (await cli.ok(['service', 'ps', '-q', '--no-trunc', 'web'])).trim().split('\n');
    expect(full).toHaveLength(2);
    for (const id of full) expect(id).toMatch(ID);
    // -q means full IDs (the CLI turns truncation off for it)
    expect((await cli.ok(['service', 'ps', '-q', 'web'])).trim().split('\n')).toEqual(full);
    expect(await cli.ok(['service', 'ps', '--filter', `id=${full[0]!.slice(0, 8)}`, '-q', '--no-trunc', 'web'])).toBe(
      `${full[0]}\n`,
    );
    // several services in one table, sorted by name
    const both = await cli.ok([
      'service',
      'ps',
      '--filter',
      'desired-state=running',
      '--format',
      '{{.Name}}',
      'web',
      'plain',
    ]);
    expect(both).toBe('plain.1\nweb.1\nweb.2\n');
  });

  it("ERROR shows swarmkit's scheduling texts for tasks no node can take", async () => {
    await cli.ok(['service', 'create', '-d', '--name', 'nowhere', '--constraint', 'node.labels.none==1', 'busybox']);
    await cli.ok([
      'service',
      'create',
      '-d',
      '--name',
      'crowded',
      '--replicas',
      '5',
      '--replicas-max-per-node',
      '1',
      'busybox',
    ]);
    const errors = (service: string) =>
      cli.ok(['service', 'ps', '--no-trunc', '--format', '{{.Name}}|{{.CurrentState}}|{{.Error}}', service]);
    const nowhere = await until('nowhere.1 refused by every node', async () => {
      const out = await errors('nowhere');
      return out.includes('constraints') ? out : undefined;
    });
    expect(nowhere).toMatch(
      new RegExp(
        `^nowhere\\.1\\|Pending .+ ago\\|"no suitable node \\(scheduling constraints not satisfied on ${nodes.length} nodes\\)"\n$`,
      ),
    );
    const crowded = await until('one crowded task left over', async () => {
      const out = await errors('crowded');
      return out.includes('limit') ? out : undefined;
    });
    expect(
      crowded.split('\n').filter((l) => l.endsWith('|"no suitable node (max replicas per node limit exceed)"')),
    ).toHaveLength(5 - nodes.length);
    // the table cuts it at 30 characters
    expect(await cli.ok(['service', 'ps', '--format', 'table {{.Error}}', 'nowhere'])).toBe(
      'ERROR\n"no suitable node (scheduling …"\n',
    );
    await cli.ok(['service', 'rm', 'nowhere', 'crowded']);
  });

  it('refusals: an unknown service (the known ones still printed), a bad filter', async () => {
    await cli.fails(['service', 'ps', 'nosuch'], 'no such service: nosuch');
    const mixed = await cli.fails(
      ['service', 'ps', '--format', '{{.Name}}', '-f', 'desired-state=running', 'plain', 'nosuch'],
      'no such service: nosuch',
    );
    expect(mixed.stdout).toBe('plain.1\n');
    await cli.fails(
      ['service', 'ps', '--filter', 'desired-state=bogus', 'web'],
      "Error response from daemon: Invalid desired-state filter: 'bogus'",
    );
    await cli.fails(
      ['service', 'ps', '--filter', 'colour=red', 'web'],
      "Error response from daemon: invalid filter 'colour'",
    );
  });
});

describe('service logs', () => {
  it('--tail, --no-task-ids, --raw; an unknown service or task', async () => {
    // simulated tasks log a line now and then
    const tail = await until(
      'a log line of each web task',
      async () => {
        const out = await cli.ok(['service', 'logs', '--tail', '1', 'web'], 15_000);
        const lines = out.split('\n').filter(Boolean);
        return lines.length === 2 ? lines : undefined;
      },
      30_000,
      250,
    );
    expect(tail.map((l) => l.replace(/\..*$/, '')).sort()).toEqual(['web', 'web']);
    for (const l of tail) expect(l).toMatch(/^web\.[12]\.[0-9a-z]{12}@\S+\s+\| \S/);
    const noIDs = (await cli.ok(['service', 'logs', '--tail', '1', '--no-task-ids', 'web'], 15_000)).trim().split('\n');
    for (const l of noIDs) expect(l).toMatch(/^web\.[12]@\S+\s+\| \S/);
    const raw = (await cli.ok(['service', 'logs', '--tail', '1', '--raw', 'web'], 15_000)).trim().split('\n');
    expect(raw).toHaveLength(2);
    for (const l of raw) expect(l).not.toContain(' | ');
    await cli.fails(['service', 'logs', 'nosuch'], 'no such task or service: nosuch');
  }, 60_000);
});

describe('service update', () => {
  it('--image waits for the rolling update and prints its progress', async () => {
    const out = await cli.ok(['service', 'update', '--image', 'nginx:1.27', 'web'], 60_000);
    const lines = progressLines(out);
    // the CLI prints what it was given, and polls it
    expect(lines[0]).toBe('web');
    expect(lines).toContain('overall progress: 2 out of 2 tasks');
    expect(lines.at(-1)).toBe('verify: Service web converged');
    // the updater marks it completed once its own monitor period is over, as swarmkit's does
    const status = [
      'service',
      'inspect',
      '--format',
      '{{.UpdateStatus.State}}|{{.PreviousSpec.TaskTemplate.ContainerSpec.Image}}',
      'web',
    ];
    await until(
      'the update completed',
      async () => (await cli.ok(status)).trim() === 'completed|nginx:alpine',
      20_000,
      200,
    );
    expect(await cli.ok(['service', 'inspect', '--pretty', 'web'])).toMatch(
      /\nUpdateStatus:\n State:\t\tcompleted\n Started:\t.+ ago\n Completed:\t.+ ago\n Message:\tupdate completed\nPlacement:\n/,
    );
    expect((await running('web', 2)).length).toBe(2);
  }, 70_000);

  it('--env-add/rm, --label-add/rm, --container-label-add/rm, --constraint-add/rm, --replicas, --publish-add/rm', async () => {
    const out = await cli.ok([
      'service', 'update', '-d',
      '--env-add', 'C=3', '--env-rm', 'A',
      '--label-add', 'team=core', '--label-rm', 'flag',
      '--container-label-add', 'd=2', '--container-label-rm', 'c',
      '--constraint-rm', 'node.role==worker', '--constraint-add', 'node.role!=manager',
      '--replicas', '3', '--replicas-max-per-node', '0',
      '--publish-add', '7070:70', '--publish-rm', '80', // by target port (the CLI's rule)
      'full',
    ]); // prettier-ignore
    expect(out).toBe('full\n');
    const s = await spec<{
      Labels: Record<string, string>;
      Mode: { Replicated: { Replicas: number } };
      TaskTemplate: {
        ContainerSpec: { Env: string[]; Labels: Record<string, string> };
        Placement: { Constraints: string[]; MaxReplicas?: number };
      };
      EndpointSpec: { Ports: unknown[] };
    }>('full');
    // the CLI rebuilds Env from a Go map: its order is random
    expect(s.TaskTemplate.ContainerSpec.Env.sort()).toEqual(['B=2', 'C=3']);
    expect(s.Labels).toEqual({ tier: 'web', team: 'core' });
    expect(s.TaskTemplate.ContainerSpec.Labels).toEqual({ d: '2' });
    expect(s.TaskTemplate.Placement.Constraints).toEqual(['node.role!=manager']);
    expect(s.TaskTemplate.Placement.MaxReplicas).toBeUndefined();
    expect(s.Mode).toEqual({ Replicated: { Replicas: 3 } });
    expect(s.EndpointSpec.Ports).toEqual([
      // the CLI sorts them by published:target/protocol
      { Protocol: 'tcp', TargetPort: 70, PublishedPort: 7070, PublishMode: 'ingress' },
      { Protocol: 'udp', TargetPort: 90, PublishedPort: 9090, PublishMode: 'host' },
    ]);
    await running('full', 3);
    expect(
      (await cli.ok(['service', 'ls', '--filter', 'name=full', '--format', '{{.Replicas}}|{{.Ports}}'])).trim(),
    ).toBe('3/3|*:7070->70/tcp');
  }, 60_000);

  it('--force bumps ForceUpdate and replaces the task, keeping the old one as history', async () => {
    const before = (await cli.ok(['service', 'ps', '-q', '--filter', 'desired-state=running', 'plain'])).trim();
    await cli.ok(['service', 'update', '-d', '--force', 'plain']);
    expect(
      (await cli.ok(['service', 'inspect', '--format', '{{.Spec.TaskTemplate.ForceUpdate}}', 'plain'])).trim(),
    ).toBe('1');
    await until(
      'plain.1 replaced',
      async () => {
        const now = (await cli.ok(['service', 'ps', '-q', '--filter', 'desired-state=running', 'plain'])).trim();
        return now && now !== before;
      },
      30_000,
      200,
    );
    const history = await cli.ok(['service', 'ps', '--format', '{{.Name}}|{{.DesiredState}}', 'plain']);
    expect(history).toMatch(/^plain\.1\|Running\nplain\.1\|Shutdown\n$/);
  }, 60_000);

  it('--rollback returns to the previous spec', async () => {
    await cli.ok(['service', 'update', '-d', '--rollback', 'full']);
    const s = await spec<{ Mode: { Replicated: { Replicas: number } }; Labels: Record<string, string> }>('full');
    expect(s.Mode).toEqual({ Replicated: { Replicas: 2 } });
    expect(s.Labels).toEqual({ tier: 'web', flag: '' });
    expect((await cli.ok(['service', 'inspect', '--format', '{{.UpdateStatus.Message}}', 'full'])).trim()).toBe(
      'manually requested rollback',
    );
  });

  it('a failing update: rollback is reported and converges back; pause ends the CLI with its text', async () => {
    // the simulated executor fails a task whose env asks for it (server/agent/executor/SIM.md)
    await cli.ok(
      [
        'service',
        'create',
        '-q',
        '--name',
        'flaky',
        '--replicas',
        '2',
        '--update-monitor',
        '1s',
        // the CLI sees rollback_started for at least this long, polling every 200 ms
        '--rollback-monitor',
        '3s',
        'busybox',
      ],
      60_000,
    );
    const rolled = await cli.ok(
      ['service', 'update', '--update-failure-action', 'rollback', '--env-add', 'SWARMDECK_SIM_FAIL=start', 'flaky'],
      60_000,
    );
    const lines = progressLines(rolled);
    expect(lines).toContainEqual(
      expect.stringMatching(/^rollback: update rolled back due to failure or early termination of task [0-9a-z]{25}$/),
    );
    expect(lines).toContain('overall progress: rolling back update: 2 out of 2 tasks');
    expect(lines.at(-1)).toBe('verify: Service flaky converged');
    await until(
      'the rollback completed',
      async () =>
        (await cli.ok(['service', 'inspect', '--format', '{{.UpdateStatus.State}}', 'flaky'])).trim() ===
        'rollback_completed',
      20_000,
      200,
    );
    // then the same failure with pause: the CLI stops with the updater's message (its spec stays the failing one)
    const paused = await cli.docker(
      ['service', 'update', '--update-failure-action', 'pause', '--env-add', 'SWARMDECK_SIM_FAIL=start', 'flaky'],
      60_000,
    );
    expect(paused.code).toBe(1);
    expect(paused.stderr).toMatch(
      /^service update paused: update paused due to failure or early termination of task [0-9a-z]{25}\n$/,
    );
    expect((await cli.ok(['service', 'inspect', '--format', '{{.UpdateStatus.State}}', 'flaky'])).trim()).toBe(
      'paused',
    );
    await cli.ok(['service', 'rm', 'flaky']);
  }, 120_000);

  it('an unknown service; an option dockerd refuses', async () => {
    await cli.fails(
      ['service', 'update', '--image', 'x', 'nosuch'],
      'Error response from daemon: service nosuch not found',
    );
    await cli.fails(
      ['service', 'update', '-d', '--restart-condition', 'sometimes', 'plain'],
      'Error response from daemon: invalid RestartCondition: "sometimes"',
    );
  });
});

describe('service rollback', () => {
  it("waits for the rollback, printing swarmkit's message, and restores the previous image", async () => {
    const out = await cli.ok(['service', 'rollback', 'web'], 60_000);
    const lines = progressLines(out);
    expect(lines[0]).toBe('web');
    expect(lines[1]).toBe('rollback: manually requested rollback');
    expect(lines).toContain('overall progress: rolling back update: 2 out of 2 tasks');
    expect(lines.at(-1)).toBe('verify: Service web converged');
    // the updater marks it completed once its own monitor period is over, as swarmkit's does
    const inspect = [
      'service',
      'inspect',
      '--format',
      '{{.Spec.TaskTemplate.ContainerSpec.Image}}|{{.UpdateStatus.State}}',
      'web',
    ];
    await until(
      'the rollback completed',
      async () => (await cli.ok(inspect)).trim() === 'nginx:alpine|rollback_completed',
      20_000,
      200,
    );
  }, 70_000);

  it('-d returns at once; no previous spec and an unknown service are refused', async () => {
    expect(await cli.ok(['service', 'rollback', '-d', 'web'])).toBe('web\n');
    // a rollback swaps Spec and PreviousSpec: a second one goes back to the update
    expect(
      (
        await cli.ok([
          'service',
          'inspect',
          '--format',
          '{{.Spec.TaskTemplate.ContainerSpec.Image}}|{{.PreviousSpec.TaskTemplate.ContainerSpec.Image}}',
          'web',
        ])
      ).trim(),
    ).toBe('nginx:1.27|nginx:alpine');
    const id = (await cli.ok(['service', 'inspect', '--format', '{{.ID}}', 'detached'])).trim();
    await cli.fails(
      ['service', 'rollback', '-d', 'detached'],
      `Error response from daemon: rpc error: code = FailedPrecondition desc = service ${id} does not have a previous spec`,
    );
    await cli.fails(['service', 'rollback', 'nosuch'], 'Error response from daemon: service nosuch not found');
  });
});

describe('service scale', () => {
  it('several services at once, each reported; waits unless -d', async () => {
    expect(await cli.ok(['service', 'scale', '-d', 'plain=2', 'quiet=0'])).toBe(
      'plain scaled to 2\nquiet scaled to 0\n',
    );
    await running('plain', 2);
    const out = await cli.ok(['service', 'scale', 'detached=2'], 60_000);
    const lines = progressLines(out);
    expect(lines[0]).toBe('detached scaled to 2');
    expect(lines.at(-1)).toBe('verify: Service detached converged');
    expect(
      (
        await cli.ok([
          'service',
          'ls',
          '--filter',
          'name=detached',
          '--filter',
          'name=quiet',
          '--format',
          '{{.Name}} {{.Replicas}}',
        ])
      ).trim(),
    ).toBe('detached 2/2\nquiet 0/0');
  }, 70_000);

  it('a global service, an unknown one and a bad count are refused each on its own line; the rest is scaled', async () => {
    const r = await cli.docker(['service', 'scale', '-d', 'everywhere=2', 'plain=1', 'nosuch=1', 'web=x']);
    expect(r.code).toBe(1);
    expect(r.stdout).toBe('plain scaled to 1\n');
    expect(r.stderr).toBe(
      [
        'everywhere: scale can only be used with replicated or replicated-job mode',
        'nosuch: Error response from daemon: service nosuch not found',
        'web: invalid replicas value x: strconv.ParseUint: parsing "x": invalid syntax',
        '',
      ].join('\n'),
    );
    expect(
      (await cli.ok(['service', 'inspect', '--format', '{{.Spec.Mode.Replicated.Replicas}}', 'plain'])).trim(),
    ).toBe('1');
    await cli.fails(
      ['service', 'scale', 'web'],
      "invalid scale specifier 'web'.\nSee 'docker service scale --help'.\n\nUsage:  docker service scale SERVICE=REPLICAS [SERVICE=REPLICAS...]\n\nScale one or multiple replicated services",
    );
  });
});

describe('service rm', () => {
  it('removes several, prints each; an unknown one is reported and the others still go', async () => {
    expect(await cli.ok(['service', 'rm', 'quiet', 'detached'])).toBe('quiet\ndetached\n');
    const r = await cli.fails(
      ['service', 'rm', 'nosuch', 'plain', 'gone'],
      'Error response from daemon: service nosuch not found\nError response from daemon: service gone not found',
    );
    expect(r.stdout).toBe('plain\n');
    const left = (await cli.ok(['service', 'ls', '--format', '{{.Name}}'])).trim().split('\n');
    expect(left).toEqual(['everywhere', 'full', 'web']);
    // its tasks go too
    await until(
      'plain tasks gone',
      async () => (await cli.docker(['service', 'ps', 'plain'])).stderr.includes('no such service: plain'),
      30_000,
      200,
    );
  }, 60_000);
});
