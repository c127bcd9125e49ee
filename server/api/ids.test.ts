import { describe, expect, it } from 'vitest';
import { createHash } from 'node:crypto';
import { newID, newJoinToken } from './ids';

describe('ids', () => {
  it('makes 25-character base-36 IDs that differ', () => {
    const ids = new Set(Array.from({ length: 500 }, () => newID()));
    expect(ids.size).toBe(500);
    for (const id of ids) expect(id).toMatch(/^[0-9a-z]{25}$/);
  });
  it('makes join tokens in the SWMTKN-1 format', () => {
    const digest = createHash('sha256').update('ca').digest();
    const t = newJoinToken(digest);
    expect(t).toMatch(/^SWMTKN-1-[0-9a-z]{50}-[0-9a-z]{25}$/);
    expect(newJoinToken(digest).split('-')[2]).toBe(t.split('-')[2]);
  });
});
