// The key netns scenario, run by the test as the test's user and (through
// netns-unprivileged-child.ts) as uid 65534: two replicas of the built-in
// HTTP server on :80 on network A, one task on network B, then what each
// sees and reaches.
import { ProcessExecutor } from '../../server/agent/executor/process';
import type { NetnsRouter } from '../../server/agent/executor/netns/router-client';
import { fetchScript, httpJsonOver, NET_A, NET_B, netTask } from './netns-support';
import { until } from '../until';

export interface ScenarioResult {
  /** The address each task's server saw a dialled request arrive on. */
  addresses: string[];
  /** Task IDs answering, in the same order. */
  tasks: string[];
  ids: string[];
  /** A1 → A2 (same network): exit code and answer. */
  sameNet: { exitCode: number; output: string };
  /** A1 → B1 (other network). */
  crossNet: { exitCode: number; output: string };
}

export async function runScenario(
  router: NetnsRouter,
  o: { stateDir?: string; workRoot: string },
): Promise<ScenarioResult> {
  const ex = new ProcessExecutor({ node: { ID: 'node1' }, netns: router, workRoot: o.workRoot, stateDir: o.stateDir });
  const a1 = netTask({ nets: [[NET_A, '10.0.1.3/24']] });
  const a2 = netTask({ nets: [[NET_A, '10.0.1.4/24']] });
  const b1 = netTask({ service: 'other', nets: [[NET_B, '10.0.2.3/24']] });
  const all = [a1, a2, b1];
  try {
    for (const t of all) {
      await ex.prepare(t);
      await ex.start(t);
    }
    // each server is up once it logs that it listens on :80 (all three bind the same port)
    for (const t of all)
      await until(`${t.ID} listening`, () =>
        ex.logs(t.ID).some((l) => l.line.startsWith('http: listening on port 80')),
      );
    const answers = [];
    for (const t of all) answers.push(await httpJsonOver(await ex.dialTcp(t.ID, 80)));
    const sameNet = await ex.exec(a1, fetchScript('http://10.0.1.4/?format=json'), { timeoutMs: 10_000 });
    const crossNet = await ex.exec(a1, fetchScript('http://10.0.2.3/?format=json'), { timeoutMs: 10_000 });
    return {
      addresses: answers.map((a) => String(a.address)),
      tasks: answers.map((a) => String(a.task)),
      ids: all.map((t) => t.ID),
      sameNet,
      crossNet,
    };
  } finally {
    await ex.shutdownAll(2_000);
    for (const t of all) await ex.remove(t);
  }
}
