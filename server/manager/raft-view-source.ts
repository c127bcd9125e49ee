import type { RaftEvent, RaftView } from '../api/raft-view';

/** Where the console's Raft panel gets its data: the manager's raft member. */
export interface RaftViewSource {
  view(): RaftView;
  /** Recent events, oldest first (bounded). */
  events(): RaftEvent[];
  /** Called whenever the view or the events change (term, leader, roles, reachability, indexes). */
  onChange(listener: () => void): () => void;
}
