// The open-file limit of a real process, changed with the real prlimit.
import { execFileSync, spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { fdLimitWarning, raiseFdLimit, readFdLimit, setFdLimit } from './fd-limit';

const hasPrlimit = spawnSync('prlimit', ['--version']).status === 0;
const isRoot = process.getuid?.() === 0;
const hasSetpriv = spawnSync('setpriv', ['--version']).status === 0;
const HERE = fileURLToPath(new URL('.', import.meta.url));

describe('readFdLimit', () => {
  it('reads soft and hard limits from a limits file', () => {
    const dir = mkdtempSync(join(tmpdir(), 'fdlimit-'));
    try {
      const file = join(dir, 'limits');
      writeFileSync(
        file,
        'Limit                     Soft Limit           Hard Limit           Units     \n' +
          'Max processes             63510                63510                processes \n' +
          'Max open files            1024                 unlimited            files     \n',
      );
      expect(readFdLimit(file)).toEqual({ soft: 1024, hard: Infinity });
      expect(readFdLimit(join(dir, 'absent'))).toBeUndefined();
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('warns below 4096 only', () => {
    expect(fdLimitWarning({ soft: 1024, hard: 1024 })).toBe(
      'WARNING: the open file limit is 1024 (hard limit 1024), below 4096: connections are limited to fit it; raise it with `ulimit -n` or LimitNOFILE=',
    );
    expect(fdLimitWarning({ soft: 4096, hard: 4096 })).toBeUndefined();
    expect(fdLimitWarning(undefined)).toBeUndefined();
  });
});

describe.runIf(hasPrlimit && readFdLimit() !== undefined)('raiseFdLimit', () => {
  it('raises this process’s lowered soft limit back to the hard limit', () => {
    const start = readFdLimit()!;
    try {
      setFdLimit(Math.min(512, start.hard), start.hard);
      expect(readFdLimit()!.soft).toBe(Math.min(512, start.hard));
      const out = raiseFdLimit();
      expect(out.error).toBeUndefined();
      expect(out.before!.soft).toBe(Math.min(512, start.hard));
      expect(out.after).toEqual({ soft: start.hard, hard: start.hard });
    } finally {
      setFdLimit(start.soft, start.hard);
    }
  });

  it.runIf(isRoot && hasSetpriv)('works as an unprivileged user too', () => {
    // a child as nobody lowers its own soft limit, then raises it with the same code
    const script = join(HERE, 'fd-limit.ts');
    const code =
      `import { raiseFdLimit, readFdLimit, setFdLimit } from ${JSON.stringify(script)};` +
      'const l = readFdLimit(); setFdLimit(256, l.hard); const out = raiseFdLimit();' +
      'console.log(JSON.stringify({ uid: process.getuid(), out }));';
    const res = execFileSync(
      'setpriv',
      [
        '--reuid=65534',
        '--regid=65534',
        '--clear-groups',
        process.execPath,
        '--import',
        'tsx',
        '--input-type=module',
        '-e',
        code,
      ],
      { encoding: 'utf8', cwd: join(HERE, '../..'), env: { ...process.env, HOME: tmpdir() } },
    );
    const { uid, out } = JSON.parse(res.trim().split('\n').pop()!) as {
      uid: number;
      out: { before: { soft: number; hard: number }; after: { soft: number; hard: number }; error?: string };
    };
    expect(uid).toBe(65534);
    expect(out.error).toBeUndefined();
    expect(out.before.soft).toBe(256);
    expect(out.after.soft).toBe(out.after.hard);
  });
});
