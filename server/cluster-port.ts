// The cluster port's HTTPS side: what a request that is not a cluster
// connection upgrade gets (the upgrades themselves go to the ClusterTransport).
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { ClusterMember } from './cluster-member';
import { ROOT_CA_PATH } from './node-tls';

/**
 * The cluster port: managers and agents dial it (raft, forwarded writes, joins,
 * dispatcher sessions) over an HTTP upgrade inside TLS. Anyone on the network
 * reaches it, so `/healthz` says only that the process is up (the raft detail
 * is `GET /swarmdeck/raft` on the Engine API, the local admin interface). That
 * is no secrecy: every TLS client sees this manager's certificate, which names
 * the cluster ID (O) and the node ID (CN), before anything is checked, as in
 * swarm. `/ca` serves the swarm's root CA to joiners, who check it against
 * their token (it is public).
 */
export function clusterPortHandler(member: () => ClusterMember | undefined = () => undefined) {
  return (req: IncomingMessage, res: ServerResponse): void => {
    req.resume();
    if (req.url === ROOT_CA_PATH && req.method === 'GET') {
      const root = member()?.store.view.list('cluster')[0]?.RootCA?.CACert;
      res.writeHead(root ? 200 : 503, { 'Content-Type': 'application/json' });
      res.end(JSON.stringify(root ? { Certificate: root } : { message: 'this node is not a swarm manager' }));
      return;
    }
    if (req.url === '/healthz') {
      res.writeHead(200, { 'Content-Type': 'application/json' });
      res.end(JSON.stringify({ status: 'ok' }));
      return;
    }
    res.writeHead(404, { 'Content-Type': 'application/json' });
    res.end(JSON.stringify({ message: 'page not found' }));
  };
}
