import { describe, expect, it } from 'vitest';
import { hashSecret, issueToken, parseToken, secretMatches } from './tokens';

describe('session and share-link tokens', () => {
  it('carry an ID and 256 random bits; only the SHA-256 of the secret is kept', () => {
    const t = issueToken();
    const parsed = parseToken(t.token)!;
    expect(parsed.id).toBe(t.id);
    expect(Buffer.from(parsed.secret, 'base64url')).toHaveLength(32);
    expect(t.hash).toMatch(/^[0-9a-f]{64}$/);
    expect(t.hash).toBe(hashSecret(parsed.secret));
    expect(t.token).not.toContain(t.hash);
    expect(issueToken().token).not.toBe(t.token);
  });

  it('match only their own secret', () => {
    const a = issueToken();
    const b = issueToken();
    expect(secretMatches(parseToken(a.token)!.secret, a.hash)).toBe(true);
    expect(secretMatches(parseToken(b.token)!.secret, a.hash)).toBe(false);
    expect(secretMatches('x', 'not hex')).toBe(false);
  });

  it('refuse anything not of the form <id>.<secret>', () => {
    const t = issueToken();
    for (const bad of ['', t.id, `${t.id}.`, `${t.token}x`, `${t.token}.x`, t.token.toUpperCase(), `a.${t.token}`])
      expect(parseToken(bad), bad).toBeUndefined();
  });
});
