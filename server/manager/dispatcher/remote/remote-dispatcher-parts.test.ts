import { describe, expect, it } from 'vitest';
import type { Task } from '../../../api/types';
import type { AssignmentsMessage } from '../api';
import { RemoteDispatcher } from './remote-dispatcher';
import type { AssignmentsPage } from './wire';

const task = (ID: string) => ({ ID }) as unknown as Task;

describe('RemoteDispatcher: a message cut into parts', () => {
  it('is handed on whole, with the secrets and configs of its parts', async () => {
    const dependencies = [{ kind: 'config' as const, action: 'remove' as const, id: 'cfg1' }];
    const pages: AssignmentsPage[] = [
      {
        stream: 'st',
        seq: 2,
        messages: [
          { type: 'complete', changes: [{ action: 'update', task: task('a') }], dependencies, more: true },
          { type: 'complete', changes: [{ action: 'update', task: task('b') }] },
        ],
      },
    ];
    const transport = {
      request: async () => pages.shift() ?? new Promise<never>(() => {}),
    };
    const remote = new RemoteDispatcher({ transport, leader: () => 'm1' });
    const got: AssignmentsMessage[] = [];
    const stop = remote.assignments('sess', (m) => got.push(m));
    for (let i = 0; i < 10 && got.length === 0; i++) await new Promise((r) => setImmediate(r));
    stop();
    expect(got).toEqual([
      {
        type: 'complete',
        changes: [
          { action: 'update', task: task('a') },
          { action: 'update', task: task('b') },
        ],
        dependencies,
      },
    ]);
  });
});
