import { chmodSync, mkdirSync, mkdtempSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { secureDataDir } from './data-dir';

const modeOf = (p: string) => statSync(p).mode & 0o777;

let root: string;
beforeEach(() => {
  root = mkdtempSync(join(tmpdir(), 'swarmdeck-datadir-'));
});
afterEach(() => rmSync(root, { recursive: true, force: true }));

function oldFile(path: string, mode = 0o644): void {
  writeFileSync(path, '{}');
  chmodSync(path, mode);
}
function oldDir(path: string): void {
  mkdirSync(path, { recursive: true });
  chmodSync(path, 0o755);
}

describe('secureDataDir', () => {
  it('creates a missing data dir 0700', () => {
    const dir = join(root, 'fresh', 'data');
    secureDataDir(dir);
    expect(modeOf(dir)).toBe(0o700);
  });

  it("repairs an older version's data dir: its files, credentials and task state", () => {
    const dir = join(root, 'data');
    oldDir(dir);
    const files = [
      'swarmdeck.db',
      'swarmdeck.db-wal',
      'swarmdeck.db-shm',
      'node.json',
      'node.json.tmp',
      'cluster-credentials.json',
      'agent-credentials.json.tmp',
    ];
    for (const f of files) oldFile(join(dir, f));
    const task = join(dir, 'tasks', 'task1');
    oldDir(join(task, 'work'));
    chmodSync(join(dir, 'tasks'), 0o755);
    chmodSync(task, 0o755);
    for (const f of ['state.json', 'stdout.log', 'stderr.log', 'exit']) oldFile(join(task, f));
    // what a task made in its working directory, and what is not ours, stay as they are
    oldFile(join(task, 'work', 'run.sh'), 0o755);
    oldFile(join(dir, 'notes.txt'));

    secureDataDir(dir);
    for (const d of [dir, join(dir, 'tasks'), task, join(task, 'work')]) expect(modeOf(d), d).toBe(0o700);
    for (const f of files) expect(modeOf(join(dir, f)), f).toBe(0o600);
    for (const f of ['state.json', 'stdout.log', 'stderr.log', 'exit']) expect(modeOf(join(task, f)), f).toBe(0o600);
    expect(modeOf(join(task, 'work', 'run.sh'))).toBe(0o755);
    expect(modeOf(join(dir, 'notes.txt'))).toBe(0o644);
  });

  it('refuses a data dir it cannot make private, saying which', () => {
    const file = join(root, 'not-a-dir');
    writeFileSync(file, '');
    expect(() => secureDataDir(join(file, 'data'))).toThrow(
      `data dir ${join(file, 'data')} cannot be made private to this user`,
    );
  });
});
