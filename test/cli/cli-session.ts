// One swarmdeck server and the real docker CLI bound to it, for a conformance file's beforeAll:
// `ok` runs a command that must succeed, `fails` one that must fail with exactly the given stderr.

import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { expect } from 'vitest';
import {
  dockerBinary,
  dockerCli,
  dockerEnv,
  freePorts,
  startServer,
  tempDir,
  type DockerResult,
  type RunningServer,
  type ServerPorts,
} from '../integration/harness';

const found = dockerBinary();
// The real docker CLI is part of the test: a machine without it must fail here, not skip.
if (!found) throw new Error('the docker CLI is required for the CLI conformance tests (.ci/run installs it)');
const bin: string = found;

/** How one CLI command runs: its time limit (30 s unless given) and what goes to its stdin. */
export interface RunOpts {
  timeoutMs?: number;
  input?: string | Buffer;
}

export interface CliSessionOpts {
  /** 3 unless given. */
  simWorkers?: number;
  /** More flags for server/main.ts (later flags win), e.g. ['--executor', 'process']. */
  extraArgs?: string[];
  /** More environment for every CLI run, e.g. { TZ: 'UTC' }. */
  cliEnv?: Record<string, string>;
  /** Sees the stdout and the stderr of every CLI run (to check what must never be printed). */
  onOutput?: (text: string) => void;
}

export interface CliSession {
  ports: ServerPorts;
  server: RunningServer;
  /** The docker binary and the environment each run gets, for a command the test spawns itself. */
  bin: string;
  env: NodeJS.ProcessEnv;
  docker: (args: string[], timeoutMs?: number, input?: string | Buffer) => Promise<DockerResult>;
  /** The same CLI (config dir, env, output hook) talking to another port, such as a proxy's. */
  dockerAt(port: number): CliSession['docker'];
  /** The whole result of a command that must exit 0; throws with everything needed to see why otherwise. */
  succeeds(args: string[], opts?: number | RunOpts): Promise<DockerResult>;
  /** The stdout of a command that must exit 0 (`opts`: its time limit, or RunOpts). */
  ok(args: string[], opts?: number | RunOpts): Promise<string>;
  /** stdout parsed as JSON (inspect without --format). */
  json<T>(args: string[]): Promise<T>;
  /**
   * The command exits with `code` (1 unless given) and prints exactly `stderr`; a trailing newline
   * may be left off `stderr`, then one on the output is ignored.
   */
  fails(
    args: string[],
    stderr: string,
    opts?: number | { code?: number; input?: string | Buffer },
  ): Promise<DockerResult>;
  /** GET on the engine API (as CLI 28.2, /v1.50): must answer 200; the body parsed. */
  api<T>(path: string): Promise<T>;
  /** Writes a file in the session's scratch dir (removed by stop) and returns its path. */
  file(name: string, content: string | Buffer): string;
  /** The scratch dir itself. */
  workDir: string;
  stop(): Promise<void>;
}

export async function startCliSession(prefix: string, opts: CliSessionOpts = {}): Promise<CliSession> {
  const data = tempDir(`swarmdeck-${prefix}-data-`);
  const config = tempDir(`swarmdeck-${prefix}-config-`);
  const work = tempDir(`swarmdeck-${prefix}-files-`);
  const ports = await freePorts();
  const cliEnv = opts.cliEnv ?? {};
  const dockerAt = (port: number): CliSession['docker'] => {
    const run = dockerCli(port, config.path, bin, cliEnv);
    return async (args, timeoutMs, input) => {
      const r = await run(args, timeoutMs, input);
      opts.onOutput?.(r.stdout);
      opts.onOutput?.(r.stderr);
      return r;
    };
  };
  const docker = dockerAt(ports.engine);
  let server: RunningServer;
  try {
    server = await startServer({
      dataDir: data.path,
      ports,
      simWorkers: opts.simWorkers ?? 3,
      extraArgs: opts.extraArgs,
    });
  } catch (err) {
    for (const d of [data, config, work]) d.remove();
    throw err;
  }
  const runOpts = (o: number | RunOpts | undefined): RunOpts => (typeof o === 'number' ? { timeoutMs: o } : (o ?? {}));
  const succeeds = async (args: string[], o?: number | RunOpts) => {
    const { timeoutMs, input } = runOpts(o);
    const r = await docker(args, timeoutMs, input);
    if (r.code !== 0)
      throw new Error(
        `docker ${args.join(' ')} → ${r.timedOut ? 'timed out' : `exit ${r.code}`}\nstdout: ${r.stdout}\nstderr: ${r.stderr}\nserver:\n${server.output().slice(-3000)}`,
      );
    return r;
  };
  const ok = async (args: string[], o?: number | RunOpts) => (await succeeds(args, o)).stdout;
  return {
    ports,
    server,
    bin,
    env: dockerEnv(ports.engine, config.path, cliEnv),
    docker,
    dockerAt,
    succeeds,
    ok,
    json: async <T>(args: string[]) => JSON.parse(await ok(args)) as T,
    fails: async (args, stderr, o) => {
      const { code = 1, input } = typeof o === 'number' ? { code: o } : (o ?? {});
      const r = await docker(args, undefined, input);
      const got = stderr.endsWith('\n') ? r.stderr : r.stderr.replace(/\n$/, '');
      expect({ args, code: r.code, stderr: got }).toEqual({ args, code, stderr });
      return r;
    },
    api: async <T>(path: string) => {
      const res = await fetch(`http://127.0.0.1:${ports.engine}/v1.50${path}`);
      expect(res.status, path).toBe(200);
      return (await res.json()) as T;
    },
    file: (name, content) => {
      const path = join(work.path, name);
      writeFileSync(path, content);
      return path;
    },
    workDir: work.path,
    stop: async () => {
      await server.stop();
      for (const d of [data, config, work]) d.remove();
    },
  };
}

/** A table's lines split on runs of 2+ spaces (docker's tabwriter padding), trailing blanks dropped. */
export function tableRows(out: string): string[][] {
  return out
    .split('\n')
    .filter(Boolean)
    .map((l) => l.trimEnd().split(/ {2,}/));
}
