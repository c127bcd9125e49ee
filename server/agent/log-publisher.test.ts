import { describe, expect, it } from 'vitest';
import { rpcError } from '../api/errors';
import type { LogBrokerNodeApi, LogPublishAnswer, LogPublishBatch, NodeLogSubscription } from '../api/logs';
import { ManualClock, iso } from '../util/clock';
import { LogRing } from './executor/log-ring';
import type { TaskLogSource } from './executor/log-source';
import { LogPublisher, backlog, chunkLines } from './log-publisher';

/** A node's executor logs: one ring per task. */
class Rings implements TaskLogSource {
  rings = new Map<string, LogRing>();
  constructor(private readonly clock: ManualClock) {}
  print(taskID: string, line: string, stream: 'stdout' | 'stderr' = 'stdout') {
    let r = this.rings.get(taskID);
    if (!r) this.rings.set(taskID, (r = new LogRing()));
    r.push({ stream, time: iso(this.clock.now()), line });
  }
  logs(taskID: string, opts: { tail?: number } = {}) {
    return this.rings.get(taskID)?.list(opts.tail) ?? [];
  }
  subscribeLogs(taskID: string, l: Parameters<LogRing['subscribe']>[0]) {
    return this.rings.get(taskID)?.subscribe(l) ?? (() => {});
  }
}

/** A broker stand-in: hands out subscriptions, records what is published. */
class FakeBroker implements LogBrokerNodeApi {
  published: LogPublishBatch[] = [];
  listener?: (subs: NodeLogSubscription[]) => void;
  refuse?: string;
  /** Subscriptions whose reader is behind: their batches are refused as busy (and counted). */
  busy = new Set<string>();
  offers = 0;
  listen(_nodeID: string, onChange: (subs: NodeLogSubscription[]) => void) {
    this.listener = onChange;
    onChange([]);
    return () => (this.listener = undefined);
  }
  async publish(_nodeID: string, batch: LogPublishBatch): Promise<LogPublishAnswer> {
    this.offers++;
    if (this.refuse === batch.subscriptionID) throw rpcError('NotFound', 'gone');
    if (this.busy.has(batch.subscriptionID)) return { busy: true };
    this.published.push(batch);
    return null;
  }
  give(subs: NodeLogSubscription[]) {
    this.listener?.(subs);
  }
}

const settle = async () => {
  for (let i = 0; i < 10; i++) await new Promise((r) => setTimeout(r, 0));
};

function setup() {
  const clock = new ManualClock(Date.parse('2026-01-01T00:00:00.000Z'));
  const source = new Rings(clock);
  const broker = new FakeBroker();
  const pub = new LogPublisher({ nodeID: 'n1', source, broker, clock, flushMs: 100 });
  pub.start();
  return { clock, source, broker, pub };
}

describe('backlog and batches', () => {
  it('applies since, then the tail', () => {
    const e = (s: number, line: string) => ({ stream: 'stdout' as const, time: iso(s * 1000), line });
    const entries = [e(1, 'a'), e(2, 'b'), e(3, 'c'), e(4, 'd')];
    expect(backlog(entries, {}).map((x) => x.line)).toEqual(['a', 'b', 'c', 'd']);
    expect(backlog(entries, { tail: 2 }).map((x) => x.line)).toEqual(['c', 'd']);
    expect(backlog(entries, { tail: 0 })).toEqual([]);
    expect(backlog(entries, { since: 2000, tail: 10 }).map((x) => x.line)).toEqual(['b', 'c', 'd']);
  });

  it('cuts batches by lines and bytes', () => {
    const l = (n: number) => ({ taskID: 't', time: '', stream: 'stdout' as const, line: 'x'.repeat(n) });
    expect(chunkLines([l(1), l(1), l(1)], 2, 1e9).map((b) => b.length)).toEqual([2, 1]);
    expect(chunkLines([l(100), l(100)], 10, 250).map((b) => b.length)).toEqual([1, 1]);
    expect(chunkLines([], 2, 100)).toEqual([]);
  });
});

