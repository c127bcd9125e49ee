// A manager of a spec's own, beside the shared one the config starts: for a
// spec that freezes it, or feeds it a cluster too large to share.
import { spawn, type ChildProcess } from 'node:child_process';
import { rmSync } from 'node:fs';
import { ADMIN_ENV } from './auth';

export interface OwnManager {
  proc: ChildProcess;
  /** the console's base URL */
  base: string;
  /** the Engine API's base URL */
  engine: string;
  /** SIGKILL (after SIGCONT, in case it was frozen) */
  stop(): void;
}

/**
 * `node --import tsx server/main.ts` directly, so signals reach the server
 * itself; resolves once it says it is ready. `args` are more flags
 * (`--executor sim --sim-workers 2`).
 */
export async function startOwnManager(
  ports: { console: number; engine: number; cluster: number },
  dataDir: string,
  args: string[],
  readyWithinMs = 90_000,
): Promise<OwnManager> {
  rmSync(dataDir, { recursive: true, force: true });
  const argv = ['--import', 'tsx', 'server/main.ts', '--console-port', String(ports.console)];
  argv.push('--engine-port', String(ports.engine), '--cluster-port', String(ports.cluster), '--data-dir', dataDir);
  const proc = spawn(process.execPath, [...argv, ...args], {
    env: { ...process.env, NEXT_TELEMETRY_DISABLED: '1', CHECKPOINT_DISABLE: '1', ...ADMIN_ENV },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let out = '';
  await new Promise<void>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`manager did not start:\n${out}`)), readyWithinMs);
    const read = (chunk: Buffer) => {
      out += chunk.toString();
      if (/swarmdeck ready: node \w+/.test(out)) {
        clearTimeout(timer);
        resolve();
      }
    };
    proc.stdout!.on('data', read);
    proc.stderr!.on('data', read);
    proc.once('exit', (code) => reject(new Error(`manager exited (${code}):\n${out}`)));
  });
  return {
    proc,
    base: `http://127.0.0.1:${ports.console}`,
    engine: `http://127.0.0.1:${ports.engine}`,
    stop() {
      if (proc.exitCode === null && proc.signalCode === null) {
        proc.kill('SIGCONT');
        proc.kill('SIGKILL');
      }
    },
  };
}
