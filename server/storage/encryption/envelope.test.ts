import { describe, expect, it } from 'vitest';
import {
  ENVELOPE_PREFIX,
  entryContext,
  generateKey,
  isEncrypted,
  open,
  openBytes,
  readRecord,
  seal,
  snapshotContext,
} from './envelope';
import { CannotDecryptError } from './errors';

const entry = JSON.stringify({ kind: 'secret', data: 'c3VwZXJzZWNyZXQ=', env: ['PASSWORD=hunter2'] });

describe('raft record envelope', () => {
  it('round-trips an entry and hides its plaintext', () => {
    const dek = generateKey();
    const stored = seal(entry, dek, entryContext(7));
    expect(stored.startsWith(`${ENVELOPE_PREFIX}1:aes-256-gcm:`)).toBe(true);
    expect(stored).not.toContain('hunter2');
    expect(Buffer.from(stored.split(':').slice(3).join(''), 'base64').toString('latin1')).not.toContain('hunter2');
    expect(open(stored, [dek], entryContext(7))).toBe(entry);
  });

  it('round-trips binary and empty data, and a large snapshot', () => {
    const dek = generateKey();
    const bytes = Buffer.from([0, 255, 1, 254, 0]);
    expect(openBytes(seal(bytes, dek, 'x'), [dek], 'x').equals(bytes)).toBe(true);
    expect(open(seal('', dek, 'x'), [dek], 'x')).toBe('');
    const big = 'é'.repeat(2_000_000);
    expect(open(seal(big, dek, snapshotContext(9)), [dek], snapshotContext(9))).toBe(big);
  });

  it('uses a fresh nonce every time', () => {
    const dek = generateKey();
    expect(seal(entry, dek, 'c')).not.toBe(seal(entry, dek, 'c'));
  });

  it('refuses a wrong key loudly', () => {
    const stored = seal(entry, generateKey(), entryContext(1));
    expect(() => open(stored, [generateKey()], entryContext(1))).toThrow(CannotDecryptError);
    expect(() => open(stored, [generateKey()], entryContext(1))).toThrow(/wrong key or tampered/);
    expect(() => open(stored, [], entryContext(1))).toThrow(/no decryption key/);
  });

  it('refuses a record moved to another row (context is authenticated)', () => {
    const dek = generateKey();
    const stored = seal(entry, dek, entryContext(1));
    expect(() => open(stored, [dek], entryContext(2))).toThrow(CannotDecryptError);
    expect(() => open(stored, [dek], snapshotContext(1))).toThrow(CannotDecryptError);
  });

  it('detects tampering in the nonce, the ciphertext and the tag', () => {
    const dek = generateKey();
    const stored = seal(entry, dek, 'c');
    const parts = stored.slice(ENVELOPE_PREFIX.length).split(':');
    for (const i of [2, 3, 4]) {
      const raw = Buffer.from(parts[i]!, 'base64');
      raw[raw.length - 1]! ^= 0x01;
      const bad = [...parts];
      bad[i] = raw.toString('base64');
      expect(() => open(ENVELOPE_PREFIX + bad.join(':'), [dek], 'c')).toThrow(CannotDecryptError);
    }
  });

  it('refuses truncated and malformed envelopes', () => {
    const dek = generateKey();
    const stored = seal(entry, dek, 'c');
    expect(() => open(stored.slice(0, stored.lastIndexOf(':')), [dek], 'c')).toThrow(/truncated or malformed/);
    expect(() => open(`${stored}:extra`, [dek], 'c')).toThrow(/truncated or malformed/);
    const parts = stored.split(':');
    parts[4] = '!!notbase64!!';
    expect(() => open(parts.join(':'), [dek], 'c')).toThrow(/malformed ciphertext/);
    // a tag whose last character differs only in bits base64 ignores is not the same record
    const tagParts = stored.split(':');
    const last = tagParts[5]!.at(-3)!;
    tagParts[5] = tagParts[5]!.slice(0, -3) + String.fromCharCode(last.charCodeAt(0) ^ 1) + '==';
    expect(() => open(tagParts.join(':'), [dek], 'c')).toThrow(CannotDecryptError);
  });

  it('names an unknown envelope version or algorithm instead of guessing', () => {
    const dek = generateKey();
    const stored = seal(entry, dek, 'c');
    expect(() => open(stored.replace(`${ENVELOPE_PREFIX}1:`, `${ENVELOPE_PREFIX}2:`), [dek], 'c')).toThrow(
      'cannot decrypt record in envelope version 2',
    );
    expect(() => open(stored.replace(':aes-256-gcm:', ':chacha20-poly1305:'), [dek], 'c')).toThrow(
      'cannot decrypt record encrypted using chacha20-poly1305',
    );
  });

  it('tries every key it is given (current and pending during a rotation)', () => {
    const oldKey = generateKey();
    const newKey = generateKey();
    const underOld = seal('old', oldKey, 'c');
    const underNew = seal('new', newKey, 'c');
    expect(open(underOld, [newKey, oldKey], 'c')).toBe('old');
    expect(open(underNew, [newKey, oldKey], 'c')).toBe('new');
    expect(() => open(underOld, [newKey], 'c')).toThrow(CannotDecryptError);
  });

  it('reads plaintext from an older data dir as it is, and says so', () => {
    const dek = generateKey();
    expect(isEncrypted(entry)).toBe(false);
    expect(readRecord(entry, [dek], entryContext(3))).toEqual({ data: entry, plaintext: true });
    const stored = seal(entry, dek, entryContext(3));
    expect(isEncrypted(stored)).toBe(true);
    expect(readRecord(stored, [dek], entryContext(3))).toEqual({ data: entry, plaintext: false });
    // an envelope is never mistaken for plaintext when it does not open
    expect(() => readRecord(stored, [generateKey()], entryContext(3))).toThrow(CannotDecryptError);
    expect(() => open(entry, [dek], 'c')).toThrow('record is not encrypted');
  });

  it('refuses keys of the wrong size', () => {
    expect(() => seal('x', Buffer.alloc(16), 'c')).toThrow(/32 bytes, not 16/);
  });
});
