// What a committed raft entry means to the store, and what a snapshot holds.
// Plain functions over the MemoryStore so the raft shell stays thin.

import type { SwarmError } from '../api/errors';
import type { Batch } from '../store/batch';
import { errorText, type MemoryStore, type StoreImage } from '../store/memory-store';
import { batchShapeError } from '../store/shape';
import { tryDecodeConfChange, type ConfChange } from './core';
import type { Entry, RaftId } from './types';

/** Snapshot data: the store image plus the members' addresses (the conf state only has IDs). */
export interface SnapshotImage extends StoreImage {
  members?: Record<RaftId, string>;
}

/** What a snapshot holds, at the store's index: references to its (immutable) objects, cheap to take. */
export function snapshotImage(store: MemoryStore, members: ReadonlyMap<RaftId, string>): SnapshotImage {
  return {
    ...store.image(),
    events: store.events.image(),
    audit: store.audit.image(),
    members: Object.fromEntries([...members].sort()),
  };
}

/** A snapshot's data in one go (a running member writes it in slices: snapshot-encoding.ts). */
export function encodeSnapshotData(store: MemoryStore, members: ReadonlyMap<RaftId, string>): string {
  return JSON.stringify(snapshotImage(store, members));
}

export function decodeSnapshotData(data: string): SnapshotImage {
  const img = JSON.parse(data) as SnapshotImage;
  if (!img || typeof img !== 'object' || typeof img.index !== 'number' || !img.objects) {
    throw new Error('raft: snapshot data is not a store image');
  }
  return img;
}

/** The image, or why the data is not one (never throws). */
export function tryDecodeSnapshotData(data: string): { img: SnapshotImage } | { error: string } {
  try {
    return { img: decodeSnapshotData(data) };
  } catch (err) {
    return { error: errorText(err) };
  }
}

export interface EntryOutcome {
  /** Validation error of a store batch (the entry is still applied: the store skipped it). */
  error?: SwarmError;
  /** The membership change this entry carries, if any. */
  confChange?: ConfChange;
  /** The entry could not be applied (bad JSON, a malformed batch or conf change...): the store moved past it. */
  failed?: string;
}

/**
 * Apply one committed entry to the store. Normal entries carry a JSON batch;
 * the leader's no-op ('') and conf changes only move the store's index, so
 * Version.Index keeps equal to the raft index on every member. Total: an
 * entry that cannot be applied moves the index too and comes back `failed`,
 * the same on every member.
 *
 * `decoded` is the batch object this member proposed (spares the parse). Its
 * verdict must equal the one the parsed data gets elsewhere: for plain data
 * it does; should the object fail, the data itself is parsed and judged.
 */
export function applyEntry(store: MemoryStore, entry: Entry, decoded?: Batch): EntryOutcome {
  try {
    if (entry.type === 'conf-change') {
      store.advanceTo(entry.index);
      const cc = tryDecodeConfChange(entry.data);
      return cc ? { confChange: cc } : { failed: 'the membership change is malformed' };
    }
    if (entry.data === '') {
      store.advanceTo(entry.index);
      return {};
    }
    let batch: unknown = decoded;
    if (batch === undefined || batchShapeError(batch) !== undefined) {
      try {
        batch = JSON.parse(entry.data);
      } catch (err) {
        store.advanceTo(entry.index);
        return { failed: `the entry is not JSON: ${errorText(err)}` };
      }
    }
    const r = store.apply(entry.index, batch as Batch);
    if (r.failed) return { failed: r.failed };
    return r.error ? { error: r.error } : {};
  } catch (err) {
    // out-of-order indexes are the shell's bug, not the entry's: let them surface
    if (store.index < entry.index) throw err;
    return { failed: errorText(err) };
  }
}

/** Apply a membership change to the member → address map; returns what the transport must learn or forget. */
export function applyMembership(
  members: Map<RaftId, string>,
  cc: ConfChange,
): { add?: { id: RaftId; addr: string }; remove?: RaftId } {
  if (cc.type === 'remove') {
    members.delete(cc.id);
    return { remove: cc.id };
  }
  const addr = cc.context || members.get(cc.id) || '';
  members.set(cc.id, addr);
  return addr ? { add: { id: cc.id, addr } } : {};
}
