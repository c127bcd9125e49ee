// What the raft storage will hold: a codec that turns a raft entry's or
// snapshot's data into the stored text and back under the node's current
// DEKs. Its keys are swapped as a DEK rotation begins and ends; everything
// else (which row, which context) is decided here, so the storage cannot bind
// a record to the wrong row.

import { entryContext, isEncrypted, open, readRecord, seal, snapshotContext, type Key } from './envelope';
import { CannotDecryptError } from './errors';
import { readKeys, writeKey, type RaftDeks } from './raft-deks';

export interface RaftRecordCodec {
  encodeEntry(index: number, data: string): string;
  decodeEntry(index: number, stored: string): string;
  encodeSnapshot(index: number, data: string): string;
  decodeSnapshot(index: number, stored: string): string;
  /** whether a stored record must be rewritten by the re-encryption pass (plaintext, or not under the write key) */
  needsRewrite(stored: string, context: string): boolean;
  /**
   * For the re-encryption pass, with as few decryptions as possible: undefined when the record is under
   * the write key already, else its data (and whether it was plaintext). Throws when no key opens it.
   */
  toRewrite(stored: string, context: string): { data: string; plaintext: boolean } | undefined;
  /** The key new records are sealed under (the writer seals off the event loop with it). */
  writeKey(): Key;
}

export function recordCodec(getDeks: () => RaftDeks): RaftRecordCodec {
  const encode = (context: string, data: string) => seal(data, writeKey(getDeks()), context);
  const decode = (context: string, stored: string) => readRecord(stored, readKeys(getDeks()), context).data;
  return {
    encodeEntry: (index, data) => encode(entryContext(index), data),
    decodeEntry: (index, stored) => decode(entryContext(index), stored),
    encodeSnapshot: (index, data) => encode(snapshotContext(index), data),
    decodeSnapshot: (index, stored) => decode(snapshotContext(index), stored),
    writeKey: () => writeKey(getDeks()),
    toRewrite(stored, context) {
      if (!isEncrypted(stored)) return { data: stored, plaintext: true };
      const deks = getDeks();
      const current = writeKey(deks);
      try {
        open(stored, [current], context);
        return undefined;
      } catch (e) {
        if (!(e instanceof CannotDecryptError)) throw e;
      }
      const others = readKeys(deks).filter((k) => k !== current);
      return { data: open(stored, others, context), plaintext: false };
    },
    needsRewrite(stored, context) {
      if (!isEncrypted(stored)) return true;
      const deks = getDeks();
      try {
        open(stored, [writeKey(deks)], context);
        return false;
      } catch (e) {
        if (!(e instanceof CannotDecryptError)) throw e;
      }
      open(stored, readKeys(deks), context); // under the other key, or it throws: nothing silently dropped
      return true;
    },
  };
}
