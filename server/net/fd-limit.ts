// The process's open-file limit (RLIMIT_NOFILE): every connection, SQLite file
// and task log is a descriptor, so a low soft limit caps how many clients the
// listeners can hold. Raised to the hard limit at start where allowed, and
// reported when it stays low. Node has no setrlimit; on Linux `prlimit` (util-
// linux) can set it for our own process, which needs no privilege up to the hard limit.

import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';

export interface FdLimit {
  soft: number;
  /** Infinity when unlimited. */
  hard: number;
}

/** Below this, a busy manager can run out of descriptors: said at start and in `docker info`. */
export const LOW_FD_LIMIT = 4096;

const parseLimit = (v: string): number => (v === 'unlimited' ? Infinity : Number(v));

/** From /proc/self/limits; undefined where that does not exist (not Linux). */
export function readFdLimit(limitsFile = '/proc/self/limits'): FdLimit | undefined {
  let text: string;
  try {
    text = readFileSync(limitsFile, 'utf8');
  } catch {
    return undefined;
  }
  const m = /^Max open files\s+(\d+|unlimited)\s+(\d+|unlimited)/m.exec(text);
  return m ? { soft: parseLimit(m[1]!), hard: parseLimit(m[2]!) } : undefined;
}

/** Set this process's soft and hard limits (the hard one can only go down without privilege). */
export function setFdLimit(soft: number, hard: number): void {
  const fmt = (n: number) => (n === Infinity ? 'unlimited' : String(n));
  execFileSync('prlimit', ['--pid', String(process.pid), `--nofile=${fmt(soft)}:${fmt(hard)}`], {
    stdio: ['ignore', 'ignore', 'pipe'],
    timeout: 5_000,
  });
}

export interface FdLimitOutcome {
  before?: FdLimit;
  after?: FdLimit;
  /** Why the soft limit could not be raised, when it could not. */
  error?: string;
}

/**
 * Raise the soft limit to the hard one. Node itself already does this at start
 * on most platforms; this covers the rest (and says what it found).
 */
export function raiseFdLimit(): FdLimitOutcome {
  const before = readFdLimit();
  if (!before || before.soft >= before.hard) return { before, after: before };
  try {
    setFdLimit(before.hard, before.hard);
  } catch (err) {
    const e = err as Error & { stderr?: Buffer };
    return { before, after: readFdLimit(), error: e.stderr?.toString().trim() || e.message };
  }
  return { before, after: readFdLimit() };
}

/** The warning for a low limit (for the log and `docker info`), or undefined. */
export function fdLimitWarning(limit: FdLimit | undefined = readFdLimit()): string | undefined {
  if (!limit || limit.soft >= LOW_FD_LIMIT) return undefined;
  return (
    `WARNING: the open file limit is ${limit.soft} (hard limit ${limit.hard}), below ${LOW_FD_LIMIT}: ` +
    'connections are limited to fit it; raise it with `ulimit -n` or LimitNOFILE='
  );
}

/** `docker info`'s Warnings from this module: the low-limit warning, read afresh. */
export function fdLimitWarnings(): string[] {
  const w = fdLimitWarning();
  return w ? [w] : [];
}
