import { describe, expect, it } from 'vitest';
import { managerLeaveRefusal } from './leave';

const PREFIX = 'You are attempting to leave the swarm on a node that is participating as a manager. ';
const SUFFIX =
  'The only way to restore a swarm that has lost consensus is to reinitialize it with `--force-new-cluster`. Use `--force` to suppress this message.';
const m = (self: boolean, reachable = true) => ({ self, reachable });

describe("dockerd's refusal of a manager's leave", () => {
  it('the last manager: its state would be erased', () => {
    expect(managerLeaveRefusal([m(true)])).toBe(
      PREFIX +
        'Removing the last manager erases all current state of the swarm. Use `--force` to ignore this message. ',
    );
  });

  it('two managers: leaving one loses the quorum', () => {
    expect(managerLeaveRefusal([m(true), m(false)])).toBe(
      PREFIX +
        'Removing this node leaves 1 managers out of 2. Without a Raft quorum your swarm will be inaccessible. ' +
        SUFFIX,
    );
    // three with one down is the same loss
    expect(managerLeaveRefusal([m(true), m(false), m(false, false)])).toContain(
      'Removing this node leaves 1 managers out of 3.',
    );
  });

  it('three reachable managers: only the general warning', () => {
    expect(managerLeaveRefusal([m(true), m(false), m(false)])).toBe(PREFIX + SUFFIX);
  });

  it('a manager that cannot see the swarm may lose its consensus', () => {
    expect(managerLeaveRefusal(undefined)).toBe(PREFIX + 'Doing so may lose the consensus of your cluster. ' + SUFFIX);
  });
});
