// CLI conformance for the `docker stack` family: the unmodified docker CLI 28.2 converts compose files
// itself and drives the normal endpoints with `com.docker.stack.namespace` label filters, so this is
// where label filters, spec round-trips and removal order meet. Output, exit codes and error texts are
// docker's (docker/cli cli/command/stack). One server with simulated workers: no image is pulled.

import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { until } from '../until';
import { startCliSession, type CliSession } from './cli-session';
import { startRecordingProxy } from '../recording-proxy';

const FIXTURES = fileURLToPath(new URL('./fixtures/', import.meta.url));
const VOTING_APP = join(FIXTURES, 'voting-app', 'docker-stack.yml');
const EVERY_OPTION = join(FIXTURES, 'every-option', 'docker-stack.yml');
const NS = 'com.docker.stack.namespace';
/** What `stack deploy` prints on stderr without --detach (28.2 deploys detached by default). */
const DETACH_NOTICE =
  'Since --detach=false was not specified, tasks will be created in the background.\n' +
  'In a future release, --detach=false will become the default.\n';

interface Spec {
  Name: string;
  Labels?: Record<string, string>;
  TaskTemplate: {
    ContainerSpec: { Image: string; Env?: string[] } & Record<string, unknown>;
    Networks?: { Target: string; Aliases?: string[] }[];
  } & Record<string, unknown>;
  [k: string]: unknown;
}
interface ServiceObject {
  ID: string;
  Version: { Index: number };
  Spec: Spec;
  PreviousSpec?: Spec;
}

const lines = (s: string): string[] => s.split('\n').filter(Boolean);

/** A JSON value as Go decodes it into a struct: null, false, 0, "" and empty objects or lists are all absent. */
function goValue(v: unknown): unknown {
  if (Array.isArray(v)) return v.length ? v.map(goValue) : undefined;
  if (v && typeof v === 'object') {
    const out = Object.fromEntries(
      Object.entries(v)
        .map(([k, x]) => [k, goValue(x)] as const)
        .filter(([, x]) => x !== undefined),
    );
    return Object.keys(out).length ? out : undefined;
  }
  return v === null || v === false || v === 0 || v === '' ? undefined : v;
}