describe('LogPublisher', () => {
  it('answers a non-follow subscription with the kept lines (tail) and closes it', async () => {
    const { source, broker } = setup();
    for (const l of ['a', 'b', 'c']) source.print('t1', l);
    source.print('t2', 'z', 'stderr');
    broker.give([
      { id: 's1', follow: false, tasks: [{ taskID: 't1', tail: 2 }, { taskID: 't2' }, { taskID: 'gone' }] },
    ]);
    await settle();
    expect(broker.published).toHaveLength(1);
    const b = broker.published[0]!;
    expect(b.close).toBe(true);
    expect(b.lines.map((l) => `${l.taskID}:${l.stream}:${l.line}`)).toEqual([
      't1:stdout:b',
      't1:stdout:c',
      't2:stderr:z',
    ]);
    // the same set again (the broker has not heard the close yet) is not answered twice
    broker.give([{ id: 's1', follow: false, tasks: [{ taskID: 't1' }] }]);
    await settle();
    expect(broker.published).toHaveLength(1);
  });

  it('closes with no lines when the executor keeps no logs', async () => {
    const clock = new ManualClock();
    const broker = new FakeBroker();
    new LogPublisher({ nodeID: 'n1', source: {}, broker, clock }).start();
    broker.give([{ id: 's1', follow: false, tasks: [{ taskID: 't1' }] }]);
    await settle();
    expect(broker.published).toEqual([{ subscriptionID: 's1', lines: [], close: true }]);
  });

  it('follow: sends the backlog, then new lines in batches, takes in joined tasks, and stops when dropped', async () => {
    const { source, broker, clock, pub } = setup();
    source.print('t1', 'old');
    source.print('t2', 'before');
    broker.give([{ id: 'f', follow: true, tasks: [{ taskID: 't1' }] }]);
    source.print('t1', 'new1');
    source.print('t1', 'new2');
    await settle();
    expect(broker.published).toEqual([]); // collected for flushMs
    clock.advance(100);
    await settle();
    expect(broker.published.map((b) => b.lines.map((l) => l.line))).toEqual([['old', 'new1', 'new2']]);
    expect(broker.published[0]!.close).toBeUndefined();

    clock.advance(1000);
    source.print('t2', 'after');
    broker.give([{ id: 'f', follow: true, tasks: [{ taskID: 't1' }, { taskID: 't2', since: clock.now() }] }]);
    clock.advance(100);
    await settle();
    expect(broker.published[1]!.lines.map((l) => `${l.taskID}:${l.line}`)).toEqual(['t2:after']);

    broker.give([]);
    expect(pub.activeCount).toBe(0);
    source.print('t1', 'unheard');
    clock.advance(500);
    await settle();
    expect(broker.published).toHaveLength(2);
  });

  it('stops following a subscription the broker no longer knows', async () => {
    const { source, broker, clock, pub } = setup();
    source.print('t1', 'x');
    broker.refuse = 'f';
    broker.give([{ id: 'f', follow: true, tasks: [{ taskID: 't1' }] }]);
    clock.advance(100);
    await settle();
    expect(pub.activeCount).toBe(0);
    await pub.stop();
  });

  it('answers a non-follow subscription of many batches with every batch, the last one closing', async () => {
    const clock = new ManualClock(Date.parse('2026-01-01T00:00:00.000Z'));
    const source = new Rings(clock);
    const broker = new FakeBroker();
    new LogPublisher({ nodeID: 'n1', source, broker, clock, maxBatchLines: 2 }).start();
    for (const l of ['a', 'b', 'c', 'd', 'e']) source.print('t1', l);
    broker.give([{ id: 's1', follow: false, tasks: [{ taskID: 't1' }] }]);
    await settle();
    expect(broker.published.map((b) => [b.lines.map((l) => l.line).join(''), b.close])).toEqual([
      ['ab', undefined],
      ['cd', undefined],
      ['e', true],
    ]);
  });

  it('a busy subscription keeps its lines (bounded) and offers them again; other subscriptions go on meanwhile', async () => {
    const { source, broker, clock, pub } = setup();
    source.print('t1', 'first');
    source.print('t2', 'x1');
    broker.busy.add('slow');
    broker.give([
      { id: 'slow', follow: true, tasks: [{ taskID: 't1' }] },
      { id: 'fast', follow: true, tasks: [{ taskID: 't2' }] },
    ]);
    clock.advance(100);
    await settle();
    expect(broker.published.map((b) => b.subscriptionID)).toEqual(['fast']);
    // while the first batch is refused, new lines wait in one bounded buffer: no new publishes pile up
    for (let round = 0; round < 20; round++) {
      for (let i = 0; i < 2_000; i++) source.print('t1', `r${round}-${i}`);
      source.print('t2', `x${round + 2}`);
      clock.advance(100);
      await settle();
    }
    const offered = broker.offers;
    expect(broker.published.filter((b) => b.subscriptionID === 'fast').length).toBeGreaterThan(10);
    expect(broker.published.some((b) => b.subscriptionID === 'slow')).toBe(false);

    broker.busy.clear();
    clock.advance(200);
    await settle();
    for (let i = 0; i < 10; i++) {
      clock.advance(100);
      await settle();
    }
    const slow = broker.published.filter((b) => b.subscriptionID === 'slow').flatMap((b) => b.lines.map((l) => l.line));
    expect(slow[0]).toBe('first');
    // what waited meanwhile: the newest 15,000 to 20,000 lines, in order
    expect(slow.length).toBeGreaterThanOrEqual(1 + 15_000);
    expect(slow.length).toBeLessThanOrEqual(1 + 20_000);
    const printed = Array.from({ length: 20 }, (_, r) => Array.from({ length: 2_000 }, (_, i) => `r${r}-${i}`)).flat();
    expect(slow.slice(1)).toEqual(printed.slice(printed.length - (slow.length - 1)));
    expect(broker.offers).toBeGreaterThan(offered);
    await pub.stop();
  });
});
