'use client';

import { useMemo, useSyncExternalStore } from 'react';
import { raftStore, type RaftState } from '../raft/raft-store';
import type { QuorumInput } from './alert-model';

/**
 * The figures the alert strip reads from Raft, as one string. Raft frames come up to twenty times a
 * second while entries commit, and almost all of them only move the log index: the same string means the
 * wall does not redraw (and recount its alerts over every task) for them.
 */
export function quorumKey(s: RaftState | null): string {
  const v = s?.view;
  return v ? `${v.quorum.voters}/${v.quorum.canLose}/${v.hasQuorum ? 1 : 0}` : '';
}

/** The quorum for the alert strip; null when the manager sends no Raft view. */
export function useWallQuorum(): QuorumInput | null {
  const key = useSyncExternalStore(
    raftStore.subscribe,
    () => quorumKey(raftStore.get()),
    () => '',
  );
  return useMemo(() => {
    if (!key) return null;
    const [voters, canLose, has] = key.split('/').map(Number) as [number, number, number];
    return { voters, canLose, hasQuorum: has === 1 };
  }, [key]);
}
