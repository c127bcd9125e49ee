// The cluster port's plain HTTP side: what a request that is not a cluster
// connection upgrade gets (the upgrades themselves go to the ClusterTransport).
import type { IncomingMessage, ServerResponse } from 'node:http';

/**
 * The cluster port: managers and agents dial it (raft, forwarded writes, joins,
 * dispatcher sessions) over an HTTP upgrade. Anyone on the network reaches it,
 * so `/healthz` says only that the process is up: no cluster, node or raft ID
 * (the raft detail is `GET /swarmdeck/raft` on the Engine API, the local admin interface).
 */
export function clusterPortHandler() {
  return (req: IncomingMessage, res: ServerResponse): void => {
    req.resume();
    if (req.url === '/healthz') {
      res.writeHead(200, { 'Content-Type': 'application/json' });
      res.end(JSON.stringify({ status: 'ok' }));
      return;
    }
    res.writeHead(404, { 'Content-Type': 'application/json' });
    res.end(JSON.stringify({ message: 'page not found' }));
  };
}
