import { describe, expect, it } from 'vitest';
import { canRemoveMember, managerStatus, membershipView, transferTarget, type MembershipView } from './status';

const view = (over: Partial<Parameters<typeof membershipView>[0]> = {}): MembershipView =>
  membershipView({
    selfID: 'a',
    leader: 'a',
    voters: ['a', 'b', 'c'],
    learners: [],
    addrs: new Map([
      ['a', '10.0.0.1:2377'],
      ['b', '10.0.0.2:2377'],
      ['c', '10.0.0.3:2377'],
    ]),
    peers: [
      { id: 'b', active: true },
      { id: 'c', active: true },
    ],
    ...over,
  });

describe('membership view', () => {
  it('derives ManagerStatus: Leader, reachability from the transport, the member address; none for non-members', () => {
    const v = view({
      leader: 'b',
      peers: [
        { id: 'b', active: true },
        { id: 'c', active: false },
      ],
    });
    expect(managerStatus(v, 'a')).toEqual({ Reachability: 'reachable', Addr: '10.0.0.1:2377' });
    expect(managerStatus(v, 'b')).toEqual({ Leader: true, Reachability: 'reachable', Addr: '10.0.0.2:2377' });
    expect(managerStatus(v, 'c')).toEqual({ Reachability: 'unreachable', Addr: '10.0.0.3:2377' });
    expect(managerStatus(v, 'worker')).toBeUndefined();
  });

  it('CanRemoveMember: the reachable voters left must be a majority of the smaller group', () => {
    expect(canRemoveMember(view(), 'b')).toBe(true);
    // c is down: removing b leaves a alone of {a, c} → 1 < 2
    const cDown = view({
      peers: [
        { id: 'b', active: true },
        { id: 'c', active: false },
      ],
    });
    expect(canRemoveMember(cDown, 'b')).toBe(false);
    expect(canRemoveMember(cDown, 'c')).toBe(true);
    // learners do not count
    expect(canRemoveMember(view({ voters: ['a', 'b'], learners: ['c'] }), 'b')).toBe(true);
  });

  it('picks the most up-to-date reachable voter as transfer target', () => {
    expect(transferTarget(view(), { b: 10, c: 12 })).toBe('c');
    expect(
      transferTarget(
        view({
          peers: [
            { id: 'b', active: true },
            { id: 'c', active: false },
          ],
        }),
        { c: 99 },
      ),
    ).toBe('b');
    expect(transferTarget(view({ voters: ['a'], learners: ['b'] }))).toBeUndefined();
  });
});
