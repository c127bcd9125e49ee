// The manager under fuzz: a real `swarmdeck` process with a bounded heap (a
// runaway allocation kills it in seconds instead of eating the machine),
// with or without its console, restartable on the same ports after a crash.

import { freePorts, startServer, tempDir, type RunningServer, type ServerPorts } from '../integration/harness';
import { consoleLogin } from '../manager-http';

export interface TargetOptions {
  console: boolean;
  heapMb: number;
  simWorkers?: number;
  ports?: ServerPorts;
  /** Reuse this data dir (a restart after a crash); else a fresh one. */
  dataDir?: string;
  readyTimeoutMs?: number;
}

export interface Target {
  ports: ServerPorts;
  dataDir: string;
  console: boolean;
  server: RunningServer;
  /** The manager's own node ID (for {{self}}). */
  selfNodeID: string;
  /** The test admin's session cookie (`name=value`) when the console is served: every console request carries it. */
  cookie?: string;
  /** Wall time the process exited, once it has. */
  exitedAt?: number;
  exitText?: string;
  stop(): Promise<void>;
  /** Stop and delete its data dir. */
  dispose(): Promise<void>;
}

/** Managers still running: killed if the fuzzer itself goes down, so none outlives it. */
const live = new Set<RunningServer>();
process.once('exit', () => {
  for (const s of live) s.proc.kill('SIGKILL');
});

export async function startTarget(opts: TargetOptions): Promise<Target> {
  const ports = opts.ports ?? (await freePorts());
  const dir = opts.dataDir ? undefined : tempDir('swarmdeck-fuzz-');
  const dataDir = opts.dataDir ?? dir!.path;
  const server = await startServer({
    dataDir,
    ports,
    simWorkers: opts.simWorkers ?? 3,
    console: opts.console,
    // FUZZ_MANAGER_NODE_ARGS adds node flags for a diagnosis, e.g. "--cpu-prof --cpu-prof-dir=.tmp/prof"
    nodeArgs: [
      `--max-old-space-size=${opts.heapMb}`,
      ...(process.env.FUZZ_MANAGER_NODE_ARGS?.split(' ').filter(Boolean) ?? []),
    ],
    readyTimeoutMs: opts.readyTimeoutMs ?? 60_000,
  });
  live.add(server);
  void server.exited.then(() => live.delete(server));
  const selfNodeID = /swarmdeck ready: node (\S+)/.exec(server.output())?.[1] ?? '';
  const cookie = opts.console ? await consoleLogin(`http://127.0.0.1:${ports.console}`) : undefined;
  const target: Target = {
    ports,
    dataDir,
    console: opts.console,
    server,
    selfNodeID,
    cookie,
    stop: () => server.stop(5_000),
    dispose: async () => {
      await server.stop(5_000);
      dir?.remove();
    },
  };
  server.proc.once('exit', (code, signal) => {
    target.exitedAt = Date.now();
    target.exitText = signal ? `killed by ${signal}` : `exit code ${code}`;
  });
  return target;
}

/** The last lines of what the process printed, for a crash report. */
export function outputTail(t: Target, chars = 3_000): string {
  const out = t.server.output();
  return out.length > chars ? '…' + out.slice(-chars) : out;
}
