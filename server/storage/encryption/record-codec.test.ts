import { describe, expect, it } from 'vitest';
import { entryContext, snapshotContext } from './envelope';
import { CannotDecryptError } from './errors';
import { beginRotation, finishRotation, initialDeks, requestRotation, type RaftDeks } from './raft-deks';
import { recordCodec } from './record-codec';

const data = JSON.stringify({ op: 'create', kind: 'secret', spec: { Data: 'dG9wc2VjcmV0' } });

describe('raft record codec', () => {
  it('round-trips entries and snapshots bound to their index', () => {
    let deks: RaftDeks = initialDeks();
    const codec = recordCodec(() => deks);
    const e = codec.encodeEntry(5, data);
    const s = codec.encodeSnapshot(5, data);
    expect(e).not.toContain('dG9wc2VjcmV0');
    expect(codec.decodeEntry(5, e)).toBe(data);
    expect(codec.decodeSnapshot(5, s)).toBe(data);
    expect(() => codec.decodeEntry(6, e)).toThrow(CannotDecryptError);
    expect(() => codec.decodeSnapshot(5, e)).toThrow(CannotDecryptError);
    deks = initialDeks(); // another node's keys
    expect(() => codec.decodeEntry(5, e)).toThrow(CannotDecryptError);
  });

  it('reads plaintext rows of an older data dir and marks them for rewriting', () => {
    const deks = initialDeks();
    const codec = recordCodec(() => deks);
    expect(codec.decodeEntry(1, data)).toBe(data);
    expect(codec.needsRewrite(data, entryContext(1))).toBe(true);
    expect(codec.needsRewrite(codec.encodeEntry(1, data), entryContext(1))).toBe(false);
  });

  it('follows a DEK rotation: old rows still read, and are the ones left to rewrite', () => {
    let deks: RaftDeks = initialDeks();
    const codec = recordCodec(() => deks);
    const old = codec.encodeEntry(1, data);
    const snap = codec.encodeSnapshot(1, data);
    deks = beginRotation(requestRotation(deks));
    const fresh = codec.encodeEntry(2, data);
    expect(codec.decodeEntry(1, old)).toBe(data);
    expect(codec.needsRewrite(old, entryContext(1))).toBe(true);
    expect(codec.needsRewrite(snap, snapshotContext(1))).toBe(true);
    expect(codec.needsRewrite(fresh, entryContext(2))).toBe(false);
    const rewritten = codec.encodeEntry(1, codec.decodeEntry(1, old));
    deks = finishRotation(deks, deks.pending!);
    expect(codec.decodeEntry(1, rewritten)).toBe(data);
    expect(codec.decodeEntry(2, fresh)).toBe(data);
    expect(() => codec.decodeEntry(1, old)).toThrow(CannotDecryptError); // the retired key is gone
    expect(() => codec.needsRewrite(old, entryContext(1))).toThrow(CannotDecryptError);
  });
});
