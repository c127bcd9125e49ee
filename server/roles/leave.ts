// `docker swarm leave`: what leaving does to this process. A manager (only
// with --force) first takes itself out of raft the way a demotion does: it
// records Spec.Role=worker through the log and the leader's role manager
// hands leadership over if needed and removes the member. Then, as for a
// worker, the process stops and its identity (node ID, certificates, worker
// credentials, the manager's store) is removed from the data dir, so its
// next start founds or joins a swarm as a new node.

import { rmSync } from 'node:fs';
import { join } from 'node:path';
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
  try {
    await member.store.update(
      (tx) => {
        const cur = tx.get('node', self);
        if (!cur || cur.Spec.Role === 'worker') return;
        tx.update('node', { ...cur, Spec: { ...cur.Spec, Role: 'worker' } });
      },
      { retry: true },
    );
  } catch (err) {
    // no leader: the others keep this member, as swarm's would (Unreachable) until it is demoted there
    console.warn(`swarmdeck: leaving without a leader: ${err instanceof Error ? err.message : String(err)}`);
    return;
  }
  const end = Date.now() + OUT_OF_RAFT_WAIT_MS;
  while (!member.log.isRemovedMember(self) && Date.now() < end) await new Promise((r) => setTimeout(r, 100));
  if (!member.log.isRemovedMember(self)) console.warn('swarmdeck: raft did not let this manager go in time; leaving');
}
