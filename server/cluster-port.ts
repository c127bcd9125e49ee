// The cluster port's plain HTTP side: what a request that is not a cluster
// connection upgrade gets (the upgrades themselves go to the ClusterTransport).
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { ClusterMember } from './cluster-member';

/**
 * The cluster port: managers dial it (raft, forwarded writes, joins, dispatcher
 * sessions) over an HTTP upgrade. `/healthz` also says where this member stands in raft.
 */
export function clusterPortHandler(member: () => ClusterMember | undefined) {
  return (req: IncomingMessage, res: ServerResponse): void => {
    if (req.url === '/healthz') {
      const m = member();
      res.writeHead(200, { 'Content-Type': 'application/json' });
      res.end(JSON.stringify({ status: 'ok', role: 'manager', raft: m ? raftHealth(m) : null }));
      return;
    }
    res.writeHead(404, { 'Content-Type': 'application/json' });
    res.end(JSON.stringify({ message: 'page not found' }));
  };
}

function raftHealth(m: ClusterMember) {
  const st = m.log.status();
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
    timing: m.log.timing(),
  };
}
