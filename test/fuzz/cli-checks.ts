// After the storm: the unmodified docker CLI must still read everything the
// API accepted. `service ls`, `service ps` and `service inspect` (plain and
// --pretty) over every service, `node ls`, `info` and `swarm join-token`.
// When a read fails, each service is read alone to name the ones that break
// it, with the accepted writes that made them what they are. Then a canary:
// a new service must still get its tasks running.

import { dockerCli, waitFor } from '../integration/harness';
import { send } from './http-client';
import type { FuzzRequest } from './request';

export interface CliCheck {
  command: string;
  ok: boolean;
  detail?: string;
  /** Objects that make the command fail on their own, each with the accepted writes that shaped it. */
  culprits?: { object: string; error: string; writes: FuzzRequest[] }[];
}

type Docker = ReturnType<typeof dockerCli>;

function firstLines(s: string, n = 6): string {
  return s.trim().split('\n').slice(0, n).join('\n');
}

async function engineJSON(port: number, path: string): Promise<unknown> {
  const o = await send({ port, method: 'GET', target: path, headers: [] }, 15_000);
  try {
    return JSON.parse(o.body.toString('utf8'));
  } catch {
    return undefined;
  }
}

async function run(docker: Docker, args: string[]): Promise<{ ok: boolean; detail: string }> {
  const r = await docker(args, 60_000);
  // `docker info` prints server-side problems to stderr and may still exit 0
  const ok = r.code === 0 && !r.timedOut && !/error/i.test(r.stderr);
  return { ok, detail: r.timedOut ? 'timed out' : `exit ${r.code}\n${firstLines(r.stderr || r.stdout)}` };
}

export async function cliChecks(
  enginePort: number,
  configDir: string,
  accepted: Record<string, FuzzRequest[]>,
): Promise<CliCheck[]> {
  const docker = dockerCli(enginePort, configDir);
  const checks: CliCheck[] = [];
  const services =
    ((await engineJSON(enginePort, '/v1.50/services')) as { ID: string; Spec?: { Name?: string } }[] | undefined) ?? [];
  const ids = Array.isArray(services) ? services.map((s) => s.ID).filter((id) => typeof id === 'string') : [];
  const nameOf = (id: string) => services.find((s) => s.ID === id)?.Spec?.Name ?? id;
  const writesOf = (id: string) => accepted[`service ${nameOf(id)}`] ?? [];

  const perService = async (args: (id: string) => string[]) => {
    const culprits: NonNullable<CliCheck['culprits']> = [];
    for (const id of ids) {
      const r = await run(docker, args(id));
      if (!r.ok) culprits.push({ object: `service ${nameOf(id)} (${id})`, error: r.detail, writes: writesOf(id) });
    }
    return culprits;
  };
  const check = async (command: string, args: string[], narrow?: (id: string) => string[]) => {
    const r = await run(docker, args);
    const c: CliCheck = { command, ok: r.ok };
    if (!r.ok) {
      c.detail = r.detail;
      if (narrow) c.culprits = await perService(narrow);
    }
    checks.push(c);
  };

  await check('docker service ls', ['service', 'ls'], (id) => ['service', 'ls', '--filter', `id=${id}`]);
  if (ids.length) {
    await check('docker service ps (every service)', ['service', 'ps', '--no-trunc', ...ids], (id) => [
      'service',
      'ps',
      id,
    ]);
    await check('docker service inspect (every service)', ['service', 'inspect', ...ids], (id) => [
      'service',
      'inspect',
      id,
    ]);
    await check('docker service inspect --pretty (every service)', ['service', 'inspect', '--pretty', ...ids], (id) => [
      'service',
      'inspect',
      '--pretty',
      id,
    ]);
  } else checks.push({ command: 'docker service ps/inspect', ok: true, detail: 'no services left to read' });
  const nodeWrites = Object.entries(accepted)
    .filter(([k]) => k.startsWith('node '))
    .map(([object, writes]) => ({ object, error: '', writes }));
  const swarmWrites = [{ object: 'swarm', error: '', writes: accepted.swarm ?? [] }];
  for (const [command, args, blame] of [
    ['docker node ls', ['node', 'ls'], nodeWrites],
    ['docker info', ['info'], swarmWrites],
    ['docker swarm join-token worker', ['swarm', 'join-token', 'worker'], swarmWrites],
  ] as const) {
    const r = await run(docker, [...args]);
    checks.push({
      command,
      ok: r.ok,
      ...(r.ok ? {} : { detail: r.detail, culprits: blame.map((b) => ({ ...b, writes: [...b.writes] })) }),
    });
  }
  return checks;
}

/**
 * Put every node back to active, create a small service and wait for its
 * tasks to run: the control loops must still work after all that.
 */
export async function canary(
  enginePort: number,
  configDir: string,
  name: string,
  timeoutMs = 30_000,
): Promise<CliCheck> {
  const docker = dockerCli(enginePort, configDir);
  const nodes = ((await engineJSON(enginePort, '/v1.50/nodes')) as { ID: string }[] | undefined) ?? [];
  for (const n of Array.isArray(nodes) ? nodes : []) await docker(['node', 'update', '--availability', 'active', n.ID]);
  const created = await run(docker, [
    'service',
    'create',
    '--detach',
    '--name',
    name,
    '--replicas',
    '2',
    'nginx:alpine',
  ]);
  if (!created.ok) return { command: `canary: docker service create ${name}`, ok: false, detail: created.detail };
  try {
    await waitFor(
      `2 running tasks of ${name}`,
      async () => {
        const tasks = (await engineJSON(
          enginePort,
          `/v1.50/tasks?filters=${encodeURIComponent(JSON.stringify({ service: { [name]: true }, 'desired-state': { running: true } }))}`,
        )) as { Status?: { State?: string } }[] | undefined;
        return Array.isArray(tasks) && tasks.filter((t) => t.Status?.State === 'running').length >= 2;
      },
      { timeoutMs, intervalMs: 500 },
    );
    return { command: `canary: a new 2-replica service runs within ${timeoutMs / 1000} s`, ok: true };
  } catch (err) {
    return {
      command: `canary: a new 2-replica service runs within ${timeoutMs / 1000} s`,
      ok: false,
      detail: (err as Error).message,
    };
  }
}
