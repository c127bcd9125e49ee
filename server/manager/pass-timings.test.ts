import { describe, expect, it } from 'vitest';
import { PassRunner } from './pass-runner';
import { PassTimings } from './pass-timings';

describe('PassTimings', () => {
  it('hears every pass of a runner, failed ones marked', async () => {
    const timings = new PassTimings();
    const heard: [string, number, boolean][] = [];
    const stop = timings.listen((loop, seconds, ok) => heard.push([loop, seconds, ok]));
    let fail = false;
    const runner = new PassRunner(
      async () => {
        if (fail) throw new Error('lost a race');
      },
      'scheduler',
      undefined,
      timings,
    );
    runner.start();
    runner.kick();
    await runner.idle();
    fail = true;
    runner.kick();
    await runner.idle();
    expect(heard.map(([loop, , ok]) => [loop, ok])).toEqual([
      ['scheduler', true],
      ['scheduler', false],
    ]);
    expect(heard.every(([, s]) => s >= 0 && s < 5)).toBe(true);
    stop();
    runner.kick();
    await runner.idle();
    expect(heard).toHaveLength(2);
  });

  it('keeps a throwing listener from failing the pass', async () => {
    const timings = new PassTimings();
    timings.listen(() => {
      throw new Error('listener bug');
    });
    await expect(timings.time('updater', async () => 7)).resolves.toBe(7);
  });
});
