import { describe, expect, it } from 'vitest';
import { LoginLimiter } from './login-limiter';

const limits = { windowMs: 60_000, perName: 3, perPeer: 5, maxKeys: 100 };

describe('LoginLimiter', () => {
  it('refuses a name after its failures, until the oldest leaves the window; a success clears it', () => {
    let now = 1_000_000;
    const l = new LoginLimiter(() => now, limits);
    for (let i = 0; i < 3; i++) {
      expect(l.retryAfter('Alice', 'p1')).toBe(0);
      l.failed('alice', `p${i}`);
      now += 1_000;
    }
    // any case, any address: the name is what is guessed at
    expect(l.retryAfter('ALICE', 'p9')).toBe(57);
    expect(l.retryAfter('bob', 'p9')).toBe(0);
    now += 57_000;
    expect(l.retryAfter('alice', 'p9')).toBe(0);
    l.failed('alice', 'p9');
    expect(l.retryAfter('alice', 'p9')).toBeGreaterThan(0);
    l.succeeded('Alice');
    expect(l.retryAfter('alice', 'p9')).toBe(0);
  });

  it('refuses an address that tries many names', () => {
    const now = 5_000_000;
    const l = new LoginLimiter(() => now, limits);
    for (let i = 0; i < 5; i++) l.failed(`user${i}`, '10.0.0.1');
    expect(l.retryAfter('someone-else', '10.0.0.1')).toBe(60);
    expect(l.retryAfter('someone-else', '10.0.0.2')).toBe(0);
  });

  it('forgets the oldest keys past its bound', () => {
    const l = new LoginLimiter(() => 0, { ...limits, perName: 1, maxKeys: 10 });
    for (let i = 0; i < 20; i++) l.failed(`n${i}`, `p${i}`);
    expect(l.retryAfter('n0', 'x')).toBe(0);
    expect(l.retryAfter('n19', 'x')).toBeGreaterThan(0);
  });
});
