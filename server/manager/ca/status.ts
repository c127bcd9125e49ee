// What a node needs to know about the swarm's CA to keep its certificate
// right (see NodeCAStatus): managers read it from their store; agents get it
// with every dispatcher register and heartbeat answer.

import type { Cluster, Node } from '../../api/types';
import { desiredIssuer } from '../../ca';
import type { NodeCAStatus } from '../dispatcher/remote/wire';

export function caStatus(cluster: Cluster | undefined, node: Node | undefined): NodeCAStatus | undefined {
  const rootCA = cluster?.RootCA;
  if (!rootCA || !node) return undefined;
  return { trustRoot: rootCA.CACert, issuer: desiredIssuer(rootCA), role: node.Role };
}
