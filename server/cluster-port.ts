// The cluster port's HTTPS side: what a request that is not a cluster
// connection upgrade gets (the upgrades themselves go to the ClusterTransport).
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { ClusterMember } from './cluster-member';
import { ROOT_CA_PATH } from './node-tls';

/**
 * The cluster port: managers dial it (raft, forwarded writes, joins, dispatcher
 * sessions) over an HTTP upgrade inside TLS. `/healthz` also says where this member stands in raft;
 * `/ca` serves the swarm's root CA to joiners, who check it against their token (it is public).
 */
export function clusterPortHandler(member: () => ClusterMember | undefined) {
  return (req: IncomingMessage, res: ServerResponse): void => {
    if (req.url === ROOT_CA_PATH && req.method === 'GET') {
      const root = member()?.store.view.list('cluster')[0]?.RootCA?.CACert;
      res.writeHead(root ? 200 : 503, { 'Content-Type': 'application/json' });
      res.end(JSON.stringify(root ? { Certificate: root } : { message: 'this node is not a swarm manager' }));
      return;
    }
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
