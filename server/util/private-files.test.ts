import {
  chmodSync,
  linkSync,
  mkdirSync,
  mkdtempSync,
  readFileSync,
  rmSync,
  statSync,
  symlinkSync,
  writeFileSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { ensurePrivateDir, ensurePrivateFile, makePrivate, writePrivateFile } from './private-files';

const mode = (p: string) => statSync(p).mode & 0o777;

let root: { path: string; remove(): void };
let umask: number;
beforeEach(() => {
  const path = mkdtempSync(join(tmpdir(), 'swarmdeck-private-'));
  root = { path, remove: () => rmSync(path, { recursive: true, force: true }) };
  // the usual umask: what is not given a mode would be world-readable
  umask = process.umask(0o022);
});
afterEach(() => {
  process.umask(umask);
  root.remove();
});

describe('private files', () => {
  it('creates directories 0700, parents too, and repairs an existing 0755 one', () => {
    const dir = join(root.path, 'a', 'b');
    ensurePrivateDir(dir);
    expect(mode(join(root.path, 'a'))).toBe(0o700);
    expect(mode(dir)).toBe(0o700);
    const old = join(root.path, 'old');
    mkdirSync(old, { mode: 0o755 });
    ensurePrivateDir(old);
    expect(mode(old)).toBe(0o700);
  });

  it('writes a file 0600 and never through a leftover temporary file', () => {
    const file = join(root.path, 'creds.json');
    writeFileSync(file, 'old', { mode: 0o644 });
    // a leftover world-readable tmp that is a hard link to another file: writing into it would leak
    const spy = join(root.path, 'spy');
    writeFileSync(spy, 'nothing', { mode: 0o644 });
    linkSync(spy, `${file}.tmp`);
    writePrivateFile(file, 'secret');
    expect(readFileSync(file, 'utf8')).toBe('secret');
    expect(mode(file)).toBe(0o600);
    expect(readFileSync(spy, 'utf8')).toBe('nothing');
    writePrivateFile(join(root.path, 'new.json'), '{}');
    expect(mode(join(root.path, 'new.json'))).toBe(0o600);
  });

  it('creates an empty 0600 file, or keeps an existing one and makes it 0600', () => {
    const file = join(root.path, 'x.db');
    ensurePrivateFile(file);
    expect(mode(file)).toBe(0o600);
    expect(readFileSync(file, 'utf8')).toBe('');
    const old = join(root.path, 'old.db');
    writeFileSync(old, 'data', { mode: 0o644 });
    ensurePrivateFile(old);
    expect(mode(old)).toBe(0o600);
    expect(readFileSync(old, 'utf8')).toBe('data');
  });

  it('leaves symlinks and missing paths alone', () => {
    const target = join(root.path, 'shared.txt');
    writeFileSync(target, 'x', { mode: 0o644 });
    symlinkSync(target, join(root.path, 'link'));
    makePrivate(join(root.path, 'link'));
    expect(mode(target)).toBe(0o644);
    expect(() => makePrivate(join(root.path, 'missing'))).not.toThrow();
    chmodSync(target, 0o640);
    makePrivate(target);
    expect(mode(target)).toBe(0o600);
  });
});
