import { describe, expect, it } from 'vitest';
import { rpcError } from '../../../api/errors';
import type { Task } from '../../../api/types';
import { ManualClock } from '../../../util/clock';
import type { AssignmentsMessage, DispatcherApi } from '../api';
import { AssignmentPolls } from './assignment-polls';

/** A dispatcher whose assignment streams the test drives by hand. */
class ScriptedStreams implements DispatcherApi {
  listeners = new Map<number, (m: AssignmentsMessage) => void>();
  subscribed = 0;
  validSessions = new Set(['s1']);
  private next = 0;
  async register(): Promise<never> {
    throw new Error('unused');
  }
  async heartbeat(): Promise<never> {
    throw new Error('unused');
  }
  async leave(): Promise<void> {}
  async updateTaskStatus(sessionID: string): Promise<void> {
    if (!this.validSessions.has(sessionID)) throw rpcError('NotFound', 'session invalid');
  }
  assignments(sessionID: string, onMessage: (m: AssignmentsMessage) => void): () => void {
    if (!this.validSessions.has(sessionID)) throw rpcError('NotFound', 'session invalid');
    const id = ++this.next;
    this.subscribed++;
    this.listeners.set(id, onMessage);
    queueMicrotask(() => onMessage({ type: 'complete', changes: [] }));
    return () => {
      this.subscribed--;
      this.listeners.delete(id);
    };
  }
  push(m: AssignmentsMessage): void {
    for (const l of this.listeners.values()) l(m);
  }
}

const task = (id: string, pad = 0) => ({ ID: id, Labels: { pad: 'x'.repeat(pad) } }) as unknown as Task;
const incr = (...ids: string[]): AssignmentsMessage => ({
  type: 'incremental',
  changes: ids.map((id) => ({ action: 'update' as const, task: task(id) })),
});
const settle = async () => {
  for (let i = 0; i < 5; i++) await new Promise((r) => setImmediate(r));
};

function setup(over: Partial<ConstructorParameters<typeof AssignmentPolls>[0]> = {}) {
  const clock = new ManualClock();
  const d = new ScriptedStreams();
  const polls = new AssignmentPolls({
    clock,
    maxWaitMs: 1_000,
    idleMs: 5_000,
    maxBuffered: 10,
    pageBytes: 10_000,
    ...over,
  });
  return { clock, d, polls };
}

describe('AssignmentPolls', () => {
  it('starts with the complete message, then answers from the cursor, waiting for news', async () => {
    const { d, polls } = setup();
    const first = await polls.poll(d, 's1', null, 1_000);
    expect(first.messages).toEqual([{ type: 'complete', changes: [] }]);
    expect(first.seq).toBe(1);

    let second: Awaited<ReturnType<AssignmentPolls['poll']>> | undefined;
    void polls.poll(d, 's1', first, 1_000).then((p) => (second = p));
    await settle();
    expect(second).toBeUndefined(); // held open: nothing new yet
    d.push(incr('t1'));
    d.push(incr('t2'));
    await settle();
    expect(second!.messages.map((m) => m.changes[0]!.task.ID)).toEqual(['t1', 't2']);
    expect(second!.seq).toBe(3);
    expect(second!.stream).toBe(first.stream);

    // a retried poll with the old cursor gets the same messages again (nothing acknowledged yet)
    const again = await polls.poll(d, 's1', { stream: first.stream, seq: 1 }, 0);
    expect(again.messages).toHaveLength(2);
  });

  it('holds a poll no longer than the shorter of its wait and the maximum', async () => {
    const { clock, d, polls } = setup();
    const first = await polls.poll(d, 's1', null, 1_000);
    let done: Awaited<ReturnType<AssignmentPolls['poll']>> | undefined;
    void polls.poll(d, 's1', first, 60_000).then((p) => (done = p));
    await settle();
    clock.advance(999);
    await settle();
    expect(done).toBeUndefined();
    clock.advance(1);
    await settle();
    expect(done).toEqual({ stream: first.stream, seq: 1, messages: [] });
  });

  it('a stale or missing cursor starts a new stream with a fresh complete; the old one is unsubscribed', async () => {
    const { d, polls } = setup();
    const first = await polls.poll(d, 's1', null, 1_000);
    const other = await polls.poll(d, 's1', { stream: 'elsewhere', seq: 7 }, 1_000);
    expect(other.stream).not.toBe(first.stream);
    expect(other.messages[0]!.type).toBe('complete');
    expect(d.subscribed).toBe(1);
  });

  it('drops an overflowing buffer; the next poll resyncs with a complete', async () => {
    const { d, polls } = setup({ maxBuffered: 3 });
    const first = await polls.poll(d, 's1', null, 1_000);
    for (let i = 0; i < 4; i++) d.push(incr(`t${i}`));
    expect(d.subscribed).toBe(0);
    expect(polls.size).toBe(0);
    const next = await polls.poll(d, 's1', first, 1_000);
    expect(next.stream).not.toBe(first.stream);
    expect(next.messages).toEqual([{ type: 'complete', changes: [] }]);
  });

  it('cuts a message larger than a page into parts and pages by size', async () => {
    const { d, polls } = setup({ pageBytes: 1_000 });
    const first = await polls.poll(d, 's1', null, 1_000);
    const big: AssignmentsMessage = {
      type: 'complete',
      changes: ['a', 'b', 'c'].map((id) => ({ action: 'update' as const, task: task(id, 600) })),
    };
    d.push(big);
    const p1 = await polls.poll(d, 's1', first, 0);
    expect(p1.messages).toHaveLength(1);
    expect(p1.messages[0]!.more).toBe(true);
    const p2 = await polls.poll(d, 's1', p1, 0);
    const p3 = await polls.poll(d, 's1', p2, 0);
    expect([...p1.messages, ...p2.messages, ...p3.messages].map((m) => [m.type, m.changes.length, !!m.more])).toEqual([
      ['complete', 1, true],
      ['complete', 1, true],
      ['complete', 1, false],
    ]);
  });

  it('sends the secrets and configs with the first part of a cut message, ahead of the tasks', async () => {
    const { d, polls } = setup({ pageBytes: 1_000 });
    const first = await polls.poll(d, 's1', null, 1_000);
    const dependencies = [{ kind: 'secret' as const, action: 'remove' as const, id: 'sec1' }];
    d.push({
      type: 'incremental',
      changes: ['a', 'b'].map((id) => ({ action: 'update' as const, task: task(id, 600) })),
      dependencies,
    });
    const p1 = await polls.poll(d, 's1', first, 0);
    const p2 = await polls.poll(d, 's1', p1, 0);
    expect([...p1.messages, ...p2.messages].map((m) => [m.changes.length, m.dependencies ?? null])).toEqual([
      [1, dependencies],
      [1, null],
    ]);
  });

  it('drops a stream nobody polls, and fails a poll for a session that ended', async () => {
    const { clock, d, polls } = setup();
    const first = await polls.poll(d, 's1', null, 0);
    clock.advance(5_000);
    expect(d.subscribed).toBe(0);
    expect(polls.size).toBe(0);

    const again = await polls.poll(d, 's1', first, 0);
    expect(d.subscribed).toBe(1);
    d.validSessions.clear();
    await expect(polls.poll(d, 's1', again, 0)).rejects.toMatchObject({ code: 'NotFound' });
    expect(d.subscribed).toBe(0);
    await expect(polls.poll(d, 's1', null, 0)).rejects.toMatchObject({ code: 'NotFound' });
  });
});
