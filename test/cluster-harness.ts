// Real manager processes on loopback for the raft tests: `node --import tsx
// server/main.ts` spawned directly (so kill -9 and SIGSTOP reach the server
// itself, not a wrapper), each with its own ports and data dir. Every wait is
// bounded; `killAll` never leaves a child behind.

import { spawn, type ChildProcess } from 'node:child_process';
import { REPO_ROOT, freePorts, type ServerPorts } from './integration/harness';
import { TEST_ADMIN_ENV, engineRequest, fetchRaftHealth, type RaftHealth } from './manager-http';
import { until } from './until';

export type { RaftHealth };

export class ManagerProc {
  proc: ChildProcess | undefined;
  out = '';
  nodeID = '';
  /** Extra environment for the next start (e.g. the test-only certificate lifetime). */
  env: Record<string, string | undefined> = {};
  private exited: Promise<void> = Promise.resolve();

  constructor(
    readonly name: string,
    readonly ports: ServerPorts,
    readonly dataDir: string,
    readonly extraArgs: string[] = [],
  ) {}

  get engine(): string {
    return `http://127.0.0.1:${this.ports.engine}`;
  }
  get clusterAddr(): string {
    return `127.0.0.1:${this.ports.cluster}`;
  }
  get running(): boolean {
    return !!this.proc && this.proc.exitCode === null && this.proc.signalCode === null;
  }

  /** Start (or restart on the same data dir and ports); resolves once it prints `swarmdeck ready`. */
  async start(args: string[] = [], readyTimeoutMs = 60_000, ready = /swarmdeck ready: node (\w+)/): Promise<void> {
    const argv = [
      '--import',
      'tsx',
      'server/main.ts',
      '--no-console',
      '--engine-port',
      String(this.ports.engine),
      '--cluster-port',
      String(this.ports.cluster),
      '--console-port',
      String(this.ports.console),
      '--data-dir',
      this.dataDir,
      // simulated tasks unless a test's own flags say otherwise (later flags win)
      '--executor',
      'sim',
      ...this.extraArgs,
      ...args,
    ];
    const proc = spawn(process.execPath, argv, {
      cwd: REPO_ROOT,
      env: { ...process.env, NEXT_TELEMETRY_DISABLED: '1', CHECKPOINT_DISABLE: '1', ...TEST_ADMIN_ENV, ...this.env },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    this.proc = proc;
    const mark = this.out.length;
    proc.stdout!.on('data', (c: Buffer) => (this.out += c.toString()));
    proc.stderr!.on('data', (c: Buffer) => (this.out += c.toString()));
    this.exited = new Promise((resolve) => proc.once('exit', () => resolve()));
    await new Promise<void>((resolve, reject) => {
      const timer = setTimeout(() => {
        cleanup();
        reject(new Error(`${this.name} not ready within ${readyTimeoutMs} ms:\n${this.out.slice(mark)}`));
      }, readyTimeoutMs);
      const check = () => {
        const m = ready.exec(this.out.slice(mark));
        if (!m) return;
        if (m[1]) this.nodeID = m[1];
        cleanup();
        resolve();
      };
      const exit = (code: number | null, sig: string | null) => {
        cleanup();
        reject(new Error(`${this.name} exited (${code ?? sig}) before ready:\n${this.out.slice(mark)}`));
      };
      const cleanup = () => {
        clearTimeout(timer);
        proc.stdout!.off('data', check);
        proc.off('exit', exit);
      };
      proc.stdout!.on('data', check);
      proc.once('exit', exit);
    });
  }

  /** SIGTERM (graceful), SIGKILL after `graceMs`. */
  async stop(graceMs = 10_000): Promise<void> {
    if (!this.running) return;
    this.proc!.kill('SIGCONT');
    this.proc!.kill('SIGTERM');
    const t = setTimeout(() => this.proc?.kill('SIGKILL'), graceMs);
    await this.exited;
    clearTimeout(t);
  }

  async kill9(): Promise<void> {
    if (!this.running) return;
    this.proc!.kill('SIGKILL');
    await this.exited;
  }

  signal(sig: 'SIGSTOP' | 'SIGCONT'): void {
    if (this.running) this.proc!.kill(sig);
  }

  health(timeoutMs = 1_000): Promise<RaftHealth | undefined> {
    return fetchRaftHealth(this.engine, timeoutMs);
  }

  api(method: string, path: string, body?: unknown, timeoutMs = 15_000) {
    return engineRequest(this.engine, method, path, body, timeoutMs);
  }
}

export async function newManager(name: string, dataDir: string, extraArgs: string[] = []): Promise<ManagerProc> {
  return new ManagerProc(name, await freePorts(), dataDir, extraArgs);
}

export { until } from './until';

/** The manager leading `voters` voters (and no learners) with its lease ready, and its health; or undefined. */
export async function readyLeader(
  ms: readonly ManagerProc[],
  voters = 3,
): Promise<{ m: ManagerProc; h: RaftHealth } | undefined> {
  for (const m of ms) {
    const h = await m.health();
    if (h?.role === 'leader' && h.leaderReady && h.voters.length === voters && h.learners.length === 0) return { m, h };
  }
  return undefined;
}

/**
 * Three managers in one swarm under `dataPath`: m1 founds it, m2 and m3 join it with the manager token
 * at once (the leader admits one membership change at a time). Each is pushed onto `into` as it is
 * made, so an afterAll stops whatever started. Resolves with the manager token once one leads three voters.
 */
export async function startThreeManagers(
  into: ManagerProc[],
  dataPath: string,
  o: { m1Args?: string[]; joinerArgs?: string[] } = {},
): Promise<string> {
  const m1 = await newManager('m1', `${dataPath}/m1`, o.m1Args);
  into.push(m1);
  await m1.start();
  const token = ((await m1.api('GET', '/swarm')).json as { JoinTokens: { Manager: string } }).JoinTokens.Manager;
  const joiners = [
    await newManager('m2', `${dataPath}/m2`, o.joinerArgs),
    await newManager('m3', `${dataPath}/m3`, o.joinerArgs),
  ];
  into.push(...joiners);
  await Promise.all(joiners.map((m) => m.start(['--join', m1.clusterAddr, '--token', token])));
  await until('three voters and a ready leader', () => readyLeader(into), 60_000);
  return token;
}
