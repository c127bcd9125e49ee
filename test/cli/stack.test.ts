// CLI conformance for the `docker stack` family: the unmodified docker CLI 28.2 converts compose files
// itself and drives the normal endpoints with `com.docker.stack.namespace` label filters, so this is
// where label filters, spec round-trips and removal order meet. Output, exit codes and error texts are
// docker's (docker/cli cli/command/stack). One server with simulated workers: no image is pulled.

import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  dockerBinary,
  dockerCli,
  freePorts,
  startServer,
  tempDir,
  type DockerResult,
  type RunningServer,
  type ServerPorts,
} from '../integration/harness';
import { until } from '../until';

const bin = dockerBinary();
// The real docker CLI is part of the test: a machine without it must fail here, not skip.
if (!bin) throw new Error('the docker CLI is required for the CLI conformance tests (.ci/run installs it)');

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

describe('docker stack', () => {
  const data = tempDir('swarmdeck-stack-data-');
  const config = tempDir('swarmdeck-stack-config-');
  const work = tempDir('swarmdeck-stack-files-');
  let ports: ServerPorts;
  let server: RunningServer | undefined;
  let docker: ReturnType<typeof dockerCli>;

  const ok = async (args: string[], timeoutMs?: number): Promise<DockerResult> => {
    const r = await docker(args, timeoutMs);
    if (r.code !== 0)
      throw new Error(
        `docker ${args.join(' ')} → ${r.timedOut ? 'timed out' : `exit ${r.code}`}\nstdout: ${r.stdout}\nstderr: ${r.stderr}\nserver:\n${server?.output().slice(-3000)}`,
      );
    return r;
  };
  /** A command that fails with exactly this stderr (and this exit code). */
  const fails = async (args: string[], stderr: string, code = 1): Promise<void> => {
    const r = await docker(args);
    expect({ args, code: r.code, stderr: r.stderr }).toEqual({ args, code, stderr });
  };
  const api = async <T>(path: string): Promise<T> => {
    const res = await fetch(`http://127.0.0.1:${ports.engine}/v1.50${path}`);
    expect(res.status).toBe(200);
    return (await res.json()) as T;
  };
  const filter = (f: Record<string, string[]>) =>
    encodeURIComponent(JSON.stringify(Object.fromEntries(Object.entries(f).map(([k, v]) => [k, v]))));
  /** The stack's services as the API stores them (no defaults inserted), by name. */
  const stackServices = async (stack: string): Promise<Map<string, ServiceObject>> => {
    const list = await api<ServiceObject[]>(`/services?filters=${filter({ label: [`${NS}=${stack}`] })}`);
    return new Map(list.map((s) => [s.Spec.Name, s]));
  };
  const deploy = (stack: string, files: string[], extra: string[] = []) =>
    ok(['stack', 'deploy', ...extra, ...files.flatMap((f) => ['-c', f]), stack]);
  /** `stack ps` rows of tasks meant to run, once every one of them runs. */
  const runningTasks = (stack: string, expected: number, timeoutMs = 30_000) =>
    until(
      `${expected} running tasks in stack ${stack}`,
      async () => {
        const fmt = '{{.ID}}|{{.Name}}|{{.Image}}|{{.Node}}|{{.CurrentState}}';
        const rows = lines(
          (await ok(['stack', 'ps', '--no-trunc', '--filter', 'desired-state=running', '--format', fmt, stack])).stdout,
        ).map((l) => l.split('|') as [string, string, string, string, string]);
        return rows.length === expected && rows.every((r) => r[4].startsWith('Running')) ? rows : undefined;
      },
      timeoutMs,
      250,
    );
  /** What carries the stack's label: networks, secrets and configs, as `kind name` lines. */
  const leftovers = async (stack: string): Promise<string[]> => {
    const out: string[] = [];
    for (const kind of ['network', 'secret', 'config']) {
      const r = await ok([kind, 'ls', '--filter', `label=${NS}=${stack}`, '--format', '{{.Name}}']);
      out.push(...lines(r.stdout).map((n) => `${kind} ${n}`));
    }
    return out;
  };
  const file = (name: string, text: string): string => {
    const path = join(work.path, name);
    writeFileSync(path, text);
    return path;
  };

  beforeAll(async () => {
    ports = await freePorts();
    docker = dockerCli(ports.engine, config.path, bin);
    server = await startServer({ dataDir: data.path, ports, simWorkers: 3 });
  }, 90_000);

  afterAll(async () => {
    await server?.stop();
    data.remove();
    config.remove();
    work.remove();
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
      const self = (await ok(['node', 'inspect', 'self', '--format', '{{.Description.Hostname}}'])).stdout.trim();
      expect(node('vote_db.')).toEqual([self]);
      expect(node('vote_worker.').every((n) => n.startsWith('sim-worker-'))).toBe(true);

      expect((await ok(['stack', 'ls'])).stdout).toBe('NAME      SERVICES\nvote      5\n');
      const services = await ok([
        'stack',
        'services',
        '--format',
        '{{.Name}}|{{.Mode}}|{{.Replicas}}|{{.Image}}|{{.Ports}}',
        'vote',
      ]);
      expect(services.stdout).toBe(
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
        (await api<{ Id: string; Name: string }[]>(`/networks?filters=${filter({ label: [`${NS}=vote`] })}`)).map(
          (n) => [n.Name, n.Id],
        ),
      );
      expect(svc.get('vote_worker')!.Spec.TaskTemplate.Networks).toEqual([
        { Target: nets.get('vote_backend'), Aliases: ['worker'] },
        { Target: nets.get('vote_frontend'), Aliases: ['worker'] },
      ]);
      const secret = JSON.parse((await ok(['secret', 'inspect', 'vote_db_password'])).stdout)[0] as { ID: string };
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
      const override = file(
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
      const history = lines((await ok(['stack', 'ps', 'vote'])).stdout).filter((l) => l.includes(' \\_ vote_vote.'));
      expect(history).toHaveLength(2);
      expect(history.every((l) => /examplevotingapp_vote:latest\s+\S+\s+Shutdown/.test(l))).toBe(true);
    }, 60_000);

    it('stack rm removes services, secret, config and networks with no error, leaving nothing', async () => {
      const r = await ok(['stack', 'rm', 'vote']);
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
      expect((await ok(['stack', 'ls'])).stdout).toBe('NAME      SERVICES\n');
      // the tasks go once stopped and reaped; then the stack is gone for `stack ps` too
      await until(
        'the stack tasks to be reaped',
        async () => (await docker(['stack', 'ps', 'vote'])).stderr === 'nothing found in stack: vote\n',
        30_000,
        250,
      );
    }, 45_000);
  });
});

const ORDER = ['network', 'secret', 'config', 'service'];
const order = (kind: string | undefined): number => ORDER.indexOf(kind ?? '');
