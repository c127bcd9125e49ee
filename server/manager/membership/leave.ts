// `docker swarm leave` on a manager: dockerd's refusal without --force, word
// for word (moby daemon/cluster/swarm.go, Leave), from the managers' raft
// reachability as `docker node ls` shows it.

/** One manager as the leaving node sees it. */
export interface LeaveManager {
  self: boolean;
  reachable: boolean;
}

const LEAVE_MANAGER = 'You are attempting to leave the swarm on a node that is participating as a manager. ';

/**
 * The refusal of a leave without --force. `managers` undefined: this node is
 * a manager that cannot see the swarm's managers (no leader), as dockerd's
 * "not an active manager" branch.
 */
export function managerLeaveRefusal(managers: readonly LeaveManager[] | undefined): string {
  let msg = LEAVE_MANAGER;
  if (!managers) msg += 'Doing so may lose the consensus of your cluster. ';
  else {
    const reachable = managers.filter((m) => m.reachable).length;
    const unreachable = managers.length - reachable;
    const active = managers.some((m) => m.self && m.reachable);
    // swarm's removingManagerCausesLossOfQuorum and isLastManager
    if (active && reachable - 2 <= unreachable) {
      if (reachable === 1 && unreachable === 0)
        return (
          msg +
          'Removing the last manager erases all current state of the swarm. Use `--force` to ignore this message. '
        );
      msg += `Removing this node leaves ${reachable - 1} managers out of ${reachable + unreachable}. Without a Raft quorum your swarm will be inaccessible. `;
    }
  }
  return (
    msg +
    'The only way to restore a swarm that has lost consensus is to reinitialize it with `--force-new-cluster`. Use `--force` to suppress this message.'
  );
}
