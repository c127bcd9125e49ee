// `docker network …` conformance: every command of the family and its common flags, run by the real
// docker CLI (28.2) against one swarmdeck server. Output is checked with --format where the default is a
// table (and the table headers once), exit codes and error texts as dockerd and swarmkit word them.
// Address allocation (subnets, VIPs, task addresses) and a follower's answers are in
// test/integration/docker-network.test.ts.

import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { until } from '../until';
import { startCliSession, tableRows, type CliSession } from './cli-session';

let cli: CliSession;
let appID = '';

/** A refusal as the CLI prints a daemon's error. */
const refused = (args: string[], message: string) => cli.fails(args, `Error response from daemon: ${message}`);

const raw = async (method: string, path: string, body?: unknown) => {
  const res = await fetch(`http://127.0.0.1:${cli.ports.engine}/v1.50${path}`, {
    method,
    headers: body === undefined ? {} : { 'Content-Type': 'application/json' },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  return { status: res.status, contentType: res.headers.get('content-type'), json: await res.json() };
};

const names = async (...args: string[]) =>
  (await cli.ok(['network', 'ls', ...args, '--format', '{{.Name}}'])).trim().split('\n').filter(Boolean);

beforeAll(async () => {
  cli = await startCliSession('cli-network', { simWorkers: 2 });
}, 120_000);

afterAll(async () => {
  await cli?.stop();
}, 30_000);

describe('network create', () => {
  it('-d overlay with --subnet/--gateway/--ip-range, --attachable, --internal, --label and --opt; prints the ID', async () => {
    const created = await cli.ok([
      'network', 'create', '-d', 'overlay',
      '--subnet', '10.20.0.0/24', '--gateway', '10.20.0.1', '--ip-range', '10.20.0.128/25',
      '--attachable', '--internal', '--label', 'tier=web', '--opt', 'encrypted',
      'appnet',
    ]); // prettier-ignore
    appID = created.trim();
    expect(created).toMatch(/^[0-9a-z]{25}\n$/);
    const [inspected] = await cli.json<Record<string, unknown>[]>(['network', 'inspect', 'appnet']);
    expect(inspected).toMatchObject({
      Name: 'appnet',
      Id: appID,
      Scope: 'swarm',
      Driver: 'overlay',
      Internal: true,
      Attachable: true,
      Ingress: false,
      Labels: { tier: 'web' },
      Options: expect.objectContaining({ encrypted: '' }),
      IPAM: {
        Driver: 'default',
        Options: null,
        Config: [{ Subnet: '10.20.0.0/24', IPRange: '10.20.0.128/25', Gateway: '10.20.0.1' }],
      },
    });
  });

  it('--driver overlay --scope swarm is the overlay default; --scope local is refused as dockerd refuses it', async () => {
    const id = (await cli.ok(['network', 'create', '--driver', 'overlay', '--scope', 'swarm', 'scoped'])).trim();
    expect((await cli.ok(['network', 'inspect', '--format', '{{.Id}} {{.Scope}} {{.Driver}}', 'scoped'])).trim()).toBe(
      `${id} swarm overlay`,
    );
    await refused(
      ['network', 'create', '-d', 'overlay', '--scope', 'local', 'x'],
      'cannot downgrade network scope for overlay networks',
    );
    await cli.ok(['network', 'rm', 'scoped']);
  });

  it('refuses what dockerd refuses, in its words, as 4xx JSON', async () => {
    await refused(['network', 'create', '-d', 'overlay', 'appnet'], 'network with name appnet already exists');
    await refused(
      ['network', 'create', '-d', 'overlay', 'bridge'],
      'operation is not permitted on predefined bridge network',
    );
    await refused(
      ['network', 'create', '-d', 'overlay', '--subnet', '10.30.0.1/24', 'x'],
      'invalid network config:\ninvalid subnet 10.30.0.1/24: it should be 10.30.0.0/24',
    );
    await refused(
      ['network', 'create', '-d', 'overlay', '--subnet', '10.20.0.0/16', 'x'],
      `rpc error: code = InvalidArgument desc = invalid pool request: Pool overlaps with other one on this address space: subnet 10.20.0.0/16 overlaps 10.20.0.0/24 of network appnet (${appID})`,
    );
    await refused(
      ['network', 'create', '-d', 'overlay', '--ipam-driver', 'foo', 'x'],
      'rpc error: code = InvalidArgument desc = plugin foo not supported',
    );
    const ingressID = (await cli.ok(['network', 'inspect', '--format', '{{.Id}}', 'ingress'])).trim();
    await refused(
      ['network', 'create', '-d', 'overlay', '--ingress', 'ingress2'],
      `rpc error: code = AlreadyExists desc = ingress network (${ingressID}) is already present`,
    );
    // Swarmdeck-only: a daemon-local driver has nothing to run on; the refusal says what to use instead
    await refused(
      ['network', 'create', 'local'],
      'network driver "bridge" would create a network local to one daemon, and Swarmdeck has only swarm-scoped networks: use the overlay driver (docker network create -d overlay …)',
    );
    await refused(
      ['network', 'create', '-d', 'overlay', '--ipv6', 'x'],
      "IPv6 is not supported: Swarmdeck's overlay networks are IPv4 only",
    );
    await refused(
      ['network', 'create', '--config-only', '--subnet', '10.40.0.0/24', 'x'],
      'config-only networks are local to a daemon, and Swarmdeck has only swarm-scoped networks: create an overlay network with its own --subnet instead',
    );
    const e = await raw('POST', '/networks/create', { Name: 'b', Driver: 'bridge' });
    expect([e.status, e.contentType]).toEqual([400, 'application/json']);
    const p = await raw('POST', '/networks/create', { Name: 'none' });
    expect([p.status, p.contentType, p.json]).toEqual([
      403,
      'application/json',
      { message: 'operation is not permitted on predefined none network ' },
    ]);
    expect(await names('--filter', 'scope=swarm')).toEqual(['appnet', 'ingress']);
  });
});

describe('network ls', () => {
  it('the default table: headers, 12-character IDs (full with --no-trunc), sorted by name', async () => {
    const rows = tableRows(await cli.ok(['network', 'ls']));
    expect(rows[0]).toEqual(['NETWORK ID', 'NAME', 'DRIVER', 'SCOPE']);
    expect(rows.slice(1).map((r) => r.slice(1))).toEqual([
      ['appnet', 'overlay', 'swarm'],
      ['bridge', 'bridge', 'local'],
      ['host', 'host', 'local'],
      ['ingress', 'overlay', 'swarm'],
      ['none', 'null', 'local'],
    ]);
    expect(rows[1]![0]).toBe(appID.slice(0, 12));
    const full = tableRows(await cli.ok(['network', 'ls', '--no-trunc']));
    expect(full[1]).toEqual([appID, 'appnet', 'overlay', 'swarm']);
    // the local stand-ins carry 64-hex IDs, as a daemon's own networks do
    expect(full[2]![0]).toMatch(/^[0-9a-f]{64}$/);
  });

  it('--filter driver, name, id, label, scope, type and dangling; -q; --format', async () => {
    expect(await names('--filter', 'driver=overlay')).toEqual(['appnet', 'ingress']);
    // name and id match a part (moby filters.Match)
    expect(await names('--filter', 'name=pne')).toEqual(['appnet']);
    expect(await names('--filter', `id=${appID.slice(3, 10)}`)).toEqual(['appnet']);
    expect(await names('--filter', 'label=tier=web')).toEqual(['appnet']);
    expect(await names('--filter', 'label=tier')).toEqual(['appnet']);
    expect(await names('--filter', 'label=tier=db')).toEqual([]);
    expect(await names('--filter', 'scope=local')).toEqual(['bridge', 'host', 'none']);
    expect(await names('--filter', 'type=builtin')).toEqual(['bridge', 'host', 'none']);
    expect(await names('--filter', 'type=custom')).toEqual(['appnet', 'ingress']);
    // nothing uses them yet
    expect(await names('--filter', 'dangling=true')).toEqual(['appnet', 'ingress']);
    expect(await names('--filter', 'dangling=false')).toEqual(['bridge', 'host', 'none']);
    expect((await cli.ok(['network', 'ls', '-q', '--filter', 'name=appnet'])).trim()).toBe(appID.slice(0, 12));
    expect((await cli.ok(['network', 'ls', '-q', '--filter', 'label=tier=web', '--no-trunc'])).trim()).toBe(appID);
    expect(
      (
        await cli.ok([
          'network',
          'ls',
          '--filter',
          'name=appnet',
          '--format',
          '{{.ID}}|{{.Name}}|{{.Driver}}|{{.Scope}}|{{.IPv4}}|{{.IPv6}}|{{.Internal}}|{{.Labels}}',
        ])
      ).trim(),
    ).toBe(`${appID.slice(0, 12)}|appnet|overlay|swarm|true|false|true|tier=web`);
  });

  it('refuses a filter dockerd does not know, or a bad value, in its words', async () => {
    await refused(['network', 'ls', '--filter', 'colour=red'], "invalid filter 'colour'");
    await refused(['network', 'ls', '--filter', 'type=bogus'], "invalid filter: 'type'='bogus'");
    await refused(
      ['network', 'ls', '--filter', 'dangling=maybe'],
      `invalid value for filter 'dangling', must be "true" (or "1"), or "false" (or "0")`,
    );
  });
});

describe('network inspect', () => {
  it('--format over several networks, by name, ID and ID prefix; -v on a swarm network', async () => {
    expect(
      await cli.ok([
        'network',
        'inspect',
        '--format',
        '{{.Name}} {{.Scope}} {{.Driver}} {{.Attachable}} {{.Internal}}',
        'appnet',
        appID,
        appID.slice(0, 8),
        'bridge',
      ]),
    ).toBe('appnet swarm overlay true true\n'.repeat(3) + 'bridge local bridge false false\n');
    // -v adds what the store knows of the services on it (none yet)
    const [verbose] = await cli.json<{ Id: string; Services?: Record<string, unknown> }[]>([
      'network',
      'inspect',
      '-v',
      appID.slice(0, 8),
    ]);
    expect(verbose!.Id).toBe(appID);
  });

  it("an ID prefix two networks share is refused in dockerd's words (inspect and rm word it differently)", async () => {
    // IDs are random: create networks until two share a first character; 36 more make that certain
    const firstChars = async (...filter: string[]) =>
      (await cli.ok(['network', 'ls', '-q', ...filter]))
        .split('\n')
        .filter(Boolean)
        .map((id) => id[0]!);
    const made: string[] = [];
    let shared: string | undefined;
    while (!shared && made.length < 37) {
      made.push(`amb${made.length}`);
      await cli.ok(['network', 'create', '-d', 'overlay', made.at(-1)!]);
      // among swarm networks: one swarm match wins over local ones for inspect (dockerd's getNetwork)
      const seen = await firstChars('--filter', 'scope=swarm');
      shared = seen.find((c, i) => seen.indexOf(c) !== i);
    }
    expect(shared).toBeDefined();
    const n = (await firstChars()).filter((c) => c === shared).length;
    await refused(
      ['network', 'inspect', shared!],
      `${n} matches found based on ID prefix: network ${shared} is ambiguous`,
    );
    const rm = await cli.docker(['network', 'rm', shared!]);
    expect([rm.code, rm.stderr]).toEqual([
      1,
      `Error response from daemon: network ${shared} is ambiguous (${n} matches found based on ID prefix)\nexit status 1\n`,
    ]);
    expect((await firstChars()).filter((c) => c === shared)).toHaveLength(n);
    expect(await cli.ok(['network', 'rm', ...made])).toBe(made.map((m) => `${m}\n`).join(''));
  }, 60_000);

  it('an unknown network: the known ones are printed, then the error, exit 1', async () => {
    await refused(['network', 'inspect', 'nonet'], 'network nonet not found');
    const r = await refused(
      ['network', 'inspect', '--format', '{{.Name}}', 'nonet', 'ingress'],
      'network nonet not found',
    );
    expect(r.stdout).toBe('ingress\n');
  });
});

describe('network connect and disconnect', () => {
  // dockerd looks the container up first; Swarmdeck runs no containers, so it answers as dockerd does
  // for a container it does not have
  it('answer as dockerd does without the container', async () => {
    await refused(['network', 'connect', 'appnet', 'c1'], 'No such container: c1');
    await refused(['network', 'connect', '--alias', 'a', 'nonet', 'c1'], 'No such container: c1');
    await refused(['network', 'disconnect', 'appnet', 'c1'], 'No such container: c1');
    // --force deletes the endpoint by name instead: the network must exist, the endpoint never does
    await refused(['network', 'disconnect', '--force', 'appnet', 'c1'], 'endpoint c1 not found');
    await refused(['network', 'disconnect', '--force', 'nonet', 'c1'], 'network nonet not found');
  });
});

describe('networks in use by services', () => {
  it('service create --network (with an alias) and update --network-add/--network-rm round-trip; rm refuses while in use', async () => {
    await cli.ok(['network', 'create', '-d', 'overlay', 'backnet']);
    const backID = (await cli.ok(['network', 'inspect', '--format', '{{.Id}}', 'backnet'])).trim();
    await cli.ok(['service', 'create', '-d', '--name', 'web', '--network', 'name=appnet,alias=www', 'nginx:alpine']);
    const nets = async () =>
      JSON.parse(await cli.ok(['service', 'inspect', '--format', '{{json .Spec.TaskTemplate.Networks}}', 'web']));
    expect(await nets()).toEqual([{ Target: appID, Aliases: ['www'] }]);
    expect(await cli.ok(['service', 'inspect', '--pretty', 'web'])).toMatch(/^Networks:\s*appnet\s*$/m);
    const svcID = (await cli.ok(['service', 'inspect', '--format', '{{.ID}}', 'web'])).trim();
    // network rm prints each failure, then its exit status
    const inUse = await cli.docker(['network', 'rm', 'appnet']);
    expect([inUse.code, inUse.stderr]).toEqual([
      1,
      `Error response from daemon: rpc error: code = FailedPrecondition desc = network ${appID} is in use by service ${svcID}\nexit status 1\n`,
    ]);
    expect(await names('--filter', 'dangling=false', '--filter', 'scope=swarm')).toEqual(['appnet']);

    await cli.ok(['service', 'update', '-d', '--network-add', 'backnet', '--network-rm', 'appnet', 'web']);
    expect(await nets()).toEqual([{ Target: backID }]);
    expect(await cli.ok(['service', 'inspect', '--pretty', 'web'])).toMatch(/^Networks:\s*backnet\s*$/m);
    await cli.fails(
      ['service', 'update', '-d', '--network-add', 'backnet', 'web'],
      'service is already attached to network backnet',
    );
    await refused(
      ['service', 'create', '-d', '--name', 'w2', '--network', 'nonet', 'nginx'],
      'network nonet not found',
    );
    // swarm keeps predefined swarm-scoped bridge and host networks that the CLI's lookup (scope=swarm)
    // finds; Swarmdeck runs no container networking and has none, so the lookup finds nothing, and a
    // spec naming one directly gets dockerd's populateNetworkID refusal
    await refused(
      ['service', 'create', '-d', '--name', 'w2', '--network', 'bridge', 'nginx'],
      'network bridge not found',
    );
    const direct = await raw('POST', '/services/create', {
      Name: 'w2',
      TaskTemplate: { ContainerSpec: { Image: 'nginx' }, Networks: [{ Target: 'bridge' }] },
    });
    expect([direct.status, direct.contentType, direct.json]).toEqual([
      403,
      'application/json',
      {
        message:
          'The network bridge cannot be used with services. Only networks scoped to the swarm can be used, such as those created with the overlay driver.',
      },
    ]);

    // appnet is free once no task of the old spec is meant to run on it
    await until(
      'appnet removable once the old tasks stopped',
      async () => (await cli.docker(['network', 'rm', 'appnet'])).code === 0,
      60_000,
      250,
    );
    await refused(['network', 'inspect', 'appnet'], 'network appnet not found');
  }, 90_000);
});

describe('network rm', () => {
  it('several at once: each removed one printed, each failure reported, then exit status 1', async () => {
    await cli.ok(['network', 'create', '-d', 'overlay', 'rm1']);
    await cli.ok(['network', 'create', '-d', 'overlay', 'rm2']);
    const r = await cli.docker(['network', 'rm', 'rm1', 'nonet', 'rm2']);
    expect([r.code, r.stdout, r.stderr]).toEqual([
      1,
      'rm1\nrm2\n',
      'Error response from daemon: network nonet not found\nexit status 1\n',
    ]);
    expect(await names('--filter', 'name=rm')).toEqual([]);
  });

  it('-f ignores an unknown network; predefined ones stay; ingress asks first', async () => {
    expect(await cli.ok(['network', 'rm', '-f', 'nonet'])).toBe('');
    const bridge = await cli.docker(['network', 'rm', 'bridge']);
    expect([bridge.code, bridge.stderr]).toEqual([
      1,
      'Error response from daemon: bridge is a pre-defined network and cannot be removed\nexit status 1\n',
    ]);
    // the CLI's prompt for the routing mesh; no answer (stdin closed) keeps it
    const ingress = await cli.docker(['network', 'rm', 'ingress']);
    expect(ingress.code).toBe(0);
    expect(ingress.stdout).toBe(
      'WARNING! Before removing the routing-mesh network, make sure all the nodes in your swarm run the same docker engine version. Otherwise, removal may not be effective and functionality of newly create ingress networks will be impaired.\nAre you sure you want to continue? [y/N] ',
    );
    expect(await names('--filter', 'name=ingress')).toEqual(['ingress']);
  });
});

describe('network prune', () => {
  it('removes the unused swarm networks only (-f, --filter label!=, until), and prints them', async () => {
    await cli.ok(['network', 'create', '-d', 'overlay', 'spare1']);
    await cli.ok(['network', 'create', '-d', 'overlay', '--label', 'keep=1', 'spare2']);
    // nothing is older than an hour: nothing to prune, nothing printed
    expect(await cli.ok(['network', 'prune', '-f', '--filter', 'until=1h'])).toBe('');
    expect(await cli.ok(['network', 'prune', '-f', '--filter', 'label!=keep'])).toBe('Deleted Networks:\nspare1\n\n');
    expect(await names()).toEqual(['backnet', 'bridge', 'host', 'ingress', 'none', 'spare2']);
    await cli.ok(['service', 'rm', 'web']);
    await until(
      'backnet pruned once web is gone',
      async () => (await cli.ok(['network', 'prune', '-f'])).includes('backnet'),
      60_000,
      250,
    );
    // prune leaves the routing mesh
    expect(await names('--filter', 'scope=swarm')).toEqual(['ingress']);
  }, 90_000);

  it('refuses a filter prune does not take', async () => {
    await refused(['network', 'prune', '-f', '--filter', 'colour=red'], "invalid filter 'colour'");
    await refused(
      ['network', 'prune', '-f', '--filter', 'until=yesterday'],
      'failed to parse value as time or duration: "yesterday"',
    );
  });
});
