import { describe, expect, it } from 'vitest';
import type { Node, Service, Task, TaskSpec } from '../../api/types';
import { makeNode, makeService, makeTask } from '../../store/test-support';
import { FAILURE_WINDOW_MS, FAULTY_NODE_FAILURES, NodeFailures, compareFailures, failureKey } from './node-failures';
import { buildNodeSet, noSuitableNode, placeGroup, placeTasks, validatePreassigned } from './placement';

const svc = makeService();
const other = makeService({ Spec: { ...makeService().Spec, Name: 'other' } });

function pending(n: number, spec: Partial<TaskSpec> = {}, service: Service = svc): Task[] {
  return Array.from({ length: n }, (_, i) =>
    makeTask(service, {
      Slot: i + 1,
      Spec: { ...service.Spec.TaskTemplate, ...spec },
      Status: { Timestamp: '', State: 'pending', Message: 'pending task scheduling' },
    }),
  );
}

function running(service: Service, node: Node, n: number, over: Partial<Task> = {}): Task[] {
  return Array.from({ length: n }, (_, i) =>
    makeTask(service, {
      Slot: 100 + i,
      NodeID: node.ID,
      Status: { Timestamp: '', State: 'running', Message: 'started' },
      ...over,
    }),
  );
}

const nodesNamed = (...names: string[]) => names.map((hostname) => makeNode({ hostname }));

function perNode(nodes: Node[], res: { assigned: { nodeID: string }[] }): Record<string, number> {
  const out: Record<string, number> = {};
  for (const n of nodes) out[n.Description.Hostname] = 0;
  for (const a of res.assigned) {
    const n = nodes.find((x) => x.ID === a.nodeID)!;
    out[n.Description.Hostname]!++;
  }
  return out;
}

