// The cluster transport's view of this node: its TLS identity (what it
// presents and trusts) joined with who else it lets in (managers decide that
// from their store; an agent serves nobody).

import type { TransportSecurity } from '../raft/transport';
import type { NodeCredentials } from './node-credentials';

export interface AcceptPolicy {
  isRemoved(nodeID: string): boolean;
  /** Whether a manager certificate naming `nodeID` grants member rights: it is a raft member now. */
  isMember(nodeID: string): boolean;
  validateToken(token: string): 'manager' | 'worker' | undefined;
}

/** Accepts no caller: what a worker (or a process not yet in a swarm) uses. */
export const ACCEPT_NOBODY: AcceptPolicy = {
  isRemoved: () => false,
  isMember: () => false,
  validateToken: () => undefined,
};

export function nodeSecurity(
  credentials: NodeCredentials,
  policy: () => AcceptPolicy = () => ACCEPT_NOBODY,
): TransportSecurity {
  return {
    material: () => credentials.material(),
    onChange: (l) => credentials.onChange(l),
    clusterId: () => credentials.certificate?.clusterID,
    isRemoved: (id) => policy().isRemoved(id),
    isMember: (id) => policy().isMember(id),
    validateToken: (t) => policy().validateToken(t),
    joinToken: () => credentials.joinToken(),
  };
}
