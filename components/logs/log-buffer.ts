// The console's log lines: merged across tasks by time, bounded, filterable.
// Plain data and functions (unit-tested); the view renders a window of it.

import type { LogMessage, LogStreamName } from '@/server/api/logs';

export interface LogLine {
  /** Arrival order, unique: the row key. */
  seq: number;
  time: string;
  stream: LogStreamName;
  line: string;
  taskID: string;
  nodeID: string;
  serviceID: string;
}

export const DEFAULT_MAX_LINES = 10_000;

/**
 * A time-ordered buffer of at most `max` lines (the oldest go first). Lines
 * arrive mostly in order, so an insert is usually an append; a late one is
 * placed by binary search. `version` changes on every change.
 */
export class LogBuffer {
  private rows: LogLine[] = [];
  private seq = 0;
  version = 0;
  /** Lines dropped because the buffer was full. */
  dropped = 0;

  constructor(readonly max = DEFAULT_MAX_LINES) {}

  get size(): number {
    return this.rows.length;
  }
  get lines(): readonly LogLine[] {
    return this.rows;
  }
  get lastTime(): string | undefined {
    return this.rows[this.rows.length - 1]?.time;
  }

  add(batch: readonly LogMessage[]): void {
    if (batch.length === 0) return;
    for (const m of batch) {
      const row: LogLine = {
        seq: ++this.seq,
        time: m.time,
        stream: m.stream,
        line: m.line,
        taskID: m.context.taskID,
        nodeID: m.context.nodeID,
        serviceID: m.context.serviceID,
      };
      const last = this.rows[this.rows.length - 1];
      if (!last || last.time <= row.time) this.rows.push(row);
      else this.rows.splice(upperBound(this.rows, row.time), 0, row);
    }
    const over = this.rows.length - this.max;
    if (over > 0) {
      this.rows.splice(0, over);
      this.dropped += over;
    }
    this.version++;
  }

  /** Whether this exact line is already kept (a reconnect re-sending its last moment). */
  has(m: LogMessage): boolean {
    for (let i = this.rows.length - 1; i >= 0; i--) {
      const r = this.rows[i]!;
      if (r.time < m.time) return false;
      if (r.time === m.time && r.taskID === m.context.taskID && r.line === m.line && r.stream === m.stream) return true;
    }
    return false;
  }

  clear(): void {
    this.rows = [];
    this.dropped = 0;
    this.version++;
  }
}

/** First index whose time is after `time`. */
function upperBound(rows: readonly LogLine[], time: string): number {
  let lo = 0;
  let hi = rows.length;
  while (lo < hi) {
    const mid = (lo + hi) >>> 1;
    if (rows[mid]!.time <= time) lo = mid + 1;
    else hi = mid;
  }
  return lo;
}

export interface LogFilter {
  text: string;
  stream: 'all' | LogStreamName;
  /** '' = every task. */
  taskID: string;
}

export const NO_FILTER: LogFilter = { text: '', stream: 'all', taskID: '' };

export function isFiltering(f: LogFilter): boolean {
  return f.text.trim() !== '' || f.stream !== 'all' || f.taskID !== '';
}

/** The lines that pass the filter (the text matches case-insensitively, in the line or its prefix). */
export function filterLines(
  lines: readonly LogLine[],
  f: LogFilter,
  prefixOf: (l: LogLine) => string = () => '',
): readonly LogLine[] {
  if (!isFiltering(f)) return lines;
  const needle = f.text.trim().toLowerCase();
  return lines.filter(
    (l) =>
      (f.stream === 'all' || l.stream === f.stream) &&
      (f.taskID === '' || l.taskID === f.taskID) &&
      (needle === '' || l.line.toLowerCase().includes(needle) || prefixOf(l).toLowerCase().includes(needle)),
  );
}

/** `service.slot@node` (global tasks: `service.<node id>@node`), as the CLI names a line's task. */
export function linePrefix(serviceName: string, slot: number | undefined, nodeID: string, hostname: string): string {
  const s = slot ? String(slot) : nodeID.slice(0, 12);
  return `${serviceName}.${s}@${hostname}`;
}

/** A stable hue per task, so each task's prefix keeps its colour. */
export function taskHue(taskID: string): number {
  let h = 0;
  for (let i = 0; i < taskID.length; i++) h = (h * 31 + taskID.charCodeAt(i)) >>> 0;
  return h % 360;
}

/** `HH:MM:SS.mmm` in local time. */
export function clockTime(iso: string): string {
  const d = new Date(iso);
  if (Number.isNaN(d.getTime())) return '';
  const p = (n: number, w = 2) => String(n).padStart(w, '0');
  return `${p(d.getHours())}:${p(d.getMinutes())}:${p(d.getSeconds())}.${p(d.getMilliseconds(), 3)}`;
}

/** Parses one NDJSON chunk boundary-safely: returns the complete lines and the rest. */
export function splitNdjson(pending: string, chunk: string): { lines: string[]; rest: string } {
  const text = pending + chunk;
  const parts = text.split('\n');
  const rest = parts.pop() ?? '';
  return { lines: parts.filter((l) => l.trim() !== ''), rest };
}
