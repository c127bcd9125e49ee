import { describe, expect, it } from 'vitest';
import { generateKey } from './envelope';
import { InvalidKekError, INVALID_UNLOCK_KEY_MESSAGE } from './errors';
import {
  compareKeks,
  diskKek,
  parseKeyFile,
  rotateKek,
  serializeKeyFile,
  storedKek,
  unwrapDeks,
  wrapDeks,
  type Kek,
} from './kek';
import { beginRotation, initialDeks, requestRotation, sameKey, type RaftDeks } from './raft-deks';
import { formatUnlockKey, generateUnlockKey, kekFromUnlockKey, parseUnlockKey } from './unlock-key';

function unlockKek(version: number): { text: string; kek: Kek } {
  const raw = generateUnlockKey();
  return { text: formatUnlockKey(raw), kek: { key: kekFromUnlockKey(raw), locked: true, version } };
}

function expectSameDeks(a: RaftDeks, b: RaftDeks): void {
  expect(sameKey(a.current, b.current)).toBe(true);
  expect(a.pending === undefined).toBe(b.pending === undefined);
  if (a.pending && b.pending) expect(sameKey(a.pending, b.pending)).toBe(true);
  expect(a.needsRotation).toBe(b.needsRotation);
}

describe('raft DEKs wrapped by a KEK', () => {
  it('unlocked: the random KEK sits in the file and opens the DEKs after a restart', () => {
    const deks = beginRotation(requestRotation(initialDeks()));
    const file = parseKeyFile(serializeKeyFile(wrapDeks(deks, diskKek(1))));
    expect(file.locked).toBe(false);
    const kek = storedKek(file);
    expect(kek).toBeDefined();
    expectSameDeks(unwrapDeks(file, kek!.key), deks);
  });

  it('never writes a DEK in the clear', () => {
    const deks = initialDeks();
    const text = serializeKeyFile(wrapDeks(deks, diskKek(1)));
    expect(text).not.toContain(deks.current.toString('base64'));
    expect(text).not.toContain(deks.current.toString('hex'));
  });

  it('locked: the file holds no KEK, only the right unlock key opens it', () => {
    const deks = initialDeks();
    const { text, kek } = unlockKek(2);
    const file = parseKeyFile(serializeKeyFile(wrapDeks(deks, kek)));
    expect(file.locked).toBe(true);
    expect(file.kek).toBeUndefined();
    expect(storedKek(file)).toBeUndefined();
    expect(serializeKeyFile(file)).not.toContain(text.slice('SWMKEY-1-'.length));

    expectSameDeks(unwrapDeks(file, kekFromUnlockKey(parseUnlockKey(text))), deks);
    const wrong = formatUnlockKey(generateUnlockKey());
    expect(() => unwrapDeks(file, kekFromUnlockKey(parseUnlockKey(wrong)))).toThrow(InvalidKekError);
    expect(() => unwrapDeks(file, kekFromUnlockKey(parseUnlockKey(wrong)))).toThrow(INVALID_UNLOCK_KEY_MESSAGE);
  });

  it('a tampered wrapped DEK is refused as an invalid key, never opened', () => {
    const kek = diskKek(1);
    const file = wrapDeks(initialDeks(), kek);
    const parts = file.dek.split(':');
    const tag = Buffer.from(parts[5]!, 'base64');
    tag[0]! ^= 0x80;
    parts[5] = tag.toString('base64');
    const flipped = parts.join(':');
    expect(() => unwrapDeks({ ...file, dek: flipped }, kek.key)).toThrow(InvalidKekError);
    // the pending DEK cannot be passed off as the current one (each is bound to its slot)
    const running = wrapDeks(beginRotation(requestRotation(initialDeks())), kek);
    expect(() => unwrapDeks({ ...running, dek: running.pendingDek! }, kek.key)).toThrow(InvalidKekError);
  });
});

