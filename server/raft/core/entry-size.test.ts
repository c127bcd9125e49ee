import { describe, expect, it } from 'vitest';
import { encodedDataBytes, entrySize } from './log';
import { TestCluster } from './test-cluster';
import type { AppendMessage, Message } from './types';

const apps = (msgs: Message[], to: string): AppendMessage[] =>
  msgs.filter((m): m is AppendMessage => m.type === 'app' && m.to === to);

/** What an append message's entries take in a frame (the transport sends JSON). */
const wireBytes = (m: AppendMessage) => Buffer.byteLength(JSON.stringify(m.entries));

describe('entry sizes are what the wire carries', () => {
  it('measures data as a JSON string: escapes and UTF-8 count', () => {
    expect(encodedDataBytes('abc')).toBe(5);
    expect(encodedDataBytes('"'.repeat(100))).toBe(202);
    expect(encodedDataBytes('\\'.repeat(100))).toBe(202);
    expect(encodedDataBytes('é'.repeat(100))).toBe(202);
    expect(encodedDataBytes('\u0001')).toBe(8);
    // a batch whose label is quotes: escaped once in the batch's JSON, twice on the wire
    const batch = JSON.stringify({ ops: [{ Labels: { k: '"'.repeat(1000) } }] });
    expect(encodedDataBytes(batch)).toBe(Buffer.byteLength(JSON.stringify(batch)));
    expect(encodedDataBytes(batch)).toBeGreaterThan(4000);
  });

  it('refuses a proposal whose encoded size exceeds the limit, before it reaches the log', () => {
    const c = new TestCluster(['a', 'b', 'c'], { maxProposalBytes: 1000 });
    c.elect('a');
    const before = c.node('a').status().lastIndex;
    // 600 characters, but 1,202 bytes on the wire
    expect(c.node('a').propose('"'.repeat(600))).toEqual({
      ok: false,
      reason: 'too-large',
      leader: 'a',
      bytes: 1202,
      limit: 1000,
    });
    expect(c.node('a').status().lastIndex).toBe(before);
    expect(c.node('a').propose('x'.repeat(998)).ok).toBe(true); // exactly 1,000 bytes
    c.stabilize();
    expect(c.applied.get('b')).toEqual(['x'.repeat(998)]);
  });

  it('budgets append messages by encoded bytes, so escaped entries never overfill a message', () => {
    const c = new TestCluster(['a', 'b', 'c'], { maxMsgBytes: 8 * 1024 });
    c.elect('a');
    // 500 quotes: 500 characters, about 1 KiB each on the wire
    for (let i = 0; i < 40; i++) c.node('a').propose('"'.repeat(500) + i);
    c.flush();
    const toB = apps(c.queue, 'b');
    expect(toB.length).toBeGreaterThan(4);
    for (const m of toB) expect(wireBytes(m)).toBeLessThanOrEqual(8 * 1024);
    expect(toB.flatMap((m) => m.entries)).toHaveLength(40);
    c.stabilize();
    expect(c.applied.get('c')).toHaveLength(40);
  });

  it('stalls visibly, without resending, on an entry no message can carry (an old log)', () => {
    // a log written before proposals were capped: the entry went in, but no frame can take it
    const c = new TestCluster(['a', 'b', 'c'], { maxProposalBytes: 1e9, maxEntryBytes: 4096 });
    c.elect('a');
    c.node('a').propose('ok');
    c.stabilize();
    const big = '"'.repeat(3000);
    const r = c.node('a').propose(big);
    expect(r.ok).toBe(true);
    const index = r.ok ? r.index : 0;
    c.flush();
    expect(apps(c.queue, 'b').flatMap((m) => m.entries)).toEqual([]);
    const st = c.node('a').status();
    const bytes = entrySize({ index, term: 2, type: 'normal', data: big });
    expect(st.progress?.b?.stalled).toEqual({ index, bytes, limit: 4096 });
    expect(c.node('a').stalledReplication()).toEqual([
      { to: 'b', index, bytes, limit: 4096 },
      { to: 'c', index, bytes, limit: 4096 },
    ]);
    // heartbeats go on; the entry is never put in a message
    c.sent.length = 0;
    c.tick(['a'], 30);
    expect(c.sent.some((m) => m.type === 'heartbeat')).toBe(true);
    expect(c.sent.filter((m) => m.type === 'app' && m.entries.length > 0)).toEqual([]);
    expect(c.leaders()).toEqual(['a']);
    expect(c.applied.get('b')).toEqual(['ok']);
  });
});
