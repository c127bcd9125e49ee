// Real manager processes on loopback for the raft benchmarks: `node --import
// tsx server/main.ts --no-console` per manager, each in its own process group
// (so kill -9 reaches the manager itself and cleanup reaches anything it
// spawned), own ports and data dir. Every wait is bounded, and every group is
// SIGKILLed when this process exits, whatever the reason.
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { freePort } from '../test/integration/harness';
import { until as untilWithin } from '../test/until';
import { engineRequest, fetchRaftHealth, type RaftHealth } from '../test/manager-http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

const ROOT = fileURLToPath(new URL('..', import.meta.url));
const READY = /swarmdeck ready: node (\w+)/;
const TAIL_CHARS = 64 * 1024;

const groups = new Set<number>();
let hooked = false;

/** SIGKILL every process group this benchmark started (synchronous: safe in an exit handler). */
export function killAllGroups(): void {
  for (const pgid of groups) {
    try {
      process.kill(-pgid, 'SIGKILL');
    } catch {
      // already gone
    }
  }
  groups.clear();
}

function hookExit(): void {
  if (hooked) return;
  hooked = true;
  process.on('exit', killAllGroups);
  for (const sig of ['SIGINT', 'SIGTERM', 'SIGHUP'] as const)
    process.on(sig, () => {
      killAllGroups();
      process.exit(130);
    });
}

export class BenchManager {
  proc: ChildProcess | undefined;
  nodeID = '';
  /** The last 64 KiB it printed. */
  tail = '';
  private lineListeners = new Set<(line: string) => void>();
  private exited: Promise<void> = Promise.resolve();

