import { describe, expect, it } from 'vitest';
import { clearSessionCookie, sessionCookie, setSessionCookie } from './cookies';

describe('the session cookie', () => {
  it('is HttpOnly, SameSite=Strict, for the whole console, and lives as long as the session', () => {
    expect(setSessionCookie('id.secret', 10_000_500, 1_000, false)).toBe(
      'swarmdeck_session=id.secret; Path=/; HttpOnly; SameSite=Strict; Max-Age=9999',
    );
    expect(setSessionCookie('t', 5_000, 1_000, true)).toMatch(/; Secure$/);
    expect(clearSessionCookie(false)).toBe('swarmdeck_session=; Path=/; HttpOnly; SameSite=Strict; Max-Age=0');
  });

  it('is found among other cookies, and only by its exact name', () => {
    expect(sessionCookie({ cookie: 'theme=dark; swarmdeck_session=abc.def ; x=1' })).toBe('abc.def');
    expect(sessionCookie({ cookie: 'xswarmdeck_session=abc' })).toBeUndefined();
    expect(sessionCookie({})).toBeUndefined();
  });
});
