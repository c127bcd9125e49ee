// Real-process test harness: start the swarmdeck server on free ports, drive
// it with the real docker CLI, stop it for certain. Every wait is bounded.

import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { TEST_ADMIN_ENV } from '../manager-http';

export const REPO_ROOT = fileURLToPath(new URL('../..', import.meta.url));

export function tempDir(prefix: string): { path: string; remove(): void } {
  const path = mkdtempSync(join(tmpdir(), prefix));
  return { path, remove: () => rmSync(path, { recursive: true, force: true }) };
}

/** A port that was free a moment ago on 127.0.0.1. */
export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const srv = createServer();
    srv.once('error', reject);
    srv.listen(0, '127.0.0.1', () => {
      const addr = srv.address();
      const port = typeof addr === 'object' && addr ? addr.port : 0;
      srv.close(() => resolve(port));
    });
  });
}

export interface ServerPorts {
  engine: number;
  cluster: number;
  console: number;
}

export async function freePorts(): Promise<ServerPorts> {
  const ports = new Set<number>();
  while (ports.size < 3) ports.add(await freePort());
  const [engine, cluster, consolePort] = [...ports] as [number, number, number];
  return { engine, cluster, console: consolePort };
}

/** How a process under test is started beyond its arguments. */
export interface SpawnAs {
  /**
   * Run as this user (and group of the same number) with no supplementary groups, through
   * `setpriv`: CI runs as root, which hides permission problems. Needs root.
   */
  uid?: number;
  /** Extra environment variables (a join token given the way `ps` does not show it). */
  env?: Record<string, string>;
  /** Flags for node itself, e.g. ['--max-old-space-size=512'] so a runaway allocation dies quickly. */
  nodeArgs?: string[];
}

export interface RunningServer {
  ports: ServerPorts;
  dataDir: string;
  proc: ChildProcess;
  /** Everything the process printed so far (stdout and stderr). */
  output(): string;
  alive(): boolean;
  /** Resolves when the process has exited, for whatever reason. */
  exited: Promise<void>;
  /** SIGTERM, then SIGKILL after `graceMs`. Safe to call twice. */
  stop(graceMs?: number): Promise<void>;
}

/**
 * `tsx server/main.ts --no-console ...` on the given ports; resolves once
 * the process prints `swarmdeck ready`, rejects (and kills it) otherwise.
 */
export async function startServer(opts: {
  dataDir: string;
  ports: ServerPorts;
  simWorkers?: number;
  readyTimeoutMs?: number;
  /** More flags for server/main.ts, e.g. ['--executor', 'process'] (later flags win). */
  extraArgs?: string[];
  as?: SpawnAs;
  /** Serve the console too (needs `next build` first); off by default. */
  console?: boolean;
  /** Flags for node itself, e.g. ['--max-old-space-size=512'] so a runaway allocation dies quickly. */
  nodeArgs?: string[];
  /** What the process prints once it is up: `swarmdeck ready` unless given (`swarmdeck locked`, `swarmdeck waiting`). */
  ready?: string;
}): Promise<RunningServer> {
  const args = [
    'server/main.ts',
    ...(opts.console ? [] : ['--no-console']),
    '--engine-port',
    String(opts.ports.engine),
    '--cluster-port',
    String(opts.ports.cluster),
    '--console-port',
    String(opts.ports.console),
    '--data-dir',
    opts.dataDir,
    '--sim-workers',
    String(opts.simWorkers ?? 3),
    // the manager's own tasks simulated too, unless a test asks for real ones: these tests are
    // about the control plane, and every node behaves alike
    '--executor',
    'sim',
    ...(opts.extraArgs ?? []),
  ];
  const p = await spawnUntilReady(args, opts.ready ?? 'swarmdeck ready', 'server', opts.readyTimeoutMs, {
    ...opts.as,
    nodeArgs: opts.nodeArgs,
  });
  return { ports: opts.ports, dataDir: opts.dataDir, ...p };
}

export interface ReadyProcess {
  proc: ChildProcess;
  output(): string;
  alive(): boolean;
  exited: Promise<void>;
  /** SIGTERM, then SIGKILL after `graceMs`. Safe to call twice. */
  stop(graceMs?: number): Promise<void>;
}

/**
 * `node --import tsx <args>` in the repo (node itself, not tsx's CLI, so signals reach the process
 * under test), resolved once its stdout says `ready`; killed and rejected otherwise.
 */
