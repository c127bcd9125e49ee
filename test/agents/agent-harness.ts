// Agent processes for multi-process tests and benchmarks: `swarmdeck agent`
// started with a join command, killed or stopped for certain, and the task
// processes it leaves behind (they outlive agents by design) cleaned up.

import type { ChildProcess } from 'node:child_process';
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { spawnUntilReady, type SpawnAs } from '../integration/harness';

export interface AgentOptions {
  /** A manager's cluster address (host:port). */
  join: string;
  token: string;
  dataDir: string;
  hostname: string;
  labels?: Record<string, string>;
  executor?: 'process' | 'sim';
  readyTimeoutMs?: number;
  as?: SpawnAs;
  /** Extra environment (e.g. SWARMDECK_AGENT_TOKEN instead of --token). */
  env?: Record<string, string>;
  /** --advertise-addr (several local nodes bind their published ports on 127.0.0.2, 127.0.0.3, …). */
  advertiseAddr?: string;
  /** More flags, e.g. ['--data-path-port', '0']. */
  extraArgs?: string[];
}

export interface RunningAgent {
  readonly opts: AgentOptions;
  readonly proc: ChildProcess;
  /** The node ID the agent keeps in its data dir. */
  nodeID(): string;
  output(): string;
  kill(signal: NodeJS.Signals): void;
  /** SIGTERM (tasks keep running), SIGKILL after `graceMs`. Safe to call twice. */
  stop(graceMs?: number): Promise<void>;
  exited(): Promise<void>;
}

export async function startAgent(opts: AgentOptions): Promise<RunningAgent> {
  const args = [
    'server/agent-process/main.ts',
    ...(opts.join ? ['--join', opts.join] : []),
    ...(opts.token ? ['--token', opts.token] : []),
    '--data-dir',
    opts.dataDir,
    '--hostname',
    opts.hostname,
    '--executor',
    opts.executor ?? 'process',
    ...(opts.advertiseAddr ? ['--advertise-addr', opts.advertiseAddr] : []),
    ...(opts.extraArgs ?? []),
  ];
  for (const [k, v] of Object.entries(opts.labels ?? {})) args.push('--label', `${k}=${v}`);
  const p = await spawnUntilReady(args, 'swarmdeck agent ready', `agent ${opts.hostname}`, opts.readyTimeoutMs, {
    ...opts.as,
    env: { ...opts.as?.env, ...opts.env },
  });
  return {
    opts,
    proc: p.proc,
    nodeID: () => (JSON.parse(readFileSync(join(opts.dataDir, 'node.json'), 'utf8')) as { nodeID: string }).nodeID,
    output: p.output,
    kill: (signal) => {
      if (p.alive()) p.proc.kill(signal);
    },
    stop: p.stop,
    exited: () => p.exited,
  };
}

/** Live task processes (pid → task ID) that the executor started for `nodeID`, read from /proc. */
export function taskProcesses(nodeID: string): Map<number, string> {
  const found = new Map<number, string>();
  for (const entry of readdirSync('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    let env: string;
    try {
      env = readFileSync(`/proc/${entry}/environ`, 'latin1');
    } catch {
      continue; // gone, or not ours to read
    }
    const vars = env.split('\0');
    if (!vars.includes(`SWARMDECK_NODE_ID=${nodeID}`)) continue;
    const task = vars.find((v) => v.startsWith('SWARMDECK_TASK_ID='));
    if (task) found.set(Number(entry), task.slice('SWARMDECK_TASK_ID='.length));
  }
  return found;
}

/**
 * Task ID → the process groups running it (a task runs as one group: a wrapper
 * shell and its command share it; two groups for one task would be a double run).
 */
export function taskGroups(nodeID: string): Map<string, Set<number>> {
  const groups = new Map<string, Set<number>>();
  for (const [pid, task] of taskProcesses(nodeID)) {
    let pgid: number;
    try {
      // /proc/<pid>/stat: "pid (comm) state ppid pgrp …"; comm may hold spaces, so split after its ')'
      const stat = readFileSync(`/proc/${pid}/stat`, 'latin1');
      pgid = Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[2]);
    } catch {
      continue;
    }
    if (!groups.has(task)) groups.set(task, new Set());
    groups.get(task)!.add(pgid);
  }
  return groups;
}

/** SIGKILL every task process of these nodes (their agents are gone; tests must leave nothing behind). */
export function killTaskProcesses(nodeIDs: string[]): void {
  for (const id of nodeIDs) {
    for (const pid of taskProcesses(id).keys()) {
      try {
        process.kill(pid, 'SIGKILL');
      } catch {
        // already gone
      }
    }
  }
}
