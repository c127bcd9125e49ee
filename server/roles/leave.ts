// `docker swarm leave`: what leaving does to this process. A manager (only
// with --force) first takes itself out of raft the way a demotion does: it
// records Spec.Role=worker through the log and the leader's role manager
// hands leadership over if needed and removes the member. Then, as for a
// worker, the process stops and its identity (node ID, certificates, worker
// credentials, the manager's store) is removed from the data dir, so its
// next start founds or joins a swarm as a new node.

import { rmSync } from 'node:fs';
import { join } from 'node:path';
import { SequenceConflict } from '../api/errors';
import type { ClusterMember } from '../cluster-member';

/** How long a forced leave waits for raft to let it go before it stops anyway (as swarm: left Unreachable). */
const OUT_OF_RAFT_WAIT_MS = 15_000;

/** Files of the data dir that make this process a node of its swarm. */
const IDENTITY = [
  'node.json',
  'agent-credentials.json',
  'certificates',
  'swarmdeck.db',
  'swarmdeck.db-wal',
  'swarmdeck.db-shm',
];

/** Remove this node's identity from its data dir (after the process let go of it). */
export function forgetSwarm(dataDir: string): void {
  for (const name of IDENTITY) rmSync(join(dataDir, name), { recursive: true, force: true });
}

/** Take this manager out of raft (when others remain), bounded; resolves either way. */
export async function leaveRaft(member: ClusterMember): Promise<void> {
  const self = member.ctx.selfNodeID;
  const others = member.log.status().members.filter((m) => m.id !== self);
  if (others.length === 0) return;
  // through the control API, which forwards to the leader: the leader's role manager then hands
  // leadership over if this is the leader, and takes the member out of raft
  try {
    for (let attempt = 1; ; attempt++) {
      const node = member.ctx.control.getNode(self);
      if (node.Spec.Role === 'worker') break;
      try {
        await member.ctx.control.updateNode(self, node.Version.Index, { ...node.Spec, Role: 'worker' });
        break;
      } catch (err) {
        if (!(err instanceof SequenceConflict) || attempt >= 5) throw err;
      }
    }
  } catch (err) {
    // no leader, or the others could not spare it: they keep this member (as swarm's would: Unreachable)
    console.warn(`swarmdeck: leaving without leaving raft: ${err instanceof Error ? err.message : String(err)}`);
    return;
  }
  const end = Date.now() + OUT_OF_RAFT_WAIT_MS;
  while (!member.log.isRemovedMember(self) && Date.now() < end) await new Promise((r) => setTimeout(r, 100));
  if (member.log.isRemovedMember(self)) console.log('swarmdeck: this manager left raft');
  else console.warn('swarmdeck: raft did not let this manager go in time; leaving');
}
