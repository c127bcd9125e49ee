import { createHash } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { fingerprintMismatch, joinTokenFor, parseJoinToken, tokenPins } from './join-token';
import { createRootCA } from './root-ca';

describe('join tokens', () => {
  it('carry the sha256 of the root CA bundle in base 36, zero-padded to 50', async () => {
    const { cert } = await createRootCA();
    const token = joinTokenFor(cert);
    expect(token).toMatch(/^SWMTKN-1-[0-9a-z]{50}-[0-9a-z]{25}$/);
    const hex = createHash('sha256').update(cert).digest('hex');
    const digest = token.split('-')[2]!;
    expect(
      BigInt('0x' + hex)
        .toString(36)
        .padStart(50, '0'),
    ).toBe(digest);
    expect(parseJoinToken(token).rootDigest).toBe(hex);
    expect(tokenPins(parseJoinToken(token), cert)).toBe(true);
    // same root, same digest; fresh secret every time
    const again = joinTokenFor(cert);
    expect(again.split('-')[2]).toBe(digest);
    expect(again.split('-')[3]).not.toBe(token.split('-')[3]);
  });

  it('pads a small digest and reads it back', () => {
    const t = `SWMTKN-1-${'0'.repeat(49)}z-${'1'.repeat(25)}`;
    expect(parseJoinToken(t).rootDigest).toBe('0'.repeat(62) + '23');
  });

  it('do not pin another root', async () => {
    const a = await createRootCA();
    const b = await createRootCA();
    const parsed = parseJoinToken(joinTokenFor(a.cert));
    expect(tokenPins(parsed, b.cert)).toBe(false);
    // a single changed byte (a trailing newline) is another bundle
    expect(tokenPins(parsed, a.cert.trimEnd())).toBe(false);
    expect(fingerprintMismatch(parsed.rootDigest)).toBe(
      `remote CA does not match fingerprint. Expected: ${parsed.rootDigest}`,
    );
  });

  it("refuse anything that is not the v1 form with swarm's text", () => {
    for (const bad of [
      '',
      'SWMTKN-1-abc-def',
      `SWMTKN-2-${'a'.repeat(50)}-${'b'.repeat(25)}`,
      `SWMTKN-1-${'A'.repeat(50)}-${'b'.repeat(25)}`,
      `SWMTKN-1-${'a'.repeat(50)}-${'b'.repeat(24)}`,
      `SWMTKN-1-${'z'.repeat(50)}-${'b'.repeat(25)}`, // beyond 256 bits
      `XXX-1-${'a'.repeat(50)}-${'b'.repeat(25)}`,
    ])
      expect(() => parseJoinToken(bad), bad).toThrow(/^invalid join token$/);
  });
});
