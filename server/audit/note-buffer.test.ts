import { describe, expect, it } from 'vitest';
import type { AuditNote } from '../api/audit';
import { ManualClock } from '../util/clock';
import { AuditNoteBuffer } from './note-buffer';

const note = (i: number): AuditNote => ({
  actor: { kind: 'engine-client', subject: 'local (no TLS)' },
  action: 'POST /services/create',
  result: `refused (403): no ${i}`,
});
const settle = () => new Promise((r) => setImmediate(r));

function buffer(opts: { fail?: boolean } = {}) {
  const clock = new ManualClock();
  const entries: AuditNote[][] = [];
  let fail = opts.fail ?? false;
  const b = new AuditNoteBuffer(
    async (notes) => {
      if (fail) throw new Error('no leader');
      entries.push(notes);
    },
    clock,
    { coalesceMs: 250, maxBuffered: 20, perEntry: 5 },
  );
  return { b, clock, entries, heal: () => (fail = false) };
}

describe('audit note buffer', () => {
  it('coalesces the notes of a moment into one entry', async () => {
    const { b, clock, entries } = buffer();
    b.note(note(1));
    b.note(note(2));
    clock.advance(249);
    await settle();
    expect(entries).toHaveLength(0);
    clock.advance(1);
    await settle();
    expect(entries).toEqual([[note(1), note(2)]]);
  });

  it('lets a flood into the log at most an entry per interval, and drops (and counts) what does not fit', async () => {
    const { b, clock, entries } = buffer();
    for (let i = 0; i < 1000; i++) b.note(note(i));
    expect(b.pending).toEqual({ buffered: 20, dropped: 980 });
    clock.advance(250);
    await settle();
    expect(entries).toHaveLength(1);
    expect(entries[0]).toHaveLength(5);
    // the rest comes an interval at a time, the count of the dropped ones last
    for (let i = 0; i < 10; i++) {
      clock.advance(250);
      await settle();
    }
    const all = entries.flat();
    expect(all).toHaveLength(21);
    expect(all.slice(0, 20)).toEqual(Array.from({ length: 20 }, (_, i) => note(i)));
    expect(all[20]).toMatchObject({
      actor: { kind: 'system', name: 'audit' },
      result: expect.stringMatching(/^980 notes dropped/),
    });
    expect(entries.every((e) => e.length <= 5)).toBe(true);
    expect(b.pending).toEqual({ buffered: 0, dropped: 0 });
  });

  it('counts notes no leader took, and says so once one does', async () => {
    const { b, clock, entries, heal } = buffer({ fail: true });
    b.note(note(1));
    b.note(note(2));
    clock.advance(250);
    await settle();
    expect(b.pending).toEqual({ buffered: 0, dropped: 2 });
    heal();
    clock.advance(250);
    await settle();
    expect(entries).toEqual([[expect.objectContaining({ result: expect.stringMatching(/^2 notes dropped/) })]]);
    expect(b.pending.dropped).toBe(0);
  });

  it('proposes what is buffered on close, and takes nothing after', async () => {
    const { b, entries } = buffer();
    for (let i = 0; i < 7; i++) b.note(note(i));
    await b.close();
    expect(entries.flat()).toHaveLength(7);
    b.note(note(99));
    expect(b.pending.buffered).toBe(0);
  });
});
