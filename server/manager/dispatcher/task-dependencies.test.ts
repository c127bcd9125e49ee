import { afterEach, describe, expect, it } from 'vitest';
import type { Config, Secret, Task, TaskState } from '../../api/types';
import { makeNode, makeService, makeTask, openTempStore } from '../../store/test-support';
import { ManualClock } from '../../util/clock';
import type { AssignmentsMessage } from './api';
import { Dispatcher } from './dispatcher';
import { dependencyChanges, nodeDependencies, referencesDependencies, taskDependencies } from './task-dependencies';

const secret = (ID: string, name = ID, index = 1): Secret => ({
  ID,
  Version: { Index: index },
  CreatedAt: '',
  UpdatedAt: '',
  Spec: { Name: name, Labels: {}, Data: Buffer.from(`value of ${name}`).toString('base64') },
});
const config = (ID: string): Config => ({ ...secret(ID), Spec: { Name: ID, Labels: {}, Data: 'Y2ZnCg==' } });

const svc = makeService();
function task(node: string, state: TaskState, secrets: string[] = [], configs: string[] = []): Task {
  const t = makeTask(svc, { NodeID: node, Status: { State: state, Message: '', Timestamp: '' } });
  t.Spec = {
    ...t.Spec,
    ContainerSpec: {
      ...t.Spec.ContainerSpec,
      Secrets: secrets.map((id) => ({
        SecretID: id,
        SecretName: id,
        File: { Name: id, UID: '0', GID: '0', Mode: 0o444 },
      })),
      Configs: configs.map((id) => ({
        ConfigID: id,
        ConfigName: id,
        File: { Name: id, UID: '0', GID: '0', Mode: 0o444 },
      })),
    },
  };
  return t;
}

const lookup = (secrets: Secret[], configs: Config[] = []) => ({
  secret: (id: string) => secrets.find((s) => s.ID === id),
  config: (id: string) => configs.find((c) => c.ID === id),
});

describe('which secrets and configs a node gets', () => {
  it('takes those of its tasks from ASSIGNED to RUNNING, never another node’s or an ended task’s', () => {
    const all = ['s1', 's2', 's3', 's4', 's5'].map((id) => secret(id));
    const tasks = [
      task('n1', 'assigned', ['s1'], ['c1']),
      task('n1', 'running', ['s1', 's2']),
      task('n1', 'pending', ['s3']), // not yet assigned
      task('n1', 'complete', ['s4']), // ended: released
      task('n2', 'running', ['s5']), // another node's
    ];
    const got = nodeDependencies(tasks, 'n1', lookup(all, [config('c1')]));
    expect([...got.keys()].sort()).toEqual(['config:c1', 'secret:s1', 'secret:s2']);
    expect(taskDependencies(tasks[1]!)).toEqual({ secrets: ['s1', 's2'], configs: [] });
  });

  it('tells a task that names a secret or config from one that names none', () => {
    expect(referencesDependencies(task('n1', 'running'))).toBe(false);
    expect(referencesDependencies(task('n1', 'running', ['s1']))).toBe(true);
    expect(referencesDependencies(task('n1', 'running', [], ['c1']))).toBe(true);
    expect(referencesDependencies(makeTask(svc))).toBe(false);
  });

  it('leaves out a reference to a secret that is gone', () => {
    expect(nodeDependencies([task('n1', 'running', ['gone'])], 'n1', lookup([])).size).toBe(0);
  });

  it('sends what is new or changed and withdraws what is not needed any more', () => {
    const sent = new Map<string, number>();
    const needed = new Map<string, Secret | Config>([
      ['secret:s1', secret('s1')],
      ['config:c1', config('c1')],
    ]);
    expect(dependencyChanges(sent, needed).map((c) => [c.kind, c.action])).toEqual([
      ['secret', 'update'],
      ['config', 'update'],
    ]);
    expect(dependencyChanges(sent, needed)).toEqual([]);
    // a labels update (new version) is sent again; c1 is withdrawn
    const next = new Map<string, Secret | Config>([['secret:s1', secret('s1', 's1', 2)]]);
    expect(dependencyChanges(sent, next)).toEqual([
      { kind: 'secret', action: 'update', secret: secret('s1', 's1', 2) },
      { kind: 'config', action: 'remove', id: 'c1' },
    ]);
    expect([...sent]).toEqual([['secret:s1', 2]]);
  });
});

describe('Dispatcher: secrets and configs beside the assignments', () => {
  const cleanup: (() => Promise<void>)[] = [];
  afterEach(async () => {
    while (cleanup.length) await cleanup.pop()!();
  });

  it('gives a node only what its tasks use, with the tasks, and withdraws it when they end', async () => {
    const s = await openTempStore();
    const clock = new ManualClock();
    const d = new Dispatcher(s.store, clock, { random: () => 0.5 });
    cleanup.push(
      () => s.close(),
      () => d.stop(),
    );
    const a = makeNode();
    const b = makeNode();
    const onA = task(a.ID, 'running', ['sa'], ['cfg']);
    const onB = task(b.ID, 'running', ['sb']);
    await s.store.update((tx) => {
      tx.create('node', a);
      tx.create('node', b);
      tx.create('secret', secret('sa'));
      tx.create('secret', secret('sb'));
      tx.create('secret', secret('sc'));
      tx.create('config', config('cfg'));
      tx.create('service', svc);
      tx.create('task', onA);
      tx.create('task', onB);
    });
    d.start();
    const { sessionID } = await d.register({
      nodeID: a.ID,
      description: {
        Hostname: 'a',
        Platform: { Architecture: 'x86_64', OS: 'linux' },
        Resources: { NanoCPUs: 1e9, MemoryBytes: 1e9 },
        Engine: { EngineVersion: 'x' },
      },
      addr: '',
    });
    const msgs: AssignmentsMessage[] = [];
    d.assignments(sessionID, (m) => (m.dependencies || m.type === 'complete' ? msgs.push(m) : 0));
    await Promise.resolve();
    const keys = (m: AssignmentsMessage) =>
      (m.dependencies ?? []).map((c) =>
        c.action === 'remove'
          ? `-${c.kind}:${c.id}`
          : c.kind === 'secret'
            ? `+secret:${c.secret.ID}`
            : `+config:${c.config.ID}`,
      );
    expect(msgs[0]!.type).toBe('complete');
    expect(keys(msgs[0]!).sort()).toEqual(['+config:cfg', '+secret:sa']);

    // a new task using sc arrives together with sc
    const more = task(a.ID, 'assigned', ['sc']);
    await s.store.update((tx) => tx.create('task', more));
    clock.advance(100);
    expect(msgs).toHaveLength(2);
    expect(keys(msgs[1]!)).toEqual(['+secret:sc']);
    expect(msgs[1]!.changes.map((c) => c.task.ID)).toEqual([more.ID]);

    // the first task ends: sa and cfg are withdrawn, sc stays
    await s.store.update((tx) => {
      const cur = tx.get('task', onA.ID)!;
      tx.update('task', { ...cur, Status: { ...cur.Status, State: 'complete' } });
    });
    clock.advance(100);
    expect(msgs).toHaveLength(3);
    expect(keys(msgs[2]!).sort()).toEqual(['-config:cfg', '-secret:sa']);
    // nothing of node b's ever came
    expect(msgs.flatMap(keys).some((k) => k.includes('sb'))).toBe(false);
  });
});