  constructor(
    readonly name: string,
    readonly ports: { engine: number; cluster: number; console: number },
    readonly dataDir: string,
    /** Flags for node itself (e.g. a larger heap). */
    readonly nodeArgs: string[] = [],
    /** Serve the web console too (the browser benchmarks; `npx next build` must have run). */
    readonly withConsole = false,
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

  /** Every line it prints from now on, until the returned function is called. */
  onLine(fn: (line: string) => void): () => void {
    this.lineListeners.add(fn);
    return () => this.lineListeners.delete(fn);
  }

  /** Start (or restart on the same data dir and ports); resolves once it prints `swarmdeck ready`. */
  async start(args: string[] = [], readyTimeoutMs = 120_000): Promise<void> {
    hookExit();
    const argv = [
      ...this.nodeArgs,
      '--import',
      'tsx',
      'server/main.ts',
      ...(this.withConsole ? [] : ['--no-console']),
      '--engine-port',
      String(this.ports.engine),
      '--cluster-port',
      String(this.ports.cluster),
      '--console-port',
      String(this.ports.console),
      '--data-dir',
      this.dataDir,
      // the benches measure the control plane over simulated tasks (later flags win)
      '--executor',
      'sim',
      ...args,
    ];
    const proc = spawn(process.execPath, argv, {
      cwd: ROOT,
      detached: true,
      env: { ...process.env, NEXT_TELEMETRY_DISABLED: '1', CHECKPOINT_DISABLE: '1' },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    this.proc = proc;
    groups.add(proc.pid!);
    let partial = '';
    const onData = (c: Buffer) => {
      const text = c.toString();
      this.tail = (this.tail + text).slice(-TAIL_CHARS);
      const lines = (partial + text).split('\n');
      partial = lines.pop() ?? '';
      for (const line of lines) for (const fn of this.lineListeners) fn(line);
    };
    proc.stdout!.on('data', onData);
    proc.stderr!.on('data', onData);
    this.exited = new Promise((resolve) =>
      proc.once('exit', () => {
        groups.delete(proc.pid!);
        resolve();
      }),
    );
    await new Promise<void>((resolve, reject) => {
      const timer = setTimeout(() => {
        cleanup();
        reject(new Error(`${this.name} not ready within ${readyTimeoutMs} ms:\n${this.tail.slice(-3000)}`));
      }, readyTimeoutMs);
      const offLine = this.onLine((line) => {
        const m = READY.exec(line);
        if (!m) return;
        this.nodeID = m[1]!;
        cleanup();
        resolve();
      });
      const exit = (code: number | null, sig: string | null) => {
        cleanup();
        reject(new Error(`${this.name} exited (${code ?? sig}) before ready:\n${this.tail.slice(-3000)}`));
      };
      const cleanup = () => {
        clearTimeout(timer);
        offLine();
        proc.off('exit', exit);
      };
      proc.once('exit', exit);
    });
  }

  /** kill -9 of its process group; resolves when it is gone. */
  async kill9(): Promise<void> {
    if (!this.running) return;
    try {
      process.kill(-this.proc!.pid!, 'SIGKILL');
    } catch {
      // raced with its exit
    }
    await this.exited;
  }

  /** SIGTERM (graceful), SIGKILL after `graceMs`. */
  async stop(graceMs = 10_000): Promise<void> {
    if (!this.running) return;
    process.kill(-this.proc!.pid!, 'SIGTERM');
    const t = setTimeout(() => this.running && process.kill(-this.proc!.pid!, 'SIGKILL'), graceMs);
    await this.exited;
    clearTimeout(t);
  }

  /** Peak resident memory (VmHWM) of the manager process, MiB; 0 if unknown. */
  peakRssMiB(): number {
    try {
      const status = readFileSync(`/proc/${this.proc!.pid}/status`, 'utf8');
      const kb = Number(/VmHWM:\s+(\d+)/.exec(status)?.[1] ?? 0);
      return kb / 1024;
    } catch {
      return 0;
    }
  }

  health(timeoutMs = 1_000): Promise<RaftHealth | undefined> {
    return fetchRaftHealth(this.engine, timeoutMs);
  }

  api(method: string, path: string, body?: unknown, timeoutMs = 15_000) {
    return engineRequest(this.engine, method, path, body, timeoutMs);
  }
}

/** The tests' bounded poll, with the benchmarks' longer default wait. */
export const until = <T>(what: string, fn: () => Promise<T> | T, timeoutMs = 30_000, everyMs = 100) =>
  untilWithin(what, fn, timeoutMs, everyMs);

export type { RaftHealth };

export interface BenchCluster {
  managers: BenchManager[];
  /** The member that leads and may write, as its own health says. */
  leader(): Promise<BenchManager | undefined>;
  /** Three voters, a ready leader, every member following it and reachable from every member. */
  healthy(timeoutMs?: number): Promise<BenchManager>;
  /** SIGKILL every manager and remove the data dirs. */
  destroy(): Promise<void>;
}

/**
 * Three managers on loopback: m1 founds the swarm (with `firstArgs`, e.g.
 * `--sim-workers 997`), m2 and m3 join it with the manager token.
 */
export async function startThreeManagers(
  opts: { firstArgs?: string[]; nodeArgs?: string[] } = {},
): Promise<BenchCluster> {
  const root = mkdtempSync(join(tmpdir(), 'swarmdeck-bench-raft-'));
  const managers: BenchManager[] = [];
  const destroy = async () => {
    await Promise.all(managers.map((m) => m.kill9()));
    rmSync(root, { recursive: true, force: true });
  };
  try {
    for (const name of ['m1', 'm2', 'm3']) {
      const ports = { engine: await freePort(), cluster: await freePort(), console: await freePort() };
      managers.push(new BenchManager(name, ports, join(root, name), opts.nodeArgs));
    }
    const [m1, m2, m3] = managers as [BenchManager, BenchManager, BenchManager];
    await m1.start(opts.firstArgs ?? []);
    const swarm = await m1.api('GET', '/swarm');
    const token = (swarm.json as { JoinTokens: { Manager: string } }).JoinTokens.Manager;
    // one at a time: the leader admits one membership change at once
    for (const m of [m2, m3]) await m.start(['--join', m1.clusterAddr, '--token', token]);
  } catch (err) {
    await destroy();
    throw err;
  }

  const leader = async () => {
    const hs = await Promise.all(managers.filter((m) => m.running).map(async (m) => ({ m, h: await m.health() })));
    return hs.find((x) => x.h?.role === 'leader' && x.h.leaderReady)?.m;
  };
  const healthy = (timeoutMs = 60_000) =>
    until(
      'three voters, a ready leader, every manager reachable from every member',
      async () => {
        if (!managers.every((m) => m.running)) return undefined;
        const hs = await Promise.all(managers.map((m) => m.health()));
        const l = hs.find((h) => h?.role === 'leader' && h.leaderReady);
        if (!l || l.voters.length !== 3 || l.learners.length > 0) return undefined;
        if (!hs.every((h) => h && h.leader === l.id && h.applied >= l.commit - 50)) return undefined;
        for (const m of managers) {
          const r = await m.api('GET', '/nodes', undefined, 3_000);
          const ms = (r.json as { ManagerStatus?: { Reachability: string } }[]).filter((n) => n.ManagerStatus);
          if (ms.length !== 3 || ms.some((n) => n.ManagerStatus!.Reachability !== 'reachable')) return undefined;
        }
        return managers.find((m) => m.nodeID === l.id);
      },
      timeoutMs,
      200,
    );
  return { managers, leader, healthy, destroy };
}
