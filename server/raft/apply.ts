// What a committed raft entry means to the store, and what a snapshot holds.
// Plain functions over the MemoryStore so the raft shell stays thin.

import type { SwarmError } from '../api/errors';
import type { Batch } from '../store/batch';
import type { MemoryStore, StoreImage } from '../store/memory-store';
import { decodeConfChange, type ConfChange } from './core';
import type { Entry, RaftId } from './types';

/** Snapshot data: the store image plus the members' addresses (the conf state only has IDs). */
export interface SnapshotImage extends StoreImage {
  members?: Record<RaftId, string>;
}

export function encodeSnapshotData(store: MemoryStore, members: ReadonlyMap<RaftId, string>): string {
  const img: SnapshotImage = { ...store.image(), members: Object.fromEntries([...members].sort()) };
  return JSON.stringify(img);
}

export function decodeSnapshotData(data: string): SnapshotImage {
  const img = JSON.parse(data) as SnapshotImage;
  if (!img || typeof img !== 'object' || typeof img.index !== 'number' || !img.objects) {
    throw new Error('raft: snapshot data is not a store image');
  }
  return img;
}

export interface EntryOutcome {
  /** Validation error of a store batch (the entry is still applied: the store skipped it). */
  error?: SwarmError;
  /** The membership change this entry carries, if any. */
  confChange?: ConfChange;
}

/**
 * Apply one committed entry to the store. Normal entries carry a JSON batch;
 * the leader's no-op ('') and conf changes only move the store's index, so
 * Version.Index keeps equal to the raft index on every member.
 */
export function applyEntry(store: MemoryStore, entry: Entry, decoded?: Batch): EntryOutcome {
  if (entry.type === 'conf-change') {
    store.advanceTo(entry.index);
    return { confChange: decodeConfChange(entry.data) };
  }
  if (entry.data === '') {
    store.advanceTo(entry.index);
    return {};
  }
  const { error } = store.apply(entry.index, decoded ?? (JSON.parse(entry.data) as Batch));
  return error ? { error } : {};
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
