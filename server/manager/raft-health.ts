import type { RaftHealth } from '../api/raft-health';
import type { RaftLog } from '../raft/raft-log';

/** The RaftHealth of this manager's raft member. */
export function raftHealth(log: Pick<RaftLog, 'status' | 'timing'>): RaftHealth {
  const st = log.status();
  return {
    id: st.id,
    role: st.role,
    leader: st.leader,
    leaderReady: st.leaderReady,
    term: st.term,
    commit: st.commit,
    applied: st.storeIndex,
    voters: st.conf.voters,
    learners: st.conf.learners,
    snapshotIndex: st.snapshot.index,
    snapshotsInstalled: st.snapshotsInstalled,
    timing: log.timing(),
    stalledReplication: st.stalledReplication,
  };
}
