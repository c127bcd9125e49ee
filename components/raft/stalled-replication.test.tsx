import { renderToStaticMarkup } from 'react-dom/server';
import { describe, expect, it } from 'vitest';
import type { RaftMemberView, RaftView } from '@/server/api/raft-view';
import { StalledReplication } from './stalled-replication';

const member = (hostname: string, stalled?: RaftMemberView['stalled']): RaftMemberView => ({
  raftId: hostname,
  nodeID: hostname,
  hostname,
  addr: '127.0.0.1:2377',
  role: 'follower',
  self: false,
  reachable: true,
  ...(stalled ? { stalled } : {}),
});

const view = (members: RaftMemberView[]): RaftView => ({
  observedBy: 'm1',
  at: '2026-01-01T00:00:00.000Z',
  term: 3,
  leader: 'm1',
  role: 'leader',
  commit: 10,
  applied: 10,
  snapshot: { index: 0, bytes: 0 },
  members,
  quorum: { voters: 3, majority: 2, reachableVoters: 3, canLose: 1 },
  hasQuorum: true,
  failedEntries: { total: 0, recent: [] },
});

describe('StalledReplication', () => {
  it('says nothing while every follower is replicated to', () => {
    expect(renderToStaticMarkup(<StalledReplication view={null} />)).toBe('');
    expect(renderToStaticMarkup(<StalledReplication view={view([member('m2'), member('m3')])} />)).toBe('');
  });

  it('names the stuck follower, the entry, its size and the limit', () => {
    const html = renderToStaticMarkup(
      <StalledReplication
        view={view([member('m2'), member('m3', { index: 1234, bytes: 9 * 2 ** 20, limit: 8 * 2 ** 20 - 65_536 })])}
      />,
    );
    expect(html).toContain('role="alert"');
    expect(html).toContain('Replication to m3 is stuck');
    expect(html).toContain('entry 1234 is 9.0 MiB');
    expect(html).toContain('more than the 7.9 MiB a message may carry');
    expect(html).toContain('<span class="fault-what">m3</span>');
    expect(html).not.toContain('m2</span>');
  });
});
