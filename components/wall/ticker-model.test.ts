import { describe, expect, it } from 'vitest';
import type { ClusterEvent, LoggedEvent } from '@/server/api/events';
import {
  clockTime,
  enteringRows,
  tickerFetchCount,
  tickerRows,
  tickerRowsFit,
  tickerText,
  tickerWorthy,
  type TickerRow,
} from './ticker-model';

const at = new Date(2026, 11, 6, 9, 5, 7).getTime();
const ev = (
  Type: ClusterEvent['Type'],
  Action: ClusterEvent['Action'],
  Attributes: Record<string, string>,
  ms = at,
): ClusterEvent => ({
  Type,
  Action,
  Actor: { ID: 'abcdef0123456789', Attributes },
  scope: 'swarm',
  time: 1,
  timeNano: ms * 1e6,
});
const logged = (index: number, event: ClusterEvent): LoggedEvent => ({ index, seq: 0, event });

describe('the wall ticker', () => {
  it('names the object an update changed, which a one-object timeline leaves out', () => {
    expect(tickerText(ev('node', 'update', { name: 'w1', 'state.old': 'ready', 'state.new': 'down' }))).toBe(
      'node w1: state ready → down',
    );
    expect(tickerText(ev('service', 'update', { name: 'web', 'updatestate.new': 'paused' }))).toBe(
      'service web: rollout paused',
    );
    // no name: the ID, cut as the console cuts IDs
    expect(tickerText(ev('cluster', 'update', {}))).toBe('cluster abcdef012345: cluster updated');
    // create, remove and task lines already say what they are about
    expect(tickerText(ev('service', 'create', { name: 'web' }))).toBe('service web created');
    const task = { name: 'web.2.t9', 'com.docker.swarm.task.id': 't9', 'state.old': 'running', 'state.new': 'failed' };
    expect(tickerText(ev('task', 'update', task))).toBe('task web.2: state running → failed');
  });

  it('lists the newest first, at most as many as fit, with the local time and the tone', () => {
    const log = [
      logged(3, ev('service', 'create', { name: 'web' }, at - 2000)),
      logged(4, ev('node', 'update', { name: 'w1', 'state.old': 'ready', 'state.new': 'down' }, at - 1000)),
      logged(5, ev('service', 'remove', { name: 'web' }, at)),
    ];
    const rows = tickerRows(log, 2);
    expect(rows.map((r) => r.key)).toEqual(['5/0', '4/0']);
    expect(rows[0]).toMatchObject({ time: '09:05:07', type: 'service', text: 'service web removed', tone: 'neutral' });
    expect(rows[1]).toMatchObject({ time: '09:05:06', type: 'node', tone: 'bad', at: at - 1000 });
    expect(tickerRows(log, 10)).toHaveLength(3);
    expect(tickerRows([], 10)).toEqual([]);
  });

  it('fits whole rows below the chrome, never fewer than one nor more than the log gives', () => {
    expect(clockTime(new Date(2026, 0, 1, 23, 59, 0).getTime())).toBe('23:59:00');
    // 4K: 34.56 px font; (2160 - 12 × 34.56) / (2.6 × 34.56) = 19.4
    expect(tickerRowsFit(2160, 34.56)).toBe(19);
    // laptop: 12.29 px; (768 - 147.5) / 31.9 = 19.4
    expect(tickerRowsFit(768, 12.288)).toBe(19);
    expect(tickerRowsFit(100, 20)).toBe(1);
    expect(tickerRowsFit(100_000, 12)).toBe(100);
  });

  it('leaves out object updates that changed nothing a line can name, and asks for enough to fill the screen', () => {
    expect(tickerWorthy(ev('node', 'update', { name: 'vm' }))).toBe(false);
    expect(tickerWorthy(ev('service', 'update', { name: 'web' }))).toBe(false);
    expect(
      tickerWorthy(ev('node', 'update', { name: 'vm', 'availability.old': 'active', 'availability.new': 'drain' })),
    ).toBe(true);
    expect(tickerWorthy(ev('task', 'update', { name: 'web.1.t1' }))).toBe(true);
    expect(tickerWorthy(ev('service', 'remove', { name: 'web' }))).toBe(true);
    const rows = tickerRows(
      [logged(1, ev('service', 'create', { name: 'web' })), logged(2, ev('node', 'update', { name: 'vm' }))],
      5,
    );
    expect(rows.map((r) => r.text)).toEqual(['service web created']);
    expect(tickerFetchCount(19)).toBe(38);
    expect(tickerFetchCount(80)).toBe(100);
  });

  it('slides in only a few new rows at once, and nothing on the first drawing', () => {
    const rows = (...keys: string[]): TickerRow[] =>
      keys.map((key) => ({ key, at: 0, time: '00:00:00', type: 'service', text: key, tone: 'neutral' }));
    expect([...enteringRows(undefined, rows('a', 'b'))]).toEqual([]);
    expect([...enteringRows(new Set(['a', 'b']), rows('c', 'a', 'b'))]).toEqual(['c']);
    expect([...enteringRows(new Set(['a']), rows('d', 'c', 'b', 'a'))]).toEqual(['d', 'c', 'b']);
    // a churning cluster replaced the list: it is drawn as it is, nothing slides
    expect([...enteringRows(new Set(['a']), rows('e', 'd', 'c', 'b'))]).toEqual([]);
    expect([...enteringRows(new Set(['a', 'b']), rows('a', 'b'))]).toEqual([]);
  });
});
