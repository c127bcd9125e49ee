import { describe, expect, it } from 'vitest';
import { ManagerDirectoryClient } from './manager-directory';

function fakeTransport(answers: Record<string, unknown>) {
  const peers = new Map<string, string>();
  const asked: string[] = [];
  return {
    peers,
    asked,
    addPeer: (id: string, addr: string) => void peers.set(id, addr),
    removePeer: (id: string) => void peers.delete(id),
    request: async (target: string) => {
      asked.push(target);
      const a = answers[target];
      if (a instanceof Error || a === undefined) throw a ?? new Error('unreachable');
      return a;
    },
  };
}

describe('manager directory', () => {
  it('keeps the transport peers in step with the pushed manager list and persists changes', () => {
    const t = fakeTransport({});
    const saved: unknown[] = [];
    const d = new ManagerDirectoryClient(t, { leader: 'a', managers: { a: 'h:1', b: 'h:2' } }, (x) => saved.push(x));
    expect([...t.peers]).toEqual([
      ['a', 'h:1'],
      ['b', 'h:2'],
    ]);
    d.apply({ leader: 'c', managers: { b: 'h:2', c: 'h:3' } });
    expect([...t.peers.keys()].sort()).toEqual(['b', 'c']);
    expect(d.leader).toBe('c');
    const count = saved.length;
    d.apply({ leader: 'c', managers: { b: 'h:2', c: 'h:3' } });
    expect(saved).toHaveLength(count); // nothing new, nothing written
    // an empty list never makes the agent forget every manager; an unknown leader keeps the guess
    d.apply({ leader: '', managers: {} });
    d.apply({ leader: '', managers: { b: 'h:2', c: 'h:3' } });
    expect(d.leader).toBe('c');
    expect(t.peers.size).toBe(2);
  });

  it('asks the last known leader first, then the others, until one names a leader', async () => {
    const t = fakeTransport({
      a: new Error('down'),
      b: { leader: '', managers: { a: 'h:1', b: 'h:2' } },
      c: { leader: 'c', managers: { b: 'h:2', c: 'h:3' } },
    });
    const d = new ManagerDirectoryClient(t, { leader: 'a', managers: { a: 'h:1', b: 'h:2', c: 'h:3' } });
    expect(await d.refresh()).toBe('c');
    expect(t.asked).toEqual(['a', 'b', 'c']);
    expect(d.leader).toBe('c');
    expect([...t.peers.keys()].sort()).toEqual(['b', 'c']);
  });

  it('answers undefined when no manager names a leader', async () => {
    const t = fakeTransport({});
    const d = new ManagerDirectoryClient(t, { leader: '', managers: { a: 'h:1' } });
    expect(await d.refresh()).toBeUndefined();
  });
});
