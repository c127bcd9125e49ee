import { readFileSync } from 'node:fs';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { systemClock } from '../../util/clock';
import { execInTask } from './process-exec';

let dir: string;
beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'swarmdeck-exec-test-'));
});
afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

const env = { PATH: process.env.PATH ?? '/usr/bin:/bin', FOO: 'bar' };
const exec = (argv: string[], timeoutMs = 5000) => execInTask({ argv, env, cwd: dir, timeoutMs, clock: systemClock });

/** Alive and not a zombie. */
function alive(pid: number): boolean {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    const state = stat.slice(stat.lastIndexOf(')') + 2).split(' ')[0];
    return state !== 'Z' && state !== 'X';
  } catch {
    return false;
  }
}

describe('execInTask', () => {
  it('runs in the given env and directory and returns the exit code and output', async () => {
    expect(await exec(['/bin/sh', '-c', 'echo "$FOO in $(pwd)"; echo oops >&2'])).toEqual({
      exitCode: 0,
      output: `bar in ${dir}\noops\n`,
    });
    expect((await exec(['/bin/sh', '-c', 'exit 3'])).exitCode).toBe(3);
    const long = await exec(['/bin/sh', '-c', 'head -c 10000 /dev/zero | tr "\\0" x']);
    expect(long.output).toHaveLength(4096);
  });

  it('reports a command that cannot start as exit -1', async () => {
    const r = await exec(['/no/such/probe']);
    expect(r.exitCode).toBe(-1);
    expect(r.output).toMatch(/ENOENT/);
    expect(await exec([])).toEqual({ exitCode: -1, output: 'exec: no command' });
  });

  it('kills the whole probe group on timeout and fails it', { timeout: 10_000 }, async () => {
    const pidFile = join(dir, 'probe.pid');
    const t0 = Date.now();
    const r = await exec(['/bin/sh', '-c', `sleep 30 & echo $! > ${pidFile}; wait`], 300);
    expect(r).toEqual({ exitCode: -1, output: 'Health check exceeded timeout (300ms)' });
    expect(Date.now() - t0).toBeLessThan(3000);
    const sleeper = Number((await readFile(pidFile, 'utf8')).trim());
    const end = Date.now() + 2000;
    while (alive(sleeper) && Date.now() < end) await new Promise((res) => setTimeout(res, 20));
    expect(alive(sleeper)).toBe(false);
  });
});
