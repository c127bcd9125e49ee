// Plausible output for simulated tasks, so demos have logs: a start line, a
// line every few seconds while the task runs (an access log for web images,
// a status line otherwise, now and then a warning on stderr) and an exit
// line. Lines are made lazily when someone reads or follows a task, so ten
// thousand idle simulated tasks cost no timers.

import { createHash } from 'node:crypto';
import type { Task } from '../../api/types';
import { iso, type Clock } from '../../util/clock';
import { LogRing, type LogEntry, type LogListener, type LogStream } from './log-ring';

export interface SimLogOptions {
  /** Time between periodic lines. Default 3 s. */
  everyMs?: number;
  /** Lines kept per task. Default 500. */
  maxLines?: number;
}

interface SimTaskLog {
  ring: LogRing;
  name: string;
  image: string;
  seed: number;
  startedAt: number;
  /** Index of the next periodic line (line i is due at startedAt + i·everyMs). */
  next: number;
  endedAt?: number;
  followers: number;
  cancelTimer?: () => void;
  gone?: boolean;
}

const WEB_IMAGE = /nginx|httpd|caddy|traefik|web|http|whoami/i;
const PATHS = ['/', '/index.html', '/api/status', '/healthz', '/static/app.js', '/favicon.ico', '/api/items?page=2'];

function hash32(s: string): number {
  return createHash('sha256').update(s).digest().readUInt32BE(0);
}

/** The i-th periodic line of a task (deterministic). */
export function simLine(image: string, seed: number, i: number, at: number): { stream: LogStream; line: string } {
  const r = hash32(`${seed}:${i}`);
  if (i % 7 === 6) return { stream: 'stderr', line: `warn: slow request took ${200 + (r % 1800)} ms` };
  if (WEB_IMAGE.test(image)) {
    const ip = `10.0.${(r >>> 8) % 4}.${2 + (r % 250)}`;
    const path = PATHS[(r >>> 16) % PATHS.length]!;
    const status = r % 23 === 0 ? 404 : 200;
    const when = new Date(at).toISOString().replace('T', ' ').slice(0, 19);
    return { stream: 'stdout', line: `${ip} - - [${when}] "GET ${path} HTTP/1.1" ${status} ${300 + (r % 9000)}` };
  }
  return {
    stream: 'stdout',
    line: `tick ${i}: processed ${r % 500} jobs, queue ${(r >>> 9) % 40}, heap ${40 + ((r >>> 4) % 80)} MiB`,
  };
}

export class SimLogs {
  private readonly everyMs: number;
  private readonly maxLines: number;
  private readonly tasks = new Map<string, SimTaskLog>();

  constructor(
    private readonly clock: Clock,
    opts: SimLogOptions = {},
  ) {
    this.everyMs = Math.max(1, opts.everyMs ?? 3_000);
    this.maxLines = opts.maxLines ?? 500;
  }

  /** The task's process "started": its first line. */
  started(task: Task): void {
    if (this.tasks.has(task.ID)) return;
    const now = this.clock.now();
    const slot = task.Slot ? String(task.Slot) : task.NodeID;
    const name = `${task.ServiceAnnotations?.Name ?? task.ServiceID}.${slot}`;
    const image = task.Spec.ContainerSpec?.Image ?? '';
    const st: SimTaskLog = {
      ring: new LogRing({ maxLines: this.maxLines }),
      name,
      image,
      seed: hash32(task.ID),
      startedAt: now,
      next: 1,
      followers: 0,
    };
    this.tasks.set(task.ID, st);
    st.ring.push({ stream: 'stdout', time: iso(now), line: `${name} starting (image ${image || 'unknown'})` });
  }

  exited(taskID: string, code: number): void {
    const st = this.tasks.get(taskID);
    if (!st || st.endedAt !== undefined) return;
    this.fill(st);
    st.endedAt = this.clock.now();
    st.cancelTimer?.();
    st.cancelTimer = undefined;
    const stream: LogStream = code === 0 || code === 143 ? 'stdout' : 'stderr';
    const line = code === 143 ? 'received SIGTERM, shutting down' : `exiting with code ${code}`;
    st.ring.push({ stream, time: iso(st.endedAt), line });
  }

  removed(taskID: string): void {
    const st = this.tasks.get(taskID);
    if (!st) return;
    st.gone = true;
    st.cancelTimer?.();
    st.ring.clearListeners();
    this.tasks.delete(taskID);
  }

  logs(taskID: string, opts: { tail?: number } = {}): LogEntry[] {
    const st = this.tasks.get(taskID);
    if (!st) return [];
    this.fill(st);
    return st.ring.list(opts.tail);
  }

  subscribeLogs(taskID: string, listener: LogListener): () => void {
    const st = this.tasks.get(taskID);
    if (!st) return () => {};
    this.fill(st);
    const off = st.ring.subscribe(listener);
    st.followers++;
    this.arm(st);
    let done = false;
    return () => {
      if (done) return;
      done = true;
      off();
      st.followers--;
      if (st.followers === 0) {
        st.cancelTimer?.();
        st.cancelTimer = undefined;
      }
    };
  }

  /** Pushes the periodic lines due by now (at most a ring's worth). */
  private fill(st: SimTaskLog): void {
    const until = Math.min(this.clock.now(), st.endedAt ?? Infinity);
    const due = Math.floor((until - st.startedAt) / this.everyMs);
    if (due - st.next + 1 > this.maxLines) st.next = due - this.maxLines + 1;
    for (; st.next <= due; st.next++) {
      const at = st.startedAt + st.next * this.everyMs;
      const { stream, line } = simLine(st.image, st.seed, st.next, at);
      st.ring.push({ stream, time: iso(at), line });
    }
  }

  private arm(st: SimTaskLog): void {
    if (st.cancelTimer || st.endedAt !== undefined || st.followers === 0) return;
    const at = st.startedAt + st.next * this.everyMs;
    st.cancelTimer = this.clock.setTimeout(
      () => {
        st.cancelTimer = undefined;
        if (st.gone) return;
        this.fill(st);
        this.arm(st);
      },
      Math.max(0, at - this.clock.now()),
    );
  }
}