describe('docker stack', () => {
  let cli: CliSession;

  const filter = (f: Record<string, string[]>) =>
    encodeURIComponent(JSON.stringify(Object.fromEntries(Object.entries(f).map(([k, v]) => [k, v]))));
  /** The stack's services as the API stores them (no defaults inserted), by name. */
  const stackServices = async (stack: string): Promise<Map<string, ServiceObject>> => {
    const list = await cli.api<ServiceObject[]>(`/services?filters=${filter({ label: [`${NS}=${stack}`] })}`);
    return new Map(list.map((s) => [s.Spec.Name, s]));
  };
  const deploy = (stack: string, files: string[], extra: string[] = []) =>
    cli.succeeds(['stack', 'deploy', ...extra, ...files.flatMap((f) => ['-c', f]), stack]);
  /** `stack ps` rows of tasks meant to run, once every one of them runs. */
  const runningTasks = (stack: string, expected: number, timeoutMs = 30_000) =>
    until(
      `${expected} running tasks in stack ${stack}`,
      async () => {
        const fmt = '{{.ID}}|{{.Name}}|{{.Image}}|{{.Node}}|{{.CurrentState}}';
        const rows = lines(
          await cli.ok(['stack', 'ps', '--no-trunc', '--filter', 'desired-state=running', '--format', fmt, stack]),
        ).map((l) => l.split('|') as [string, string, string, string, string]);
        return rows.length === expected && rows.every((r) => r[4].startsWith('Running')) ? rows : undefined;
      },
      timeoutMs,
      250,
    );
  /**
   * Until the allocator has given every service of the stack its VIPs. That write bumps the
   * service's version, as in swarmkit, so a re-deploy whose CLI read the services before it
   * fails with "update out of sequence" (dockerd does the same, in a narrower window).
   */
  const allocated = (stack: string) =>
    until(`the services of stack ${stack} allocated`, async () => {
      const list = await cli.api<(ServiceObject & { Endpoint?: { VirtualIPs?: unknown[] } })[]>(
        `/services?filters=${filter({ label: [`${NS}=${stack}`] })}`,
      );
      const vips = (s: (typeof list)[number]) =>
        s.Spec.EndpointSpec && (s.Spec.EndpointSpec as { Mode?: string }).Mode === 'dnsrr'
          ? Infinity
          : (s.Endpoint?.VirtualIPs?.length ?? 0);
      return list.every((s) => vips(s) >= (s.Spec.TaskTemplate.Networks?.length ?? 0));
    });
  /** What carries the stack's label: networks, secrets and configs, as `kind name` lines. */
  const leftovers = async (stack: string): Promise<string[]> => {
    const out: string[] = [];
    for (const kind of ['network', 'secret', 'config']) {
      const names = await cli.ok([kind, 'ls', '--filter', `label=${NS}=${stack}`, '--format', '{{.Name}}']);
      out.push(...lines(names).map((n) => `${kind} ${n}`));
    }
    return out;
  };

  beforeAll(async () => {
    cli = await startCliSession('stack', { simWorkers: 3 });
  }, 90_000);

  afterAll(async () => {
    await cli?.stop();
  }, 30_000);

  describe('the voting app', () => {
    it('deploys its networks, secret, config and five services, in that order', async () => {
      const r = await deploy('vote', [VOTING_APP]);
      expect(r.stderr).toBe(DETACH_NOTICE);
      const out = lines(r.stdout);
      // networks first (in Go's map order), then secrets, configs and services
      const kinds = out.map((l) => l.split(' ')[1]);
      expect(kinds).toEqual([...kinds].sort((a, b) => order(a) - order(b)));
      expect([...out].sort()).toEqual([
        'Creating config vote_result_settings',
        'Creating network vote_backend',
        'Creating network vote_frontend',
        'Creating secret vote_db_password',
        'Creating service vote_db',
        'Creating service vote_redis',
        'Creating service vote_result',
        'Creating service vote_vote',
        'Creating service vote_worker',
      ]);
      expect(await leftovers('vote')).toEqual([
        'network vote_backend',
        'network vote_frontend',
        'secret vote_db_password',
        'config vote_result_settings',
      ]);
    });

    it('runs every replica where its placement says; stack ls, services and ps show them', async () => {
      const rows = await runningTasks('vote', 7);
      expect(rows.map((r) => `${r[1]} ${r[2]}`).sort()).toEqual([
        'vote_db.1 postgres:15-alpine',
        'vote_redis.1 redis:alpine',
        'vote_result.1 dockersamples/examplevotingapp_result:latest',
        'vote_vote.1 dockersamples/examplevotingapp_vote:latest',
        'vote_vote.2 dockersamples/examplevotingapp_vote:latest',
        'vote_worker.1 dockersamples/examplevotingapp_worker:latest',
        'vote_worker.2 dockersamples/examplevotingapp_worker:latest',
      ]);
      const node = (name: string) => rows.filter((r) => r[1].startsWith(name)).map((r) => r[3]);
      const self = (await cli.ok(['node', 'inspect', 'self', '--format', '{{.Description.Hostname}}'])).trim();
      expect(node('vote_db.')).toEqual([self]);
      expect(node('vote_worker.').every((n) => n.startsWith('sim-worker-'))).toBe(true);

      expect(await cli.ok(['stack', 'ls'])).toBe('NAME      SERVICES\nvote      5\n');
      const services = await cli.ok([
        'stack',
        'services',
        '--format',
        '{{.Name}}|{{.Mode}}|{{.Replicas}}|{{.Image}}|{{.Ports}}',
        'vote',
      ]);
      expect(services).toBe(
        [
          'vote_db|replicated|1/1|postgres:15-alpine|',
          'vote_redis|replicated|1/1|redis:alpine|',
          'vote_result|replicated|1/1|dockersamples/examplevotingapp_result:latest|*:5001->80/tcp',
          'vote_vote|replicated|2/2|dockersamples/examplevotingapp_vote:latest|*:5000->80/tcp',
          'vote_worker|replicated|2/2|dockersamples/examplevotingapp_worker:latest|',
          '',
        ].join('\n'),
      );

      // the compose file's references, resolved by the server: networks by name, secret and config by ID
      const svc = await stackServices('vote');
      const nets = new Map(
        (await cli.api<{ Id: string; Name: string }[]>(`/networks?filters=${filter({ label: [`${NS}=vote`] })}`)).map(
          (n) => [n.Name, n.Id],
        ),
      );
      expect(svc.get('vote_worker')!.Spec.TaskTemplate.Networks).toEqual([
        { Target: nets.get('vote_backend'), Aliases: ['worker'] },
        { Target: nets.get('vote_frontend'), Aliases: ['worker'] },
      ]);
      const secret = JSON.parse(await cli.ok(['secret', 'inspect', 'vote_db_password']))[0] as { ID: string };
      expect(svc.get('vote_db')!.Spec.TaskTemplate.ContainerSpec.Secrets).toEqual([
        {
          File: { Name: 'db_password', UID: '0', GID: '0', Mode: 0o444 },
          SecretID: secret.ID,
          SecretName: 'vote_db_password',
        },
      ]);
      expect(svc.get('vote_worker')!.Spec.Labels).toEqual({
        APP: 'VOTING',
        'com.docker.stack.image': 'dockersamples/examplevotingapp_worker',
        [NS]: 'vote',
      });
    }, 40_000);

    it('re-deploys with one service changed: only that service gets a new spec and new tasks', async () => {
      const before = await stackServices('vote');
      const tasksBefore = await runningTasks('vote', 7);
      const override = cli.file(
        'vote-override.yml',
        [
          'version: "3.9"',
          'services:',
          '  vote:',
          '    image: dockersamples/examplevotingapp_vote:before',
          '    environment:',
          '      OPTION_A: Birds',
          '',
        ].join('\n'),
      );
      const r = await deploy('vote', [VOTING_APP, override]);
      expect(r.stderr).toBe(DETACH_NOTICE);
      expect([...lines(r.stdout)].sort()).toEqual(
        [...before.values()].map((s) => `Updating service ${s.Spec.Name} (id: ${s.ID})`).sort(),
      );

      const after = await stackServices('vote');
      for (const [name, s] of after) {
        const old = before.get(name)!;
        expect(s.Version.Index, name).toBeGreaterThan(old.Version.Index);
        expect(s.PreviousSpec, name).toEqual(old.Spec);
        if (name === 'vote_vote') continue;
        expect(s.Spec, name).toEqual(old.Spec);
      }
      const vote = after.get('vote_vote')!;
      const oldVote = before.get('vote_vote')!;
      expect(vote.Spec).toEqual({
        ...oldVote.Spec,
        Labels: { ...oldVote.Spec.Labels, 'com.docker.stack.image': 'dockersamples/examplevotingapp_vote:before' },
        TaskTemplate: {
          ...oldVote.Spec.TaskTemplate,
          ContainerSpec: {
            ...oldVote.Spec.TaskTemplate.ContainerSpec,
            Image: 'dockersamples/examplevotingapp_vote:before',
            Env: ['OPTION_A=Birds', 'OPTION_B=Dogs'],
          },
        },
      });

      // the two vote replicas are replaced; every other task keeps running untouched
      const rows = await until(
        'the vote replicas on the new image',
        async () => {
          const now = await runningTasks('vote', 7);
          return now.filter((t) => t[1].startsWith('vote_vote.')).every((t) => t[2].endsWith(':before'))
            ? now
            : undefined;
        },
        30_000,
        250,
      );
      const ids = (list: string[][], voteOnly: boolean) =>
        list.filter((t) => t[1]!.startsWith('vote_vote.') === voteOnly).map((t) => t[0]);
      expect(ids(rows, false).sort()).toEqual(ids(tasksBefore, false).sort());
      expect(ids(rows, true).some((id) => ids(tasksBefore, true).includes(id))).toBe(false);
      const history = lines(await cli.ok(['stack', 'ps', 'vote'])).filter((l) => l.includes(' \\_ vote_vote.'));
      expect(history).toHaveLength(2);
      expect(history.every((l) => /examplevotingapp_vote:latest\s+\S+\s+Shutdown/.test(l))).toBe(true);
    }, 60_000);

    it('stack rm removes services, secret, config and networks with no error, leaving nothing', async () => {
      const r = await cli.succeeds(['stack', 'rm', 'vote']);
      expect(r.stderr).toBe('');
      const out = lines(r.stdout);
      expect(out.slice(0, 7)).toEqual([
        'Removing service vote_db',
        'Removing service vote_redis',
        'Removing service vote_result',
        'Removing service vote_vote',
        'Removing service vote_worker',
        'Removing secret vote_db_password',
        'Removing config vote_result_settings',
      ]);
      expect(out.slice(7).sort()).toEqual(['Removing network vote_backend', 'Removing network vote_frontend']);
      expect(await leftovers('vote')).toEqual([]);
      expect(await cli.ok(['stack', 'ls'])).toBe('NAME      SERVICES\n');
      // the tasks go once stopped and reaped; then the stack is gone for `stack ps` too
      await until(
        'the stack tasks to be reaped',
        async () => (await cli.docker(['stack', 'ps', 'vote'])).stderr === 'nothing found in stack: vote\n',
        30_000,
        250,
      );
    }, 45_000);
  });

  describe('every compose option', () => {
    it('reaches the spec, and a re-deploy of the same file sends back exactly what was stored', async () => {
      // deployed through a proxy that keeps what the CLI sends
      const proxy = await startRecordingProxy(cli.ports.engine);
      const r = await cli.dockerAt(proxy.port)(['stack', 'deploy', '-c', EVERY_OPTION, 'opts']);
      await proxy.close();
      expect([r.code, r.stderr]).toEqual([0, DETACH_NOTICE]);
      await allocated('opts');
      const first = await stackServices('opts');

      // every field the CLI sent is stored as sent (network names become IDs; zero values count as absent)
      const netIDs = new Map(
        (await cli.api<{ Id: string; Name: string }[]>(`/networks?filters=${filter({ label: [`${NS}=opts`] })}`)).map(
          (n) => [n.Name, n.Id],
        ),
      );
      const created = proxy.requests.filter((q) => q.method === 'POST' && q.url.endsWith('/services/create'));
      expect(created).toHaveLength(3);
      for (const { body } of created) {
        const sent = body as Spec;
        const withIDs: Spec = {
          ...sent,
          TaskTemplate: {
            ...sent.TaskTemplate,
            Networks: sent.TaskTemplate.Networks?.map((n) => ({ ...n, Target: netIDs.get(n.Target) ?? n.Target })),
          },
        };
        expect(goValue(first.get(sent.Name)!.Spec), sent.Name).toMatchObject(goValue(withIDs) as object);
      }
      expect([...first.keys()].sort()).toEqual(['opts_agent', 'opts_plain', 'opts_web']);
      const web = first.get('opts_web')!.Spec;
      const task = web.TaskTemplate;
      const cs = task.ContainerSpec;
      expect(web.Mode).toEqual({ Replicated: { Replicas: 2 } });
      expect(web.Labels).toEqual({
        'com.example.service': 'web',
        'com.docker.stack.image': 'nginx:alpine',
        [NS]: 'opts',
      });
      expect(cs.Labels).toEqual({ 'com.example.container': 'one', [NS]: 'opts' });
      expect([cs.Command, cs.Args, cs.Env]).toEqual([
        ['/docker-entrypoint.sh'],
        ['nginx', '-g', 'daemon off;'],
        ['EMPTY=', 'FOO=bar'],
      ]);
      expect([cs.Hostname, cs.User, cs.Dir, cs.StopSignal, cs.StopGracePeriod]).toEqual([
        'webhost',
        '1000:1000',
        '/srv',
        'SIGINT',
        20e9,
      ]);
      expect([cs.Init, cs.ReadOnly, cs.TTY, cs.OpenStdin]).toEqual([true, true, true, true]);
      expect(cs.Healthcheck).toEqual({
        Test: ['CMD-SHELL', 'true'],
        Interval: 10e9,
        Timeout: 5e9,
        StartPeriod: 30e9,
        StartInterval: 2e9,
        Retries: 3,
      });
      expect(cs.DNSConfig).toEqual({ Nameservers: ['192.0.2.53'], Search: ['example.com'] });
      expect(cs.Hosts).toEqual(['192.0.2.10 somehost']);
      expect([cs.CapabilityAdd, cs.CapabilityDrop]).toEqual([['CAP_NET_ADMIN'], ['CAP_MKNOD']]);
      expect(cs.Sysctls).toEqual({ 'net.core.somaxconn': '1024' });
      expect(cs.Ulimits).toEqual([
        { Name: 'nofile', Soft: 20000, Hard: 40000 },
        { Name: 'nproc', Soft: 65535, Hard: 65535 },
      ]);
      expect((cs.Mounts as { Type: string; Target: string }[]).map((m) => `${m.Type} ${m.Target}`)).toEqual([
        'volume /data',
        'bind /host-tmp',
        'tmpfs /cache',
        'volume /scratch',
      ]);
      expect(cs.Secrets).toMatchObject([
        { File: { Name: 'api-key', UID: '103', GID: '103', Mode: 0o440 }, SecretName: 'opts_api_key' },
      ]);
      expect(cs.Configs).toMatchObject([
        { File: { Name: '/etc/site.conf', UID: '0', GID: '0', Mode: 0o444 }, ConfigName: 'opts_site' },
      ]);
      expect(task.Resources).toEqual({
        Limits: { NanoCPUs: 5e8, MemoryBytes: 50 * 1024 * 1024, Pids: 100 },
        Reservations: { NanoCPUs: 2.5e8, MemoryBytes: 20 * 1024 * 1024 },
      });
      expect(task.RestartPolicy).toEqual({ Condition: 'on-failure', Delay: 5e9, MaxAttempts: 3, Window: 120e9 });
      expect(task.Placement).toEqual({
        Constraints: ['node.role == worker', 'node.labels.zone != z9'],
        Preferences: [
          { Spread: { SpreadDescriptor: 'node.labels.zone' } },
          { Spread: { SpreadDescriptor: 'node.labels.rack' } },
        ],
        MaxReplicas: 1,
      });
      expect(task.LogDriver).toEqual({ Name: 'json-file', Options: { 'max-size': '10m' } });
      expect(web.UpdateConfig).toEqual({
        Parallelism: 2,
        Delay: 10e9,
        FailureAction: 'rollback',
        Monitor: 30e9,
        MaxFailureRatio: 0.3,
        Order: 'start-first',
      });
      expect(web.RollbackConfig).toEqual({
        Parallelism: 1,
        Delay: 5e9,
        FailureAction: 'continue',
        Monitor: 10e9,
        MaxFailureRatio: 0.1,
        Order: 'stop-first',
      });
      expect(web.EndpointSpec).toEqual({
        Mode: 'vip',
        // the CLI sorts them
        Ports: [
          { Protocol: 'udp', TargetPort: 53, PublishedPort: 18053, PublishMode: 'ingress' },
          { Protocol: 'tcp', TargetPort: 80, PublishedPort: 18081, PublishMode: 'ingress' },
          { Protocol: 'tcp', TargetPort: 443, PublishedPort: 18443, PublishMode: 'host' },
        ],
      });
      expect(first.get('opts_agent')!.Spec.Mode).toEqual({ Global: {} });
      expect(first.get('opts_agent')!.Spec.EndpointSpec).toEqual({ Mode: 'dnsrr' });

      const front = JSON.parse(await cli.ok(['network', 'inspect', 'opts_front']))[0];
      expect(front).toMatchObject({
        Driver: 'overlay',
        Scope: 'swarm',
        Attachable: true,
        Internal: false,
        Labels: { 'com.example.network': 'front', [NS]: 'opts' },
        IPAM: { Config: [{ Subnet: '10.201.7.0/24' }] },
      });
      expect(front.Options.encrypted).toBe('');
      expect(JSON.parse(await cli.ok(['network', 'inspect', 'opts_back']))[0]).toMatchObject({
        Internal: true,
        Labels: { [NS]: 'opts' },
      });
      const secret = JSON.parse(await cli.ok(['secret', 'inspect', 'opts_api_key']))[0];
      expect(secret.Spec.Labels).toEqual({ 'com.example.secret': 'api', [NS]: 'opts' });
      const site = JSON.parse(await cli.ok(['config', 'inspect', 'opts_site']))[0];
      expect(site.Spec).toMatchObject({
        Labels: { 'com.example.config': 'site', [NS]: 'opts' },
        Templating: { Name: 'golang' },
        Data: Buffer.from('listen 80;\n').toString('base64'),
      });

      // the CLI re-sends each spec it converts; the server must take it back unchanged
      await deploy('opts', [EVERY_OPTION]);
      for (const [name, s] of await stackServices('opts')) {
        expect(s.Version.Index, name).toBeGreaterThan(first.get(name)!.Version.Index);
        expect(s.Spec, name).toEqual(first.get(name)!.Spec);
        expect(s.PreviousSpec, name).toEqual(first.get(name)!.Spec);
      }
      await cli.ok(['stack', 'rm', 'opts']);
      expect(await leftovers('opts')).toEqual([]);
    }, 40_000);
  });

  describe('commands and flags', () => {
    /** Two services on two networks, with a secret and a config: the smallest stack with every kind. */
    const small = () =>
      cli.file(
        'small.yml',
        [
          'version: "3.8"',
          'services:',
          '  web:',
          '    image: nginx:alpine',
          '    networks: [front, back]',
          '    secrets: [token]',
          '    configs: [site]',
          '    deploy: { replicas: 2 }',
          '  cache:',
          '    image: redis:alpine',
          '    networks: [back]',
          'networks:',
          '  front:',
          '  back:',
          'secrets:',
          '  token: { file: ./token.txt }',
          'configs:',
          '  site: { file: ./site.conf }',
          '',
        ].join('\n'),
      );

    beforeAll(() => {
      cli.file('token.txt', 't0ken\n');
      cli.file('site.conf', 'listen 80;\n');
    });

    it('stack rm right after deploy removes every network, secret and config, every time', async () => {
      for (let round = 0; round < 3; round++) {
        await deploy('quick', [small()]);
        // the first round removes before any task runs; the others once every task is attached and running
        if (round > 0) await runningTasks('quick', 3);
        const r = await cli.docker(['stack', 'rm', 'quick']);
        expect({ round, code: r.code, stderr: r.stderr }).toEqual({ round, code: 0, stderr: '' });
        expect(lines(r.stdout).sort()).toEqual([
          'Removing config quick_site',
          'Removing network quick_back',
          'Removing network quick_front',
          'Removing secret quick_token',
          'Removing service quick_cache',
          'Removing service quick_web',
        ]);
        expect(await leftovers('quick')).toEqual([]);
      }
    }, 60_000);

    it('stack ls, services and ps: tables, --format, -q, --filter, --no-trunc, --no-resolve', async () => {
      await deploy('alpha', [small()]);
      await deploy('beta2', [small()]);
      await deploy('beta10', [small()]);
      const rows = await runningTasks('alpha', 3);

      // natural sort: beta2 before beta10
      expect(await cli.ok(['stack', 'ls'])).toBe('NAME      SERVICES\nalpha     2\nbeta2     2\nbeta10    2\n');
      expect(await cli.ok(['stack', 'ls', '--format', '{{.Name}}:{{.Services}}'])).toBe('alpha:2\nbeta2:2\nbeta10:2\n');
      expect(JSON.parse(lines(await cli.ok(['stack', 'ls', '--format', 'json']))[0]!)).toEqual({
        Name: 'alpha',
        Services: '2',
      });

      const services = await stackServices('alpha');
      const id = (name: string) => services.get(name)!.ID;
      const table = lines(await cli.ok(['stack', 'services', 'alpha']));
      expect(table[0]).toMatch(/^ID\s+NAME\s+MODE\s+REPLICAS\s+IMAGE\s+PORTS$/);
      expect(table.slice(1).map((l) => l.split(/\s+/).slice(0, 5))).toEqual([
        [id('alpha_cache').slice(0, 12), 'alpha_cache', 'replicated', '1/1', 'redis:alpine'],
        [id('alpha_web').slice(0, 12), 'alpha_web', 'replicated', '2/2', 'nginx:alpine'],
      ]);
      expect(await cli.ok(['stack', 'services', '-q', 'alpha'])).toBe(
        `${id('alpha_cache').slice(0, 12)}\n${id('alpha_web').slice(0, 12)}\n`,
      );
      expect(await cli.ok(['stack', 'services', '--filter', 'name=alpha_w', '--format', '{{.Name}}', 'alpha'])).toBe(
        'alpha_web\n',
      );
      // the stack's own label filter is added to the user's: both must match
      expect(
        await cli.ok(['stack', 'services', '--filter', 'label=com.docker.stack.image=nginx:alpine', '-q', 'alpha']),
      ).toBe(`${id('alpha_web').slice(0, 12)}\n`);

      const ps = lines(await cli.ok(['stack', 'ps', 'alpha']));
      expect(ps[0]).toMatch(/^ID\s+NAME\s+IMAGE\s+NODE\s+DESIRED STATE\s+CURRENT STATE\s+ERROR\s+PORTS$/);
      expect(
        ps
          .slice(1)
          .map((l) => l.split(/\s+/).slice(0, 3).join(' '))
          .sort(),
      ).toEqual(rows.map((r) => `${r[0].slice(0, 12)} ${r[1]} ${r[2]}`).sort());
      expect(lines(await cli.ok(['stack', 'ps', '-q', 'alpha'])).sort()).toEqual(
        rows.map((r) => r[0].slice(0, 12)).sort(),
      );
      expect(lines(await cli.ok(['stack', 'ps', '-q', '--no-trunc', 'alpha'])).sort()).toEqual(
        rows.map((r) => r[0]).sort(),
      );
      expect(
        lines(await cli.ok(['stack', 'ps', '--filter', 'name=alpha_web', '--format', '{{.Name}}', 'alpha'])).sort(),
      ).toEqual(['alpha_web.1', 'alpha_web.2']);
      const node = rows[0]![3];
      expect(
        lines(await cli.ok(['stack', 'ps', '--filter', `node=${node}`, '--format', '{{.Name}} {{.Node}}', 'alpha'])),
      ).toEqual(rows.filter((r) => r[3] === node).map((r) => `${r[1]} ${node}`));
      const nodeIDs = lines(await cli.ok(['node', 'ls', '-q']));
      const unresolved = lines(await cli.ok(['stack', 'ps', '--no-resolve', '--format', '{{.Node}}', 'alpha']));
      expect(unresolved.every((n) => nodeIDs.includes(n))).toBe(true);

      const r = await cli.succeeds(['stack', 'rm', 'alpha', 'beta2', 'beta10']);
      expect(r.stderr).toBe('');
      expect(lines(r.stdout).filter((l) => l.startsWith('Removing service'))).toEqual([
        'Removing service alpha_cache',
        'Removing service alpha_web',
        'Removing service beta2_cache',
        'Removing service beta2_web',
        'Removing service beta10_cache',
        'Removing service beta10_web',
      ]);
      for (const stack of ['alpha', 'beta2', 'beta10']) expect(await leftovers(stack)).toEqual([]);
    }, 60_000);

    it('deploy --prune removes the services the file no longer has; without it they stay', async () => {
      const two = cli.file(
        'two.yml',
        'version: "3.8"\nservices:\n  a:\n    image: busybox\n    command: sleep 600\n  b:\n    image: busybox\n    command: sleep 600\n',
      );
      const one = cli.file('one.yml', 'version: "3.8"\nservices:\n  a:\n    image: busybox\n    command: sleep 600\n');
      await deploy('pr', [two]);
      await allocated('pr');
      expect(lines((await deploy('pr', [one])).stdout)).toEqual([
        `Updating service pr_a (id: ${(await stackServices('pr')).get('pr_a')!.ID})`,
      ]);
      expect([...(await stackServices('pr')).keys()].sort()).toEqual(['pr_a', 'pr_b']);
      await allocated('pr');
      const pruned = await deploy('pr', [one], ['--prune']);
      expect(lines(pruned.stdout)[0]).toBe('Removing service pr_b');
      expect([...(await stackServices('pr')).keys()]).toEqual(['pr_a']);
      await cli.ok(['stack', 'rm', 'pr']);
    });

    it('deploy --resolve-image always, changed and never keep the image as written, with no warning', async () => {
      const compose = cli.file(
        'img.yml',
        'version: "3.8"\nservices:\n  app:\n    image: busybox:1.36\n    command: sleep 600\n  web:\n    image: nginx\n',
      );
      for (const mode of ['always', 'changed', 'never']) {
        const r = await deploy('img', [compose], ['--resolve-image', mode]);
        await allocated('img');
        expect({ mode, stderr: r.stderr }).toEqual({ mode, stderr: DETACH_NOTICE });
        const services = await stackServices('img');
        expect(services.get('img_app')!.Spec.TaskTemplate.ContainerSpec.Image).toBe('busybox:1.36');
        // the CLI tags an untagged image before it sends it; the stack label keeps it as written
        expect(services.get('img_web')!.Spec.TaskTemplate.ContainerSpec.Image).toBe('nginx:latest');
        expect(services.get('img_web')!.Spec.Labels!['com.docker.stack.image']).toBe('nginx');
      }
      await cli.fails(
        ['stack', 'deploy', '--resolve-image', 'sometimes', '-c', compose, 'img'],
        'Invalid option sometimes for flag --resolve-image\n',
      );
      await cli.ok(['stack', 'rm', 'img']);
    });

    it('an external network is used as it is and outlives the stack; a missing one is refused', async () => {
      await cli.ok(['network', 'create', '-d', 'overlay', 'shared']);
      const compose = (net: string) =>
        cli.file(
          `ext-${net}.yml`,
          `version: "3.8"\nservices:\n  app:\n    image: nginx\n    networks: [${net}]\nnetworks:\n  ${net}:\n    external: true\n`,
        );
      const r = await deploy('ext', [compose('shared')]);
      expect(r.stdout).toBe('Creating service ext_app\n');
      const shared = JSON.parse(await cli.ok(['network', 'inspect', 'shared']))[0] as { Id: string };
      expect((await stackServices('ext')).get('ext_app')!.Spec.TaskTemplate.Networks).toEqual([
        { Target: shared.Id, Aliases: ['app'] },
      ]);
      expect(await cli.ok(['stack', 'rm', 'ext'])).toBe('Removing service ext_app\n');
      expect(await cli.ok(['network', 'ls', '--filter', 'name=shared', '--format', '{{.Name}}'])).toBe('shared\n');
      await cli.fails(
        ['stack', 'deploy', '-c', compose('nowhere'), 'ext'],
        DETACH_NOTICE +
          'network "nowhere" is declared as external, but could not be found. You need to create a swarm-scoped network before the stack is deployed\n',
      );
      await until('the shared network free', async () => (await cli.docker(['network', 'rm', 'shared'])).code === 0);
    });

    it('external secrets and configs are referenced by name, refused while missing, and outlive the stack', async () => {
      const compose = cli.file(
        'ext-payloads.yml',
        [
          'version: "3.8"',
          'services:',
          '  app:',
          '    image: nginx',
          '    secrets: [pass]',
          '    configs: [conf]',
          'secrets:',
          '  pass: { external: true, name: shared_pass }',
          'configs:',
          '  conf: { external: true }',
          '',
        ].join('\n'),
      );
      const payload = cli.file('payload.txt', 'shared\n');
      await cli.fails(
        ['stack', 'deploy', '-c', compose, 'xp'],
        DETACH_NOTICE + 'service app: secret not found: shared_pass\n',
      );
      const secretID = (await cli.ok(['secret', 'create', 'shared_pass', payload])).trim();
      await cli.fails(
        ['stack', 'deploy', '-c', compose, 'xp'],
        DETACH_NOTICE + 'service app: config not found: conf\n',
      );
      const configID = (await cli.ok(['config', 'create', 'conf', payload])).trim();
      // the stack's network was made by the first attempt; only the service is new
      expect((await deploy('xp', [compose])).stdout).toBe('Creating service xp_app\n');
      const cs = (await stackServices('xp')).get('xp_app')!.Spec.TaskTemplate.ContainerSpec;
      expect([cs.Secrets, cs.Configs]).toMatchObject([
        [{ SecretID: secretID, SecretName: 'shared_pass', File: { Name: 'pass' } }],
        [{ ConfigID: configID, ConfigName: 'conf', File: { Name: 'conf' } }],
      ]);
      expect(await cli.ok(['stack', 'rm', 'xp'])).toBe('Removing service xp_app\nRemoving network xp_default\n');
      await until('the shared secret and config free', async () => {
        const rm = await Promise.all([
          cli.docker(['secret', 'rm', 'shared_pass']),
          cli.docker(['config', 'rm', 'conf']),
        ]);
        return rm.every((r) => r.code === 0 || r.stderr.includes('not found'));
      });
    });

    it('deploy and rm --detach=false wait for the tasks, and say so as service create does', async () => {
      const compose = cli.file(
        'wait.yml',
        'version: "3.8"\nservices:\n  app:\n    image: nginx\n    deploy:\n      replicas: 2\n      update_config: { monitor: 1s }\n',
      );
      const r = await deploy('wait', [compose], ['--detach=false']);
      const id = (await stackServices('wait')).get('wait_app')!.ID;
      const out = r.stdout.replaceAll('\r', '\n');
      expect(out.startsWith('Creating network wait_default\nCreating service wait_app\n')).toBe(true);
      expect(out).toContain('overall progress: 2 out of 2 tasks');
      expect(lines(out).at(-1)).toBe(`verify: Service ${id} converged`);
      expect(r.stderr).toBe('');
      const rm = await cli.succeeds(['stack', 'rm', '--detach=false', 'wait'], 30_000);
      expect([rm.stdout, rm.stderr]).toEqual(['Removing service wait_app\nRemoving network wait_default\n', '']);
      expect(await leftovers('wait')).toEqual([]);
    }, 40_000);

    it("a secret's data cannot change under a running stack", async () => {
      const compose = (data: string) => {
        cli.file('pass.txt', data);
        return cli.file(
          'sec.yml',
          'version: "3.8"\nservices:\n  app:\n    image: nginx\n    secrets: [pass]\nsecrets:\n  pass:\n    file: ./pass.txt\n',
        );
      };
      await deploy('sec', [compose('one\n')]);
      await allocated('sec');
      // the same data again: the CLI updates the secret, which swarm takes as a labels-only update
      await deploy('sec', [compose('one\n')]);
      await cli.fails(
        ['stack', 'deploy', '-c', compose('two\n'), 'sec'],
        DETACH_NOTICE +
          'failed to update secret sec_pass: Error response from daemon: rpc error: code = InvalidArgument desc = only updates to Labels are allowed\n',
      );
      await cli.ok(['stack', 'rm', 'sec']);
    });

    it('stack config prints the files merged, as the CLI alone does', async () => {
      const override = cli.file(
        'config-override.yml',
        'version: "3.9"\nservices:\n  vote:\n    image: dockersamples/examplevotingapp_vote:${VOTE_TAG:-before}\n',
      );
      const out = await cli.ok(['stack', 'config', '-c', VOTING_APP, '-c', override]);
      expect(out).toContain('    image: dockersamples/examplevotingapp_vote:before\n');
      expect(out).toContain('    image: redis:alpine\n');
    });

    it('deploys a compose file read from stdin (-c -)', async () => {
      const compose = 'version: "3.8"\nservices:\n  app:\n    image: busybox\n    command: sleep 600\n';
      const r = await cli.docker(['stack', 'deploy', '-c', '-', 'piped'], 30_000, compose);
      expect([r.code, r.stdout, r.stderr]).toEqual([
        0,
        'Creating network piped_default\nCreating service piped_app\n',
        DETACH_NOTICE,
      ]);
      expect((await stackServices('piped')).get('piped_app')!.Spec.TaskTemplate.ContainerSpec.Args).toEqual([
        'sleep',
        '600',
      ]);
      await cli.ok(['stack', 'rm', 'piped']);
    });

    it("unknown stacks: docker's texts and exit codes", async () => {
      await cli.fails(['stack', 'ps', 'nosuch'], 'nothing found in stack: nosuch\n');
      await cli.fails(['stack', 'services', 'nosuch'], 'Nothing found in stack: nosuch\n', 0);
      await cli.fails(['stack', 'rm', 'nosuch'], 'Nothing found in stack: nosuch\n', 0);
      await cli.fails(
        ['stack', 'rm', 'nosuch', 'other'],
        'Nothing found in stack: nosuch\nNothing found in stack: other\n',
        0,
      );
      await cli.fails(
        ['stack', 'deploy', '-c', join(cli.workDir, 'missing.yml'), 'x'],
        `open ${join(cli.workDir, 'missing.yml')}: no such file or directory\n`,
      );
    });
  });
});

const ORDER = ['network', 'secret', 'config', 'service'];
const order = (kind: string | undefined): number => ORDER.indexOf(kind ?? '');
