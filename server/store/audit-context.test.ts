import { describe, expect, it } from 'vitest';
import { currentAudit, runAs } from './audit-context';

describe('audit context', () => {
  it('follows the async chain of the writer and no other', async () => {
    const seen: (string | undefined)[] = [];
    const read = () => {
      const a = currentAudit()?.actor;
      return a?.kind === 'control-loop' ? a.name : a?.kind;
    };
    await Promise.all([
      runAs({ actor: { kind: 'control-loop', name: 'scheduler' } }, async () => {
        await new Promise((r) => setTimeout(r, 5));
        seen.push(read());
      }),
      runAs({ actor: { kind: 'agent', nodeID: 'n1' } }, async () => {
        await Promise.resolve();
        seen.push(read());
      }),
    ]);
    expect(seen.sort()).toEqual(['agent', 'scheduler']);
    expect(currentAudit()).toBeUndefined();
  });
});