describe('placeGroup', () => {
  it('spreads evenly over equal nodes', () => {
    const nodes = nodesNamed('a', 'b', 'c');
    const res = placeTasks(nodes, [], pending(7));
    expect(res.unplaced).toEqual([]);
    expect(Object.values(perNode(nodes, res)).sort()).toEqual([2, 2, 3]);
  });

  it('prefers nodes with the fewest tasks of this service, then the fewest tasks overall', () => {
    const [a, b, c] = nodesNamed('a', 'b', 'c') as [Node, Node, Node];
    const existing = [
      ...running(svc, a, 2), // a: 2 of this service
      ...running(other, b, 3), // b: 0 of this service, 3 in total
      // c: empty
    ];
    // one task: c wins (0 of svc, 0 total) over b (0 of svc, 3 total) over a
    const one = placeTasks([a, b, c], existing, pending(1));
    expect(one.assigned.map((x) => x.nodeID)).toEqual([c.ID]);
    // first pass walks forward only (swarmkit): c takes one, b (now best) fills to a's level of
    // this service, a is then better on total tasks; the fifth task starts the round-robin at c
    const four = placeTasks([a, b, c], existing, pending(4));
    expect(four.assigned.map((x) => x.nodeID)).toEqual([c.ID, b.ID, b.ID, a.ID]);
    const five = placeTasks([a, b, c], existing, pending(5));
    expect(perNode([a, b, c], five)).toEqual({ a: 1, b: 2, c: 2 });
  });

  it('counts only active tasks (desired ≤ complete, observed pending..running)', () => {
    const [a, b] = nodesNamed('a', 'b') as [Node, Node];
    const existing = [
      ...running(svc, a, 3, { DesiredState: 'shutdown' }), // being stopped: not active
      ...running(svc, a, 3, { Status: { Timestamp: '', State: 'failed', Message: '' } }), // gone
      ...running(svc, b, 1),
    ];
    const res = placeTasks([a, b], existing, pending(1));
    expect(res.assigned[0]!.nodeID).toBe(a.ID);
  });

  it('stops using a node once its resources run out mid-batch', () => {
    const [a, b, c] = nodesNamed('a', 'b', 'c') as [Node, Node, Node];
    b.Description.Resources = { NanoCPUs: 1e9, MemoryBytes: 4 * 1024 ** 3 }; // room for 1
    c.Description.Resources = { NanoCPUs: 3e9, MemoryBytes: 4 * 1024 ** 3 }; // room for 3
    a.Description.Resources = { NanoCPUs: 2e9, MemoryBytes: 4 * 1024 ** 3 }; // room for 2
    const res = placeTasks([a, b, c], [], pending(8, { Resources: { Reservations: { NanoCPUs: 1e9 } } }));
    expect(perNode([a, b, c], res)).toEqual({ a: 2, b: 1, c: 3 });
    expect(res.unplaced).toHaveLength(2);
    expect(res.explain).toBe('insufficient resources on 3 nodes');
    expect(noSuitableNode(res.explain)).toBe('no suitable node (insufficient resources on 3 nodes)');
  });

  it('subtracts reservations of tasks already on the node', () => {
    const [a, b] = nodesNamed('a', 'b') as [Node, Node];
    const spec = { Resources: { Reservations: { MemoryBytes: 3 * 1024 ** 3 } } };
    const existing = running(svc, a, 1, { Spec: { ...svc.Spec.TaskTemplate, ...spec } });
    const res = placeTasks([a, b], existing, pending(2, spec));
    expect(res.assigned.map((x) => x.nodeID)).toEqual([b.ID]);
    expect(res.explain).toBe('insufficient resources on 2 nodes');
  });

  it('honours Placement.MaxReplicas per node', () => {
    const nodes = nodesNamed('a', 'b');
    const res = placeTasks(nodes, running(svc, nodes[0]!, 1), pending(5, { Placement: { MaxReplicas: 2 } }));
    expect(perNode(nodes, res)).toEqual({ a: 1, b: 2 });
    expect(res.unplaced).toHaveLength(2);
    expect(noSuitableNode(res.explain)).toBe('no suitable node (max replicas per node limit exceed)');
  });

  it('keeps host-mode published ports one per node', () => {
    const nodes = nodesNamed('a', 'b');
    const ports = [{ Protocol: 'tcp' as const, TargetPort: 80, PublishedPort: 80, PublishMode: 'host' as const }];
    const res = placeTasks(nodes, [], pending(3), ports);
    expect(perNode(nodes, res)).toEqual({ a: 1, b: 1 });
    expect(res.explain).toBe('host-mode port already in use on 2 nodes');
  });

  it('gives the exact no-fit message when constraints rule out every node', () => {
    const nodes = nodesNamed('a', 'b', 'c');
    const res = placeTasks(nodes, [], pending(2, { Placement: { Constraints: ['node.role==manager'] } }));
    expect(res.assigned).toEqual([]);
    expect(res.unplaced).toHaveLength(2);
    expect(noSuitableNode(res.explain)).toBe('no suitable node (scheduling constraints not satisfied on 3 nodes)');
    expect(res.failures).toEqual([
      { Name: 'Constraints', Nodes: 3, Text: 'scheduling constraints not satisfied on 3 nodes' },
    ]);
    expect(res.totalNodes).toBe(3);
  });

  it('combines several failing filters, most failures first', () => {
    const nodes = nodesNamed('a', 'b', 'c', 'd', 'e', 'f');
    nodes[0]!.Status = { State: 'down', Addr: '' };
    nodes[1]!.Spec = { ...nodes[1]!.Spec, Availability: 'drain' };
    nodes[2]!.Description = { ...nodes[2]!.Description, Resources: { NanoCPUs: 1e8, MemoryBytes: 1 } };
    const res = placeTasks(
      nodes,
      [],
      pending(1, {
        Resources: { Reservations: { NanoCPUs: 5e8 } },
        Placement: { Constraints: ['node.labels.gpu==yes'] },
      }),
    );
    expect(noSuitableNode(res.explain)).toBe(
      'no suitable node (scheduling constraints not satisfied on 3 nodes; 2 nodes not available for new tasks; insufficient resources on 1 node)',
    );
    expect(res.failures.map((f) => [f.Name, f.Nodes])).toEqual([
      ['Ready', 2],
      ['Resources', 1],
      ['Constraints', 3],
    ]);
  });

  it('has no explanation without nodes', () => {
    const res = placeTasks([], [], pending(1));
    expect(res.unplaced).toHaveLength(1);
    expect(noSuitableNode(res.explain)).toBe('no suitable node');
  });

  it('carries its accounting across groups of one pass', () => {
    const nodes = nodesNamed('a', 'b');
    const set = buildNodeSet(nodes, []);
    const spec = { Resources: { Reservations: { NanoCPUs: 2e9 } } };
    expect(placeGroup(set, pending(1, spec)).assigned).toHaveLength(1);
    expect(placeGroup(set, pending(1, spec, other)).assigned).toHaveLength(1);
    const third = placeGroup(set, pending(1, spec));
    expect(third.assigned).toHaveLength(0);
    expect(third.explain).toBe('insufficient resources on 2 nodes');
  });

  it('spreads over node labels with placement preferences', () => {
    const nodes = nodesNamed('eu1', 'eu2', 'eu3', 'us1', 'nolabel');
    for (const n of nodes.slice(0, 3)) n.Spec = { ...n.Spec, Labels: { zone: 'eu' } };
    nodes[3]!.Spec = { ...nodes[3]!.Spec, Labels: { zone: 'us' } };
    const res = placeTasks(
      nodes,
      [],
      pending(6, { Placement: { Preferences: [{ Spread: { SpreadDescriptor: 'Node.Labels.zone' } }] } }),
    );
    const per = perNode(nodes, res);
    // three branches (eu, us, "") get 2 each; inside eu, the three nodes share them
    expect(per.eu1! + per.eu2! + per.eu3!).toBe(2);
    expect(per.us1).toBe(2);
    expect(per.nolabel).toBe(2);
  });

  it('spread moves on when a branch is full', () => {
    const nodes = nodesNamed('eu1', 'eu2', 'eu3', 'us');
    for (const n of nodes) n.Spec = { ...n.Spec, Labels: { zone: n.Description.Hostname.slice(0, 2) } };
    const res = placeTasks(
      nodes,
      [],
      pending(4, {
        Placement: { Preferences: [{ Spread: { SpreadDescriptor: 'node.labels.zone' } }], MaxReplicas: 1 },
      }),
    );
    // 2 + 2 wanted, but us holds only one (max 1 per node): eu takes the rest
    expect(perNode(nodes, res)).toEqual({ eu1: 1, eu2: 1, eu3: 1, us: 1 });
    expect(res.unplaced).toEqual([]);
  });

  it('places 10,000 tasks on 1,000 nodes quickly and evenly', () => {
    const nodes = Array.from({ length: 1000 }, (_, i) => makeNode({ hostname: `n${i}` }));
    const tasks = pending(10_000);
    const t0 = performance.now();
    const res = placeTasks(nodes, [], tasks);
    const ms = performance.now() - t0;
    expect(res.assigned).toHaveLength(10_000);
    const counts = new Map<string, number>();
    for (const a of res.assigned) counts.set(a.nodeID, (counts.get(a.nodeID) ?? 0) + 1);
    expect([...counts.values()].every((c) => c === 10)).toBe(true);
    expect(ms).toBeLessThan(2000);
  });
});