describe('KEK changes (compareKEKs, unlock-key rotation)', () => {
  it('replaces only with a newer version, and refuses a same-version different key', () => {
    const current = diskKek(5);
    expect(compareKeks(current, diskKek(4))).toEqual({ replace: false, unlockedToLocked: false });
    expect(compareKeks(current, { ...current })).toEqual({ replace: false, unlockedToLocked: false });
    expect(() => compareKeks(current, diskKek(5))).toThrow(
      'candidate KEK has the same version as the current KEK, but a different KEK value',
    );
    expect(compareKeks(current, diskKek(6))).toEqual({ replace: true, unlockedToLocked: false });
    expect(compareKeks(current, unlockKek(6).kek)).toEqual({ replace: true, unlockedToLocked: true });
    expect(compareKeks(unlockKek(6).kek, diskKek(7))).toEqual({ replace: true, unlockedToLocked: false });
  });

  it('locking asks for a DEK rotation (the old DEK sat under a readable KEK)', () => {
    const deks = initialDeks();
    const { kek } = unlockKek(2);
    const out = rotateKek(deks, diskKek(1), kek);
    expect(out.unlockedToLocked).toBe(true);
    expect(out.deks.needsRotation).toBe(true);
    expect(out.file!.needsRotation).toBe(true);
    expect(out.file!.kek).toBeUndefined();
    expect(unwrapDeks(out.file!, kek.key).needsRotation).toBe(true);
  });

  it('rotating the unlock key leaves the old one useless', () => {
    const deks = initialDeks();
    const first = unlockKek(2);
    const fileBefore = wrapDeks(deks, first.kek);
    const second = unlockKek(3);
    const out = rotateKek(deks, first.kek, second.kek);
    expect(out.unlockedToLocked).toBe(false);
    expect(out.deks.needsRotation).toBe(false);
    const fileAfter = parseKeyFile(serializeKeyFile(out.file!));
    expectSameDeks(unwrapDeks(fileAfter, kekFromUnlockKey(parseUnlockKey(second.text))), deks);
    expect(() => unwrapDeks(fileAfter, kekFromUnlockKey(parseUnlockKey(first.text)))).toThrow(
      INVALID_UNLOCK_KEY_MESSAGE,
    );
    // (the superseded file still opened with the old key: the new file must replace it on disk)
    expectSameDeks(unwrapDeks(fileBefore, first.kek.key), deks);
  });

  it('unlocking puts a random KEK back on disk', () => {
    const deks = initialDeks();
    const locked = unlockKek(2);
    const out = rotateKek(deks, locked.kek, diskKek(3));
    const file = parseKeyFile(serializeKeyFile(out.file!));
    expect(file.locked).toBe(false);
    expectSameDeks(unwrapDeks(file, storedKek(file)!.key), deks);
    expect(() => unwrapDeks(file, locked.kek.key)).toThrow(InvalidKekError);
  });

  it('does nothing when the candidate is not newer', () => {
    const deks = initialDeks();
    const current = diskKek(3);
    expect(rotateKek(deks, current, diskKek(2))).toEqual({ deks, file: undefined, unlockedToLocked: false });
  });
});

describe('raft key file parsing', () => {
  const good = () => wrapDeks(initialDeks(), diskKek(1));

  it.each([
    ['not JSON', 'nope', /not valid JSON/],
    ['an array', '[]', /unknown format/],
    ['a future format', JSON.stringify({ ...good(), format: 2 }), /unknown format 2/],
    ['no dek', JSON.stringify({ ...good(), dek: undefined }), /dek is missing/],
    ['a negative version', JSON.stringify({ ...good(), kekVersion: -1 }), /kekVersion/],
    ['unlocked without its KEK', JSON.stringify({ ...good(), kek: undefined }), /needs its 32-byte KEK/],
    [
      'unlocked with a short KEK',
      JSON.stringify({ ...good(), kek: generateKey().subarray(0, 16).toString('base64') }),
      /32-byte KEK/,
    ],
    ['locked with a KEK beside it', JSON.stringify({ ...good(), locked: true }), /must not store its KEK/],
    ['a bad needsRotation', JSON.stringify({ ...good(), needsRotation: false }), /needsRotation/],
  ])('refuses %s', (_what, text, message) => {
    expect(() => parseKeyFile(text)).toThrow(message);
  });
});
