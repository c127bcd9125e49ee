import { describe, expect, it } from 'vitest';
import { currentAudit, runAs } from '../store/audit-context';
import { PassRunner } from './pass-runner';

describe('PassRunner', () => {
  it("runs every pass as its control loop, whoever's write kicked it", async () => {
    const seen: unknown[] = [];
    const runner = new PassRunner(async () => {
      await Promise.resolve();
      seen.push(currentAudit()?.actor);
    }, 'scheduler');
    runner.start();
    // an applied entry's watchers run in the writer's context: the loop must not inherit it
    runAs({ actor: { kind: 'account', id: 'a', name: 'ann', role: 'admin' } }, () => runner.kick());
    await runner.idle();
    expect(seen).toEqual([{ kind: 'control-loop', name: 'scheduler' }]);
  });
});
