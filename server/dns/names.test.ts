import { describe, expect, it } from 'vitest';
import { isSingleLabel, nameCandidates, normalizeName, ptrAddress } from './names';

describe('query names', () => {
  it('drops the trailing dot and lower-cases', () => {
    expect(normalizeName('Tasks.Web.')).toBe('tasks.web');
    expect(normalizeName('web')).toBe('web');
  });

  it('tries the whole name on every network, then shorter names on the network the rest names', () => {
    expect(nameCandidates('a.b.c')).toEqual([
      { name: 'a.b.c', network: '' },
      { name: 'a.b', network: 'c' },
      { name: 'a', network: 'b.c' },
    ]);
    expect(nameCandidates('web')).toEqual([{ name: 'web', network: '' }]);
  });

  it('reads an IPv4 reverse name and refuses anything else', () => {
    expect(ptrAddress('3.1.0.10.in-addr.arpa')).toBe('10.0.1.3');
    expect(ptrAddress('1.0.10.in-addr.arpa')).toBeUndefined();
    expect(ptrAddress('x.1.0.10.in-addr.arpa')).toBeUndefined();
    expect(ptrAddress('1.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.d.f.ip6.arpa')).toBeUndefined();
    expect(ptrAddress('10.0.1.3')).toBeUndefined();
  });

  it('knows a single label', () => {
    expect(isSingleLabel('web')).toBe(true);
    expect(isSingleLabel('tasks.web')).toBe(false);
  });
});
