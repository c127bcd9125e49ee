import { describe, expect, it } from 'vitest';
import { hostOf, isNodeID } from './node-id';

describe('node IDs', () => {
  it('are plain IDs: swarmkit’s base-36 ones and short test names', () => {
    for (const id of ['0k3lbn2j2y8zt6ypzm1yu0ggh', 'm1', 'n_2', 'edge-1', 'A'.repeat(64)])
      expect(isNodeID(id)).toBe(true);
  });

  it('are never role names, dotted names, empty, long or not strings', () => {
    for (const id of [
      'swarm-manager',
      'swarm-worker',
      'swarm-ca',
      'Swarm-CA',
      'swarm-next',
      'a.b',
      '-a',
      'a b',
      '',
      'x'.repeat(65),
    ])
      expect(isNodeID(id)).toBe(false);
    for (const id of [1, null, undefined, ['m1'], { id: 'm1' }]) expect(isNodeID(id)).toBe(false);
  });
});

describe('hostOf', () => {
  it('drops the port of host:port and [v6]:port, and keeps a bare host', () => {
    expect(hostOf('10.0.0.2:2377')).toBe('10.0.0.2');
    expect(hostOf('[::1]:2377')).toBe('[::1]');
    expect(hostOf('[::1]')).toBe('[::1]');
    expect(hostOf('edge-1')).toBe('edge-1');
  });
});
