import type { RaftEvent, RaftView } from '@/server/api/raft-view';
import type { RaftFrame } from '@/server/api/realtime';

export interface RaftState {
  view: RaftView;
  /** Oldest first, as the server keeps them. */
  events: RaftEvent[];
  /** Browser time the view arrived (last-contact ages count up from it). */
  receivedAt: number;
}

/**
 * The Raft panel's data in the browser: null until (unless) the manager sends
 * any, i.e. while loading or when it runs no raft group.
 */
export class ClientRaftStore {
  private state: RaftState | null = null;
  private listeners = new Set<() => void>();

  get = (): RaftState | null => this.state;

  subscribe = (listener: () => void): (() => void) => {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  };

  /** Apply a frame unless it is older than what we hold from the same manager. */
  apply(frame: RaftFrame, receivedAt: number): boolean {
    const cur = this.state;
    if (cur && cur.view.observedBy === frame.view.observedBy && frame.view.at < cur.view.at) return false;
    this.state = { view: frame.view, events: frame.events ?? cur?.events ?? [], receivedAt };
    for (const l of this.listeners) l();
    return true;
  }
}

export const raftStore = new ClientRaftStore();
