import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, describe, expect, it } from 'vitest';
import { SqliteRaftStorage } from '../server/raft/storage/sqlite-storage';
import { openDb } from '../server/storage/db';
import { payload } from './raft-storage-crash-child';

const ROOT = fileURLToPath(new URL('..', import.meta.url));
const CHILD = fileURLToPath(new URL('./raft-storage-crash-child.ts', import.meta.url));

/**
 * Run the child until it has acknowledged at least `ackTarget` entries beyond
 * where it started, then SIGKILL it mid-stream. Returns the highest
 * acknowledged index.
 */
function runAndKill(file: string, ackTarget: number, timeoutMs = 30_000): Promise<{ start: number; acked: number }> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, ['--import', 'tsx', CHILD, file], {
      cwd: ROOT,
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let start = -1;
    let acked = 0;
    let buf = '';
    let stderr = '';
    let killed = false;
    const timer = setTimeout(() => {
      child.kill('SIGKILL');
      reject(new Error(`child did not reach ${ackTarget} acks in ${timeoutMs} ms (acked ${acked}); ${stderr}`));
    }, timeoutMs);
    child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
    child.stdout.on('data', (d: Buffer) => {
      buf += d.toString();
      const lines = buf.split('\n');
      buf = lines.pop()!;
      for (const line of lines) {
        const [word, n] = line.split(' ');
        if (word === 'ready') start = Number(n);
        if (word === 'ack') acked = Math.max(acked, Number(n));
        if (!killed && start >= 0 && acked >= start + ackTarget) {
          killed = true;
          child.kill('SIGKILL'); // while further saves are in flight
        }
      }
    });
    child.on('exit', (_code, signal) => {
      clearTimeout(timer);
      if (signal === 'SIGKILL' && killed) resolve({ start, acked });
      else reject(new Error(`child exited by itself (${signal ?? _code}): ${stderr}`));
    });
  });
}

describe('raft storage survives SIGKILL', () => {
  const dir = mkdtempSync(join(tmpdir(), 'swarmdeck-raft-crash-'));
  const file = join(dir, 'raft.db');
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it('keeps every acknowledged entry and a gap-free log across repeated kills', { timeout: 120_000 }, async () => {
    let previous = 0;
    for (let round = 0; round < 3; round++) {
      const { start, acked } = await runAndKill(file, 1000 + round * 337);
      // each restart resumes from at least everything acknowledged before
      expect(start, `round ${round} resumed`).toBeGreaterThanOrEqual(previous);
      expect(acked).toBeGreaterThan(start);

      const db = await openDb(file);
      try {
        const { hardState, snapshot, entries } = await new SqliteRaftStorage(db).load();
        const base = snapshot?.meta.index ?? 0;
        expect(snapshot, 'compaction ran').toBeDefined();
        expect(snapshot!.data).toBe(`image@${base}`);
        expect(entries[0]?.index, 'log continues right after the snapshot').toBe(base + 1);
        entries.forEach((e, i) => {
          expect(e.index, 'no gaps').toBe(base + 1 + i);
          expect(e.data, `entry ${e.index} intact`).toBe(payload(e.index));
        });
        const last = entries.at(-1)!.index;
        expect(last, 'nothing acknowledged is lost').toBeGreaterThanOrEqual(acked);
        expect(hardState.commit).toBeGreaterThanOrEqual(acked);
        expect(hardState.commit).toBeLessThanOrEqual(last);
        previous = acked;
      } finally {
        await db.$disconnect();
      }
    }
  });
});
