import { describe, expect, it } from 'vitest';
import { loginHref, safeNext } from './session-api';

describe('safeNext', () => {
  it('keeps a path on this console, query included', () => {
    expect(safeNext('/services/abc?x=1')).toBe('/services/abc?x=1');
    expect(safeNext('/wall')).toBe('/wall');
  });

  it('never leaves the console', () => {
    for (const bad of ['//evil.example/x', '/\\evil.example', 'https://evil.example/', 'javascript:alert(1)', '', null])
      expect(safeNext(bad)).toBe('/');
  });

  it('does not loop back to the login or setup page', () => {
    expect(safeNext('/login?next=/login')).toBe('/');
    expect(safeNext('/setup?token=x')).toBe('/');
  });
});

describe('loginHref', () => {
  it('carries where the user wanted to go', () => {
    expect(loginHref('/services/a b')).toBe('/login?next=%2Fservices%2Fa%20b');
    expect(loginHref('/')).toBe('/login');
  });
});
