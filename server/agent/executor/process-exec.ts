import { spawn } from 'node:child_process';
import type { Clock } from '../../util/clock';
import type { ExecResult } from './executor';

/** Docker keeps at most this much of a probe's output. */
const MAX_OUTPUT = 4096;
/** How long an exited command's output pipes may stay open (held by a process outside its group). */
const PIPE_DRAIN_MS = 1_000;

export interface ExecOptions {
  argv: string[];
  env: Record<string, string>;
  cwd: string;
  timeoutMs: number;
  /** Times the timeout (the executor's clock). */
  clock: Clock;
}

/** Go's time.Duration text for the timeout message: 1s, 1.5s, 500ms. */
function durationText(ms: number): string {
  return ms >= 1000 ? `${ms / 1000}s` : `${ms}ms`;
}

function killGroup(pid: number): void {
  try {
    process.kill(-pid, 'SIGKILL');
  } catch {
    /* already gone */
  }
}

/**
 * Runs a command beside a task process, as `docker exec` runs one in a
 * container: same environment and directory, its own process group so that
 * a timeout (or its own exit) takes down everything it started. Never
 * rejects: a command that cannot start resolves with exit code -1 and why.
 */
export function execInTask(opts: ExecOptions): Promise<ExecResult> {
  const [cmd, ...args] = opts.argv;
  if (!cmd) return Promise.resolve({ exitCode: -1, output: 'exec: no command' });
  return new Promise((resolve) => {
    let output = '';
    let done = false;
    const collect = (chunk: string) => {
      if (output.length < MAX_OUTPUT) output = (output + chunk).slice(0, MAX_OUTPUT);
    };
    const child = spawn(cmd, args, {
      cwd: opts.cwd,
      env: opts.env as NodeJS.ProcessEnv,
      detached: true,
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    const finish = (r: ExecResult) => {
      if (done) return;
      done = true;
      cancelTimeout();
      resolve(r);
    };
    const cancelTimeout = opts.clock.setTimeout(() => {
      if (child.pid !== undefined) killGroup(child.pid);
      finish({ exitCode: -1, output: `Health check exceeded timeout (${durationText(opts.timeoutMs)})` });
    }, opts.timeoutMs);
    child.stdout?.setEncoding('utf8').on('data', collect);
    child.stderr?.setEncoding('utf8').on('data', collect);
    child.once('error', (err) => finish({ exitCode: -1, output: `exec: ${err.message}` }));
    child.once('exit', (code) => {
      // Nothing the command started outlives it.
      if (child.pid !== undefined) killGroup(child.pid);
      const settle = () => finish({ exitCode: code ?? -1, output });
      child.once('close', settle);
      setTimeout(settle, PIPE_DRAIN_MS).unref();
    });
  });
}
