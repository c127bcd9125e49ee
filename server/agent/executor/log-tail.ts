import { fstatSync, ftruncateSync, watch, type FSWatcher } from 'node:fs';
import { open, type FileHandle } from 'node:fs/promises';
import { StringDecoder } from 'node:string_decoder';
import { LineSplitter, type LogStream } from './log-ring';

export interface LogTailOptions {
  /** Once this many bytes have been read, the file is emptied (its writers append, so they carry on). */
  capBytes: number;
  /** Poll period in real time, for when fs.watch misses a change (or is unavailable). */
  pollMs: number;
}

export const DEFAULT_LOG_FILE_CAP = 8 * 1024 * 1024;
export const DEFAULT_LOG_POLL_MS = 200;
const CHUNK = 64 * 1024;

/**
 * Follows a log file that a task process appends to (O_APPEND), splitting it
 * into lines for the log ring. Reads are woken by fs.watch and by a short
 * poll; a file that shrank (emptied here or by an older executor) is read
 * again from the start. Bounds the disk: a file read past the cap is
 * truncated to 0 — bytes appended between the size check and the truncate
 * (two adjacent syscalls) would be lost.
 */
export class LogTail {
  private offset = 0;
  private fh?: FileHandle;
  private readonly decoder = new StringDecoder('utf8');
  private readonly splitter: LineSplitter;
  private watcher?: FSWatcher;
  private timer?: NodeJS.Timeout;
  private reading?: Promise<void>;
  private again = false;
  private closed = false;

  constructor(
    private readonly path: string,
    stream: LogStream,
    emit: (stream: LogStream, line: string) => void,
    private readonly opts: LogTailOptions,
  ) {
    this.splitter = new LineSplitter((line) => emit(stream, line));
  }

  /** Starts following; the file's current content is read at once. */
  start(): void {
    if (this.closed || this.timer) return;
    try {
      this.watcher = watch(this.path, { persistent: false }, () => void this.drain());
      this.watcher.on('error', () => this.closeWatcher());
    } catch {
      // No watch (missing file, no inotify): the poll alone follows it.
    }
    this.timer = setInterval(() => void this.drain(), this.opts.pollMs);
    this.timer.unref();
    void this.drain();
  }

  /** Reads everything written so far; concurrent calls share one reader and each sees a full pass after it. */
  drain(): Promise<void> {
    if (this.closed) return Promise.resolve();
    if (this.reading) {
      this.again = true;
      return this.reading;
    }
    this.reading = this.readPasses().finally(() => (this.reading = undefined));
    return this.reading;
  }

  /** Stops following; with `flush`, a last unterminated line is emitted. */
  async close(opts: { flush: boolean }): Promise<void> {
    if (this.timer) clearInterval(this.timer);
    this.timer = undefined;
    this.closeWatcher();
    await this.reading;
    this.closed = true;
    if (opts.flush) {
      this.splitter.write(this.decoder.end());
      this.splitter.end();
    }
    await this.fh?.close().catch(() => {});
    this.fh = undefined;
  }

  private closeWatcher(): void {
    this.watcher?.close();
    this.watcher = undefined;
  }

  private async readPasses(): Promise<void> {
    do {
      this.again = false;
      try {
        await this.readOnce();
      } catch (err) {
        if ((err as NodeJS.ErrnoException).code !== 'ENOENT') console.error(`executor: reading ${this.path}`, err);
      }
    } while (this.again && !this.closed);
  }

  private async readOnce(): Promise<void> {
    // Read-write: the same descriptor empties it.
    this.fh ??= await open(this.path, 'r+');
    const fh = this.fh;
    const { size } = await fh.stat();
    if (size < this.offset) this.offset = 0; // emptied since the last read
    const buf = Buffer.allocUnsafe(CHUNK);
    for (;;) {
      const { bytesRead } = await fh.read(buf, 0, CHUNK, this.offset);
      if (bytesRead === 0) break;
      this.offset += bytesRead;
      this.splitter.write(this.decoder.write(buf.subarray(0, bytesRead)));
    }
    if (this.offset > this.opts.capBytes) {
      // Only when nothing arrived since the read above (else the next pass reads it first). The check and
      // the truncate are two back-to-back synchronous syscalls, to keep the window for a lost write tiny.
      if (fstatSync(fh.fd).size === this.offset) {
        ftruncateSync(fh.fd, 0);
        this.offset = 0;
      } else this.again = true;
    }
  }
}
