import { afterEach, describe, expect, it } from 'vitest';
import { makeService, makeTask, openTempStore } from '../store/test-support';
import { APPLIED_LINE, reportAppliedServiceCreates } from './apply-report';

describe('apply report', () => {
  const closers: (() => Promise<void> | void)[] = [];
  afterEach(async () => {
    for (const c of closers.splice(0)) await c();
  });

  it('prints each service create as it is applied, stamped by the clock then, and nothing else', async () => {
    const opened = await openTempStore();
    closers.push(() => opened.close());
    const lines: string[] = [];
    let t = 1_000;
    const stop = reportAppliedServiceCreates(
      opened.store.view,
      () => t,
      (l) => lines.push(l),
    );
    const web = makeService({ Spec: { ...makeService().Spec, Name: 'web' } });
    await opened.store.update((tx) => tx.create('service', web));
    t = 2_000;
    await opened.store.update((tx) => tx.create('task', makeTask(web)));
    const stored = opened.store.view.get('service', web.ID)!;
    await opened.store.update((tx) =>
      tx.update('service', { ...stored, Spec: { ...stored.Spec, Labels: { a: 'b' } } }),
    );
    expect(lines).toEqual(['swarmdeck applied: service web at 1000']);
    expect(APPLIED_LINE.exec(lines[0]!)?.slice(1)).toEqual(['web', '1000']);
    stop();
    await opened.store.update((tx) => tx.create('service', makeService({ Spec: { ...web.Spec, Name: 'api' } })));
    expect(lines).toHaveLength(1);
  });
});
