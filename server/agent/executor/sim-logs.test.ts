import { describe, expect, it } from 'vitest';
import type { Task } from '../../api/types';
import { ManualClock } from '../../util/clock';
import type { LogEntry } from './log-ring';
import { SimExecutor } from './sim';

function makeTask(service: string, image: string, slot = 1): Task {
  return {
    ID: `task-${service}-${slot}`,
    ServiceID: `svc-${service}`,
    ServiceAnnotations: { Name: service },
    Slot: slot,
    NodeID: 'node1',
    Spec: { ContainerSpec: { Image: image } },
  } as unknown as Task;
}

describe('simulated task logs', () => {
  it('a start line, a line every few seconds while running (made on read), an exit line', async () => {
    const clock = new ManualClock();
    const ex = new SimExecutor({ clock, speed: 0, logs: { everyMs: 1_000, maxLines: 50 } });
    const task = makeTask('web', 'nginx:alpine', 2);
    expect(ex.logs(task.ID)).toEqual([]);
    await ex.prepare(task);
    await ex.start(task);
    expect(ex.logs(task.ID).map((e) => e.line)).toEqual(['web.2 starting (image nginx:alpine)']);
    clock.advance(3_500);
    const three = ex.logs(task.ID);
    expect(three).toHaveLength(4);
    expect(three[1]!.line).toMatch(/"GET \S+ HTTP\/1\.1" \d{3} \d+$/); // nginx: an access log
    expect(Date.parse(three[3]!.time) - Date.parse(three[0]!.time)).toBe(3_000);
    expect(ex.logs(task.ID, { tail: 1 })).toEqual([three[3]]);

    // bounded: a long quiet stretch yields at most maxLines
    clock.advance(1_000_000);
    expect(ex.logs(task.ID)).toHaveLength(50);

    await ex.shutdown(task);
    await Promise.resolve();
    const last = ex.logs(task.ID).at(-1)!;
    expect(last.line).toBe('received SIGTERM, shutting down');
    clock.advance(10_000);
    expect(ex.logs(task.ID).at(-1)).toEqual(last);
    await ex.remove(task);
    expect(ex.logs(task.ID)).toEqual([]);
  });

  it('follow: pushes each line when it is due, until unsubscribed', async () => {
    const clock = new ManualClock();
    const ex = new SimExecutor({ clock, speed: 0, logs: { everyMs: 1_000 } });
    const task = makeTask('worker', 'busybox');
    await ex.start(task);
    const got: LogEntry[] = [];
    const off = ex.subscribeLogs(task.ID, (e) => got.push(e));
    clock.advance(2_000);
    expect(got.map((e) => e.line)).toEqual([expect.stringMatching(/^tick 1:/), expect.stringMatching(/^tick 2:/)]);
    off();
    clock.advance(5_000);
    expect(got).toHaveLength(2);
  });
});
