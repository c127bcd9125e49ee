// Who a dispatcher write-back is, in the audit log: the agent whose reports it
// carries when they are one node's, else the dispatcher (several nodes' reports
// batched into one entry, or the dispatcher's own verdicts: a node down for
// missed heartbeats, unknown after a leader change).

import type { Actor } from '../../api/audit';
import type { AuditContext } from '../../store/audit-context';

export const DISPATCHER: Actor = { kind: 'control-loop', name: 'dispatcher' };

export function writeBackAuditor(
  nodeWrites: Iterable<[string, { byAgent?: boolean }]>,
  statusNodes: Iterable<string>,
): AuditContext {
  const agents = new Set<string>();
  let own = false;
  for (const [id, w] of nodeWrites) {
    if (w.byAgent) agents.add(id);
    else own = true;
  }
  for (const id of statusNodes) agents.add(id);
  const [only] = agents;
  if (!own && agents.size === 1 && only !== undefined) return { actor: { kind: 'agent', nodeID: only } };
  return agents.size > 1 ? { actor: DISPATCHER, action: `reports of ${agents.size} nodes` } : { actor: DISPATCHER };
}
