import { describe, expect, it } from 'vitest';
import { generateKey, open, seal } from './envelope';
import {
  beginRotation,
  finishRotation,
  initialDeks,
  readKeys,
  requestRotation,
  rotationWanted,
  sameKey,
  writeKey,
} from './raft-deks';

describe('raft DEK rotation', () => {
  it('starts with one current key and nothing to do', () => {
    const deks = initialDeks();
    expect(deks.pending).toBeUndefined();
    expect(rotationWanted(deks)).toBe(false);
    expect(writeKey(deks)).toBe(deks.current);
    expect(readKeys(deks)).toEqual([deks.current]);
  });

  it('does not begin a rotation nobody asked for', () => {
    const deks = initialDeks();
    expect(beginRotation(deks)).toBe(deks);
  });

  it('runs a requested rotation: pending key for writes, both keys for reads, then pending becomes current', () => {
    const start = initialDeks();
    const asked = requestRotation(start);
    expect(rotationWanted(asked)).toBe(true);

    const running = beginRotation(asked);
    expect(running.pending).toBeDefined();
    expect(running.needsRotation).toBe(false);
    expect(sameKey(running.current, start.current)).toBe(true);
    expect(writeKey(running)).toBe(running.pending);
    expect(rotationWanted(running)).toBe(true);

    // records under either key open while the re-encryption runs
    const before = seal('before', start.current, 'LogEntry:1');
    const during = seal('during', writeKey(running), 'LogEntry:2');
    expect(open(before, readKeys(running), 'LogEntry:1')).toBe('before');
    expect(open(during, readKeys(running), 'LogEntry:2')).toBe('during');

    // a second begin does not swap the pending key under the running pass
    expect(beginRotation(running)).toBe(running);

    const done = finishRotation(running, running.pending!);
    expect(sameKey(done.current, running.pending!)).toBe(true);
    expect(done.pending).toBeUndefined();
    expect(rotationWanted(done)).toBe(false);
    // the old key no longer opens anything written now, and is not among the read keys
    expect(readKeys(done).some((k) => sameKey(k, start.current))).toBe(false);
    expect(() => open(before, readKeys(done), 'LogEntry:1')).toThrow();
  });

  it('keeps a request made during a rotation for the next round', () => {
    const running = beginRotation(requestRotation(initialDeks()));
    const askedAgain = requestRotation(running);
    const done = finishRotation(askedAgain, running.pending!);
    expect(done.needsRotation).toBe(true);
    const next = beginRotation(done);
    expect(next.pending).toBeDefined();
    expect(sameKey(next.pending!, done.current)).toBe(false);
  });

  it('refuses to finish with a key that is not the pending one', () => {
    const deks = initialDeks();
    expect(() => finishRotation(deks, generateKey())).toThrow(/not the one in progress/);
    const running = beginRotation(requestRotation(deks));
    expect(() => finishRotation(running, generateKey())).toThrow(/not the one in progress/);
    expect(() => finishRotation(running, running.current)).toThrow(/not the one in progress/);
  });
});
