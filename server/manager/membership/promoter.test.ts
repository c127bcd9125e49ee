import { describe, expect, it } from 'vitest';
import { ManualClock } from '../../util/clock';
import { CAUGHT_UP_LAG, LearnerPromoter, learnerToPromote } from './promoter';

describe('learner promotion', () => {
  it('promotes a learner only once it has caught up', () => {
    const st = (match: number) => ({ commit: 1_000, conf: { learners: ['n4'] }, progress: { n4: { match } } });
    expect(learnerToPromote(st(0))).toBeUndefined();
    expect(learnerToPromote(st(1_000 - CAUGHT_UP_LAG - 1))).toBeUndefined();
    expect(learnerToPromote(st(1_000 - CAUGHT_UP_LAG))).toBe('n4');
  });

  it('runs on the leader only, every interval, and stops', async () => {
    const clock = new ManualClock();
    const promoted: string[] = [];
    let leader = false;
    const log = {
      isLeader: () => leader,
      status: () => ({ commit: 10, conf: { learners: ['n4'] }, progress: { n4: { match: 10 } } }),
      promote: async (id: string) => void promoted.push(id),
    };
    const p = new LearnerPromoter(log, clock, 100);
    p.start();
    clock.advance(100);
    await Promise.resolve();
    expect(promoted).toEqual([]);
    leader = true;
    clock.advance(100);
    await new Promise((r) => setTimeout(r, 0));
    expect(promoted).toEqual(['n4']);
    await p.stop();
    clock.advance(1_000);
    await new Promise((r) => setTimeout(r, 0));
    expect(promoted).toEqual(['n4']);
  });
});