export async function spawnUntilReady(
  args: string[],
  ready: string,
  what: string,
  timeoutMs = 60_000,
  as: SpawnAs = {},
): Promise<ReadyProcess> {
  const node = [process.execPath, ...(as.nodeArgs ?? []), '--import', 'tsx', ...args];
  // setpriv execs node in place: the child's PID is the server's, so signals still reach it
  const argv =
    as.uid === undefined
      ? node
      : ['setpriv', `--reuid=${as.uid}`, `--regid=${as.uid}`, '--clear-groups', '--', ...node];
  const proc = spawn(argv[0]!, argv.slice(1), {
    cwd: REPO_ROOT,
    // every console starts with the test admin (tests log in: the console is never open)
    env: { ...process.env, NEXT_TELEMETRY_DISABLED: '1', CHECKPOINT_DISABLE: '1', ...TEST_ADMIN_ENV, ...as.env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let out = '';
  proc.stdout!.on('data', (c: Buffer) => (out += c.toString()));
  proc.stderr!.on('data', (c: Buffer) => (out += c.toString()));
  const alive = () => proc.exitCode === null && proc.signalCode === null;
  const exited = new Promise<void>((resolve) => {
    if (!alive()) resolve();
    else proc.once('exit', () => resolve());
  });
  const stop = async (graceMs = 15_000) => {
    if (!alive()) return;
    proc.kill('SIGTERM');
    const timer = setTimeout(() => proc.kill('SIGKILL'), graceMs);
    await exited;
    clearTimeout(timer);
  };
  try {
    await new Promise<void>((resolve, reject) => {
      const timer = setTimeout(
        () => reject(new Error(`${what} not ready within ${timeoutMs} ms; output:\n${out}`)),
        timeoutMs,
      );
      const check = () => {
        if (!out.includes(ready)) return;
        clearTimeout(timer);
        resolve();
      };
      proc.stdout!.on('data', check);
      proc.once('exit', (code, signal) => {
        clearTimeout(timer);
        reject(new Error(`${what} exited (${code ?? signal}) before ready; output:\n${out}`));
      });
      check();
    });
  } catch (err) {
    await stop(2_000);
    throw err;
  }
  return { proc, output: () => out, alive, exited, stop };
}

export interface DockerResult {
  code: number | null;
  stdout: string;
  stderr: string;
  timedOut: boolean;
}

/** The docker CLI binary, or undefined when it is not installed. */
export function dockerBinary(): string | undefined {
  for (const bin of ['/usr/bin/docker', '/usr/local/bin/docker', 'docker']) {
    const r = spawnSync(bin, ['--version'], { encoding: 'utf8' });
    if (r.status === 0) return bin;
  }
  return undefined;
}

/** The environment of a docker CLI bound to one engine port, with an empty config dir. */
export function dockerEnv(
  enginePort: number,
  configDir: string,
  extra: Record<string, string> = {},
): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = {
    ...process.env,
    HOME: configDir,
    DOCKER_HOST: `tcp://127.0.0.1:${enginePort}`,
    DOCKER_CONFIG: configDir,
    ...extra,
  };
  // nothing from the runner's own docker setup may redirect or pin the CLI
  for (const k of ['DOCKER_CONTEXT', 'DOCKER_TLS_VERIFY', 'DOCKER_CERT_PATH', 'DOCKER_API_VERSION']) delete env[k];
  return env;
}

/**
 * A docker CLI bound to one engine port, with an empty config dir (`extraEnv`: more variables, e.g. TZ);
 * `input` is written to its stdin.
 */
export function dockerCli(
  enginePort: number,
  configDir: string,
  bin = dockerBinary() ?? 'docker',
  extraEnv: Record<string, string> = {},
) {
  return (args: string[], timeoutMs = 30_000, input?: string | Buffer): Promise<DockerResult> =>
    new Promise((resolve) => {
      const env = dockerEnv(enginePort, configDir, extraEnv);
      const proc = spawn(bin, args, { env, stdio: [input === undefined ? 'ignore' : 'pipe', 'pipe', 'pipe'] });
      proc.stdin?.on('error', () => undefined); // a CLI that exits before reading all of it
      proc.stdin?.end(input);
      let stdout = '';
      let stderr = '';
      let timedOut = false;
      proc.stdout!.on('data', (c: Buffer) => (stdout += c.toString()));
      proc.stderr!.on('data', (c: Buffer) => (stderr += c.toString()));
      const timer = setTimeout(() => {
        timedOut = true;
        proc.kill('SIGKILL');
      }, timeoutMs);
      proc.once('close', (code) => {
        clearTimeout(timer);
        resolve({ code, stdout, stderr, timedOut });
      });
    });
}

/** Poll `fn` until it returns a truthy value; throws with the last value after `timeoutMs`. */
export async function waitFor<T>(
  what: string,
  fn: () => Promise<T> | T,
  opts: { timeoutMs?: number; intervalMs?: number } = {},
): Promise<NonNullable<T>> {
  const deadline = Date.now() + (opts.timeoutMs ?? 30_000);
  let last: unknown;
  for (;;) {
    try {
      last = await fn();
      if (last) return last as NonNullable<T>;
    } catch (err) {
      last = err;
    }
    if (Date.now() >= deadline)
      throw new Error(
        `timed out waiting for ${what}; last: ${last instanceof Error ? last.message : JSON.stringify(last)}`,
      );
    await new Promise((r) => setTimeout(r, opts.intervalMs ?? 500));
  }
}
