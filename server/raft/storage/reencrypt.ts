// The background re-encryption of the raft tables (a DEK rotation, or the
// upgrade of a plaintext data dir): while the manager keeps writing, every
// stored entry and snapshot not under the new key is rewritten through the
// storage's one writer, in small batches, then the new key becomes the only
// one. swarmkit instead snapshots and drops the old WAL; rewriting rows is the
// SQLite equivalent and needs no downtime.

import { entryContext, snapshotContext } from '../../storage/encryption/envelope';
import type { RaftKeyRing } from '../../storage/encryption/raft-key-ring';
import type { RecordRewrite, RecordTable, SqliteRaftStorage } from './sqlite-storage';

export interface ReencryptionOptions {
  /** Rows read and rewritten per transaction. */
  batch?: number;
  log?: (line: string) => void;
}

export interface PassResult {
  rewritten: number;
  /** of them, rows that were plaintext (a data dir from before encryption) */
  plaintext: number;
}

/** A pass that still finds rows to rewrite after this many rounds is a bug, not a race. */
const MAX_ROUNDS = 5;
const CHECKPOINT_TRIES = 20;

export class RecordReencryption {
  private running: Promise<void> | undefined;
  private again = false;
  private stopped = false;
  private readonly off: () => void;
  /** Rotations finished since start (tests, logs). */
  rotations = 0;

  constructor(
    private readonly storage: SqliteRaftStorage,
    private readonly ring: RaftKeyRing,
    private readonly opts: ReencryptionOptions = {},
  ) {
    this.off = ring.onRotationWanted(() => this.kick());
  }

  /** Starts a rotation if one is wanted and none runs (a request mid-pass runs next). */
  kick(): void {
    if (this.stopped) return;
    if (this.running) {
      this.again = true;
      return;
    }
    if (!this.ring.rotationWanted()) return;
    this.running = this.loop()
      .catch((err: unknown) => {
        // the pending key stays in the key file: the next start (or request) resumes the pass
        this.say(`raft: re-encryption stopped: ${err instanceof Error ? err.message : String(err)}`);
      })
      .finally(() => {
        this.running = undefined;
        if (this.again && !this.stopped) {
          this.again = false;
          this.kick();
        }
      });
  }

  /** Resolves once no rotation runs (tests). */
  async idle(): Promise<void> {
    while (this.running) await this.running;
  }

  async stop(): Promise<void> {
    this.stopped = true;
    this.off();
    await this.idle();
  }

  private say(line: string): void {
    (this.opts.log ?? ((l: string) => console.log(l)))(line);
  }

  private async loop(): Promise<void> {
    while (!this.stopped && this.ring.rotationWanted()) {
      const key = this.ring.beginRotation();
      if (!key) return;
      // every write encoded under the old key before this point has committed: the scan sees it
      await this.storage.barrier();
      const total: PassResult = { rewritten: 0, plaintext: 0 };
      for (let round = 1; ; round++) {
        const r = await this.pass();
        if (this.stopped) return;
        if (r.rewritten === 0) break;
        total.rewritten += r.rewritten;
        total.plaintext += r.plaintext;
        if (round >= MAX_ROUNDS) throw new Error(`rows still under an old key after ${round} passes`);
      }
      this.ring.finishRotation(key);
      this.rotations++;
      // a rewritten row's old bytes may stay in free pages (secure_delete=FAST zeroes only what it
      // writes anyway): ciphertext under a retired key is harmless there, plaintext is not
      if (total.plaintext > 0) await this.storage.maintain('vacuum');
      await this.checkpoint();
      this.say(
        `raft: data key rotated: ${total.rewritten} record(s) re-encrypted` +
          (total.plaintext > 0 ? ` (${total.plaintext} were plaintext)` : ''),
      );
    }
  }

  /** The WAL's old page images (ciphertext under the retired key, or plaintext) leave the disk. */
  private async checkpoint(): Promise<void> {
    for (let i = 0; i < CHECKPOINT_TRIES; i++) {
      if (!(await this.storage.maintain('checkpoint'))) return;
      await new Promise((r) => setTimeout(r, 50));
    }
    this.say('raft: WAL checkpoint stayed busy; it is truncated at the next rotation');
  }

  /** One walk over both tables, rewriting what is not under the write key. */
  async pass(): Promise<PassResult> {
    const result: PassResult = { rewritten: 0, plaintext: 0 };
    const codec = this.ring.codec;
    const batch = this.opts.batch ?? 200;
    for (const table of ['Snapshot', 'LogEntry'] as RecordTable[]) {
      const context = table === 'LogEntry' ? entryContext : snapshotContext;
      for (let after = 0; !this.stopped;) {
        const rows = await this.storage.storedRecords(table, after, batch);
        if (rows.length === 0) break;
        const rewrites: RecordRewrite[] = [];
        for (const r of rows) {
          // decrypted here; sealed again under the write key by the storage's writer
          const open = codec.toRewrite(r.data, context(r.index));
          if (!open) continue;
          if (open.plaintext) result.plaintext++;
          rewrites.push({ table, index: r.index, from: r.data, data: open.data });
        }
        await this.storage.rewrite(rewrites);
        result.rewritten += rewrites.length;
        after = rows.at(-1)!.index;
        // the manager's own requests go first between batches
        await new Promise((r) => setImmediate(r));
      }
    }
    return result;
  }
}
