import { describe, expect, it } from 'vitest';
import { makeNode } from '../../store/test-support';
import { nextRoleAction } from './role-manager';
import { membershipView } from './status';

const mgr = (id: string, specRole: 'manager' | 'worker' = 'manager') =>
  makeNode({ ID: id, Role: 'manager', Spec: { Labels: {}, Role: specRole, Availability: 'active' } });

const view = (voters: string[], self = 'a', down: string[] = []) =>
  membershipView({
    selfID: self,
    leader: self,
    voters,
    learners: [],
    addrs: new Map(voters.map((v) => [v, `${v}:2377`])),
    peers: voters.filter((v) => v !== self).map((id) => ({ id, active: !down.includes(id) })),
  });

describe('role manager decisions', () => {
  it('removes a demoted member from raft before its Role changes, then sets the Role', () => {
    expect(nextRoleAction([mgr('a'), mgr('b', 'worker'), mgr('c')], view(['a', 'b', 'c']))).toEqual({
      kind: 'remove-member',
      nodeID: 'b',
    });
    expect(nextRoleAction([mgr('a'), mgr('b', 'worker'), mgr('c')], view(['a', 'c']))).toEqual({
      kind: 'set-role',
      nodeID: 'b',
      role: 'worker',
    });
  });

  it('a leader being demoted transfers leadership first; waits when that would lose quorum', () => {
    expect(nextRoleAction([mgr('a', 'worker'), mgr('b'), mgr('c')], view(['a', 'b', 'c']), { b: 5, c: 9 })).toEqual({
      kind: 'transfer-leadership',
      to: 'c',
    });
    // b is unreachable: removing c would leave a alone of {a, b}
    expect(nextRoleAction([mgr('a'), mgr('b'), mgr('c', 'worker')], view(['a', 'b', 'c'], 'a', ['b']))).toBeUndefined();
  });

  it('promotes at once and evicts members whose node is gone', () => {
    const w = makeNode({ ID: 'w', Role: 'worker', Spec: { Labels: {}, Role: 'manager', Availability: 'active' } });
    expect(nextRoleAction([mgr('a'), w], view(['a']))).toEqual({ kind: 'set-role', nodeID: 'w', role: 'manager' });
    expect(nextRoleAction([mgr('a'), mgr('b')], view(['a', 'b', 'x']))).toEqual({ kind: 'evict', raftID: 'x' });
  });
});
