// One swarmdeck server and the real docker CLI bound to it, for a conformance file's beforeAll:
// `ok` runs a command that must succeed, `fails` one that must fail with exactly the given stderr.

import { expect } from 'vitest';
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

const bin = dockerBinary();
// The real docker CLI is part of the test: a machine without it must fail here, not skip.
if (!bin) throw new Error('the docker CLI is required for the CLI conformance tests (.ci/run installs it)');

export interface CliSession {
  ports: ServerPorts;
  server: RunningServer;
  docker: (args: string[], timeoutMs?: number) => Promise<DockerResult>;
  /** The command's stdout; throws with everything needed to see why when it does not exit 0. */
  ok(args: string[], timeoutMs?: number): Promise<string>;
  /** stdout parsed as JSON (inspect without --format). */
  json<T>(args: string[]): Promise<T>;
  /** The command exits with `code` (1 unless given) and prints exactly `stderr` (trailing newline aside). */
  fails(args: string[], stderr: string, code?: number): Promise<DockerResult>;
  stop(): Promise<void>;
}

export async function startCliSession(
  prefix: string,
  opts: { simWorkers?: number; extraArgs?: string[] } = {},
): Promise<CliSession> {
  const data = tempDir(`swarmdeck-${prefix}-data-`);
  const config = tempDir(`swarmdeck-${prefix}-config-`);
  const ports = await freePorts();
  const docker = dockerCli(ports.engine, config.path, bin);
  const server = await startServer({
    dataDir: data.path,
    ports,
    simWorkers: opts.simWorkers ?? 3,
    extraArgs: opts.extraArgs,
  });
  const ok = async (args: string[], timeoutMs?: number) => {
    const r = await docker(args, timeoutMs);
    if (r.code !== 0)
      throw new Error(
        `docker ${args.join(' ')} → ${r.timedOut ? 'timed out' : `exit ${r.code}`}\nstdout: ${r.stdout}\nstderr: ${r.stderr}\nserver:\n${server.output().slice(-3000)}`,
      );
    return r.stdout;
  };
  return {
    ports,
    server,
    docker,
    ok,
    json: async <T>(args: string[]) => JSON.parse(await ok(args)) as T,
    fails: async (args, stderr, code = 1) => {
      const r = await docker(args);
      expect({ args, code: r.code, stderr: r.stderr.replace(/\n$/, '') }).toEqual({ args, code, stderr });
      return r;
    },
    stop: async () => {
      await server.stop();
      data.remove();
      config.remove();
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
