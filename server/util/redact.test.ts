import { describe, expect, it } from 'vitest';
import { newJoinToken } from '../api/ids';
import { redactSecrets } from './redact';

describe('redactSecrets', () => {
  it('hides every join token in a text and keeps the rest', () => {
    const a = newJoinToken(Buffer.alloc(32, 1));
    const b = newJoinToken(Buffer.alloc(32, 2));
    const text = `unexpected argument "${a}" (and ${b}-extra)`;
    const out = redactSecrets(text);
    expect(out).toBe('unexpected argument "SWMTKN-…" (and SWMTKN-…)');
    expect(out).not.toContain(a.slice(9));
  });
  it('hides unlock keys too', () => {
    const key = `SWMKEY-1-${Buffer.alloc(32, 9).toString('base64').replace(/=+$/, '')}`;
    expect(redactSecrets(`bad key ${key}!`)).toBe('bad key SWMKEY-…!');
  });
  it('leaves a text without tokens alone', () => {
    expect(redactSecrets('--engine-port: "x" is not a port (1-65535)')).toBe(
      '--engine-port: "x" is not a port (1-65535)',
    );
  });
});
