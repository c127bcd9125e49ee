// `swarmdeck agent leave`: `docker swarm leave` for an agent. An agent has no
// Engine API to take the docker CLI's request, so the command is its own: it
// asks the agent running on the data dir (its pid file) to leave with
// SIGUSR2 and waits for it to exit. Leaving stops the node's tasks, ends its
// session (the managers see it DOWN) and removes its identity, so its next
// start must join again, as a new node.

import { existsSync, readFileSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { writePrivateFile } from '../util/private-files';

/** The signal that asks a running agent to leave its swarm. */
export const LEAVE_SIGNAL = 'SIGUSR2';
const PID_FILE = 'agent.pid';
const EXIT_WAIT_MS = 30_000;

export function writeAgentPid(dataDir: string): void {
  writePrivateFile(join(dataDir, PID_FILE), `${process.pid}\n`);
}

export function removeAgentPid(dataDir: string): void {
  rmSync(join(dataDir, PID_FILE), { force: true });
}

function runningAgent(dataDir: string): number | undefined {
  const file = join(dataDir, PID_FILE);
  if (!existsSync(file)) return undefined;
  const pid = Number(readFileSync(file, 'utf8').trim());
  if (!Number.isInteger(pid) || pid <= 1) return undefined;
  try {
    process.kill(pid, 0);
  } catch {
    return undefined;
  }
  // a stale file's pid may belong to another process now: SIGUSR2 would end it
  try {
    const cmdline = readFileSync(`/proc/${pid}/cmdline`, 'utf8');
    if (!/agent/.test(cmdline)) return undefined;
  } catch {
    // no /proc: trust the file
  }
  return pid;
}

/** Exit code of `swarmdeck agent leave`: 0 once the agent left, 1 when none runs on the data dir or it did not go. */
export async function leaveFromCommandLine(dataDir: string): Promise<number> {
  const pid = runningAgent(dataDir);
  if (pid === undefined) {
    process.stderr.write(
      existsSync(join(dataDir, 'agent-credentials.json'))
        ? `swarmdeck agent leave: no agent runs on ${dataDir}: start it, then leave (its tasks are stopped as it leaves)\n`
        : 'This node is not part of a swarm\n',
    );
    return 1;
  }
  process.kill(pid, LEAVE_SIGNAL);
  const end = Date.now() + EXIT_WAIT_MS;
  for (;;) {
    try {
      process.kill(pid, 0);
    } catch {
      process.stdout.write('Node left the swarm.\n');
      return 0;
    }
    if (Date.now() > end) {
      process.stderr.write(`swarmdeck agent leave: the agent (pid ${pid}) did not leave within 30 s\n`);
      return 1;
    }
    await new Promise((r) => setTimeout(r, 100));
  }
}
