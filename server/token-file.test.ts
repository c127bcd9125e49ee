import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { readTokenFile } from './token-file';

const dir = mkdtempSync(join(tmpdir(), 'swarmdeck-token-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe('token files', () => {
  it('read the token without its surrounding whitespace, and refuse what cannot hold one', () => {
    writeFileSync(join(dir, 't'), '  SWMTKN-1-abc\n');
    expect(readTokenFile(join(dir, 't'))).toBe('SWMTKN-1-abc');
    writeFileSync(join(dir, 'empty'), '\n');
    expect(() => readTokenFile(join(dir, 'empty'))).toThrow(/is empty/);
    writeFileSync(join(dir, 'big'), 'x'.repeat(5000));
    expect(() => readTokenFile(join(dir, 'big'))).toThrow(/too large/);
    expect(() => readTokenFile(dir)).toThrow(/not a file/);
    expect(() => readTokenFile(join(dir, 'missing'))).toThrow(/ENOENT/);
  });
});
