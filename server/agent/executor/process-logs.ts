// Where a task's output goes into its log ring: the pipes of a child (plain
// mode), or the log files it appends to (durable mode), stamped when read.
import type { ChildProcess } from 'node:child_process';
import { iso, type Clock } from '../../util/clock';
import { LineSplitter, type LogStream } from './log-ring';
import { DEFAULT_LOG_FILE_CAP, DEFAULT_LOG_POLL_MS, LogTail } from './log-tail';
import { taskFiles } from './process-state';
import type { TaskProcess } from './task-process';

/** Reads the child's stdout and stderr line by line into the task's ring. */
export function capturePipes(p: TaskProcess, child: ChildProcess, clock: Clock): void {
  const attach = (stream: LogStream, src: NodeJS.ReadableStream | null) => {
    if (!src) return;
    src.setEncoding('utf8');
    const splitter = new LineSplitter((line) => p.logs.push({ stream, time: iso(clock.now()), line }));
    src.on('data', (chunk: string) => splitter.write(chunk));
    src.on('end', () => splitter.end());
    src.on('error', () => splitter.end());
  };
  attach('stdout', child.stdout);
  attach('stderr', child.stderr);
}

/** Durable mode: follows the task's log files into its ring; lines are stamped when read. */
export function followLogFiles(p: TaskProcess, clock: Clock, capBytes = DEFAULT_LOG_FILE_CAP): void {
  const files = taskFiles(p.dir!);
  const opts = { capBytes, pollMs: DEFAULT_LOG_POLL_MS };
  const emit = (stream: LogStream, line: string) => p.logs.push({ stream, time: iso(clock.now()), line });
  p.tails = [new LogTail(files.stdout, 'stdout', emit, opts), new LogTail(files.stderr, 'stderr', emit, opts)];
  for (const t of p.tails) t.start();
}

/** Reads what is left in the files and stops following them. */
export async function drainLogFiles(p: TaskProcess): Promise<void> {
  const tails = p.tails ?? [];
  await Promise.all(tails.map((t) => t.drain()));
  await Promise.all(tails.map((t) => t.close({ flush: true })));
}

/** Stops following the files without a last read (detach, remove). */
export async function closeLogFiles(p: TaskProcess): Promise<void> {
  await Promise.all((p.tails ?? []).map((t) => t.close({ flush: false })));
}