describe('validatePreassigned', () => {
  it('confirms a global task on a fitting node and accounts it', () => {
    const [a] = nodesNamed('a') as [Node];
    const set = buildNodeSet([a], []);
    const spec = { Resources: { Reservations: { NanoCPUs: 2e9 } } };
    const [t1, t2] = pending(2, spec).map((t) => ({ ...t, Slot: 0, NodeID: a.ID }));
    expect(validatePreassigned(set, t1!)).toEqual({ ok: true });
    expect(validatePreassigned(set, t2!)).toEqual({
      ok: false,
      explain: 'insufficient resources on 1 node',
      failures: [{ Name: 'Resources', Nodes: 1, Text: 'insufficient resources on 1 node' }],
      nodeErrors: new Map(),
    });
    expect(validatePreassigned(set, { ...t2!, NodeID: 'gone' })).toBeUndefined();
  });

  it('explains a node that is not ready', () => {
    const [a] = nodesNamed('a') as [Node];
    a.Status = { State: 'down', Addr: '' };
    const [t] = pending(1).map((t) => ({ ...t, Slot: 0, NodeID: a.ID }));
    const res = validatePreassigned(buildNodeSet([a], []), t!);
    expect(res).toMatchObject({ ok: false, explain: '1 node not available for new tasks' });
  });
});

describe('faulty-node down-weighting', () => {
  it('sinks a node where this service+spec failed 5 times, but 4 failures do not count', () => {
    const nodes = nodesNamed('a', 'b', 'c');
    const batch = pending(2).map((t) => ({ ...t, SpecVersion: { Index: 7 } }));
    const key = failureKey(svc.ID, 7);
    // a is empty; b and c each run one task of another service
    const existing = [...running(other, nodes[1]!, 1), ...running(other, nodes[2]!, 1)];

    const healthy = buildNodeSet(nodes, existing);
    healthy.get(nodes[0]!.ID)!.recentFailures = new Map([[key, FAULTY_NODE_FAILURES - 1]]);
    expect(perNode(nodes, placeGroup(healthy, batch))).toEqual({ a: 1, b: 1, c: 0 });

    const faulty = buildNodeSet(nodes, existing);
    faulty.get(nodes[0]!.ID)!.recentFailures = new Map([[key, FAULTY_NODE_FAILURES]]);
    expect(perNode(nodes, placeGroup(faulty, batch))).toEqual({ a: 0, b: 1, c: 1 });

    // failures of another spec version of the service are someone else's business
    const otherSpec = buildNodeSet(nodes, existing);
    otherSpec.get(nodes[0]!.ID)!.recentFailures = new Map([[failureKey(svc.ID, 6), 50]]);
    expect(perNode(nodes, placeGroup(otherSpec, batch))).toEqual({ a: 1, b: 1, c: 0 });
  });
});

describe('NodeFailures', () => {
  it('counts failures per key within the 5-minute window and forgets older ones', () => {
    const f = new NodeFailures();
    f.record('n1', 'k', 0);
    f.record('n1', 'k', 60_000);
    f.record('n1', 'other', 60_000);
    expect(f.counts('n1', 60_000)).toEqual(
      new Map([
        ['k', 2],
        ['other', 1],
      ]),
    );
    expect(f.counts('n1', FAILURE_WINDOW_MS + 1)).toEqual(
      new Map([
        ['k', 1],
        ['other', 1],
      ]),
    );
    expect(f.counts('n1', FAILURE_WINDOW_MS + 60_001)).toBeUndefined();
    expect(f.counts('n2', 0)).toBeUndefined();
    expect(compareFailures(4, 0)).toBe(0);
    expect(compareFailures(5, 1)).toBeGreaterThan(0);
    expect(compareFailures(1, 6)).toBeLessThan(0);
  });
});
