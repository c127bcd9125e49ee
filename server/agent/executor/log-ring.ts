export type LogStream = 'stdout' | 'stderr';

export interface LogEntry {
  stream: LogStream;
  /** ISO 8601 time the line was read. */
  time: string;
  line: string;
}

export type LogListener = (entry: LogEntry) => void;

export interface LogLimits {
  /** Lines kept per task (oldest dropped first). Default 10,000. */
  maxLines?: number;
  /** Bytes of line text kept per task. Default 5 MiB. */
  maxBytes?: number;
}

/** Docker splits longer lines into 16 KiB pieces; so do we. */
export const MAX_LINE_BYTES = 16 * 1024;

/** A bounded buffer of one task's output lines, with live subscribers for follow mode. */
export class LogRing {
  private entries: LogEntry[] = [];
  private head = 0;
  private bytes = 0;
  private listeners = new Set<LogListener>();
  private readonly maxLines: number;
  private readonly maxBytes: number;

  constructor(limits: LogLimits = {}) {
    this.maxLines = limits.maxLines ?? 10_000;
    this.maxBytes = limits.maxBytes ?? 5 * 1024 * 1024;
  }

  get size(): number {
    return this.entries.length - this.head;
  }

  push(entry: LogEntry): void {
    this.entries.push(entry);
    this.bytes += Buffer.byteLength(entry.line);
    while (this.size > this.maxLines || (this.bytes > this.maxBytes && this.size > 1)) {
      this.bytes -= Buffer.byteLength(this.entries[this.head]!.line);
      this.head++;
    }
    // Compact now and then instead of shifting on every push.
    if (this.head > 1024 && this.head * 2 > this.entries.length) {
      this.entries = this.entries.slice(this.head);
      this.head = 0;
    }
    for (const l of this.listeners) {
      try {
        l(entry);
      } catch (err) {
        console.error('executor: log listener failed', err);
      }
    }
  }

  /** The kept lines, oldest first; `tail` keeps only the last N. */
  list(tail?: number): LogEntry[] {
    const from = tail === undefined ? this.head : Math.max(this.head, this.entries.length - tail);
    return this.entries.slice(from);
  }

  subscribe(listener: LogListener): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  clearListeners(): void {
    this.listeners.clear();
  }
}

/** Splits a byte stream into lines (LF, CRLF), emitting each complete one; `end()` flushes the rest. */
export class LineSplitter {
  private partial = '';
  constructor(private readonly emit: (line: string) => void) {}

  write(chunk: string): void {
    const text = this.partial + chunk;
    const lines = text.split('\n');
    this.partial = lines.pop() ?? '';
    for (const l of lines) this.emitLine(l.endsWith('\r') ? l.slice(0, -1) : l);
    while (Buffer.byteLength(this.partial) > MAX_LINE_BYTES) {
      this.emit(this.partial.slice(0, MAX_LINE_BYTES));
      this.partial = this.partial.slice(MAX_LINE_BYTES);
    }
  }

  end(): void {
    if (this.partial) this.emitLine(this.partial);
    this.partial = '';
  }

  private emitLine(line: string): void {
    for (let i = 0; i < line.length || i === 0; i += MAX_LINE_BYTES) {
      this.emit(line.slice(i, i + MAX_LINE_BYTES));
      if (line.length === 0) break;
    }
  }
}
