import { describe, expect, it } from 'vitest';
import { INVALID_KEY_STRING_MESSAGE } from './errors';
import { formatUnlockKey, generateUnlockKey, kekFromUnlockKey, parseUnlockKey, UNLOCK_KEY_PREFIX } from './unlock-key';

describe('unlock key', () => {
  it('prints as swarmkit does: SWMKEY-1- and 43 unpadded base64 characters', () => {
    const key = generateUnlockKey();
    const text = formatUnlockKey(key);
    expect(text).toMatch(/^SWMKEY-1-[A-Za-z0-9+/]{43}$/);
    expect(parseUnlockKey(text).equals(key)).toBe(true);
  });

  it('formats a known key exactly', () => {
    // 32 bytes 0..31 in Go's base64.RawStdEncoding
    const key = Buffer.from(Array.from({ length: 32 }, (_, i) => i));
    expect(formatUnlockKey(key)).toBe(`${UNLOCK_KEY_PREFIX}AAECAwQFBgcICQoLDA0ODxAREhMUFRYXGBkaGxwdHh8`);
  });

  it('parses the key from swarm’s own documentation', () => {
    expect(parseUnlockKey('SWMKEY-1-WuYH/IX284+lRcXuoVf38viIDK3HJEKY13MIHX+tTt8')).toHaveLength(32);
  });

  it.each([
    ['no prefix', 'WuYH/IX284+lRcXuoVf38viIDK3HJEKY13MIHX+tTt8'],
    ['another version', 'SWMKEY-2-WuYH/IX284+lRcXuoVf38viIDK3HJEKY13MIHX+tTt8'],
    ['a join token', 'SWMTKN-1-abc'],
    ['padding', 'SWMKEY-1-WuYH/IX284+lRcXuoVf38viIDK3HJEKY13MIHX+tTt8='],
    ['url-safe alphabet', 'SWMKEY-1-WuYH_IX284-lRcXuoVf38viIDK3HJEKY13MIHX-tTt8'],
    ['a trailing newline', 'SWMKEY-1-WuYH/IX284+lRcXuoVf38viIDK3HJEKY13MIHX+tTt8\n'],
    ['an impossible length', 'SWMKEY-1-abcde'],
    ['empty', ''],
  ])('refuses %s with swarmkit’s text', (_what, text) => {
    expect(() => parseUnlockKey(text)).toThrow(INVALID_KEY_STRING_MESSAGE);
  });

  it('derives a 32-byte KEK that differs from the key and between keys', () => {
    const a = generateUnlockKey();
    const b = generateUnlockKey();
    const kekA = kekFromUnlockKey(a);
    expect(kekA).toHaveLength(32);
    expect(kekA.equals(a)).toBe(false);
    expect(kekFromUnlockKey(Buffer.from(a)).equals(kekA)).toBe(true);
    expect(kekFromUnlockKey(b).equals(kekA)).toBe(false);
    expect(kekFromUnlockKey(Buffer.alloc(0))).toHaveLength(32); // a short key derives, then fails to unwrap
  });
});
