import { describe, expect, it } from 'vitest';
import type { Node, Task, TaskSpec } from '../../api/types';
import { makeNode, makeService, makeTask } from '../../store/test-support';
import type { Filter } from './filters';
import {
  FILTERS,
  Pipeline,
  constraintFilter,
  explainFailures,
  hostPortFilter,
  maxReplicasFilter,
  platformFilter,
  readyFilter,
  resourceFilter,
  taskRequest,
} from './filters';
import { addTask, newNodeInfo } from './node-info';

const svc = makeService();
const taskWith = (spec: Partial<TaskSpec>, over: Partial<Task> = {}): Task =>
  makeTask(svc, {
    Spec: { ...svc.Spec.TaskTemplate, ...spec },
    Status: { Timestamp: '', State: 'pending', Message: '' },
    ...over,
  });

function check(f: Filter, t: Task, n: Node, ports?: Parameters<typeof taskRequest>[1]) {
  const r = taskRequest(t, ports);
  return { enabled: f.enabled(r), pass: f.check(r, newNodeInfo(n)) };
}

describe('filters', () => {
  it('Ready: node ready and active', () => {
    const t = taskWith({});
    expect(check(readyFilter, t, makeNode())).toEqual({ enabled: true, pass: true });
    expect(check(readyFilter, t, makeNode({ Status: { State: 'down', Addr: '' } })).pass).toBe(false);
    const drained = makeNode();
    drained.Spec.Availability = 'drain';
    expect(check(readyFilter, t, drained).pass).toBe(false);
    const paused = makeNode();
    paused.Spec.Availability = 'pause';
    expect(check(readyFilter, t, paused).pass).toBe(false);
    expect(readyFilter.explain(1)).toBe('1 node not available for new tasks');
    expect(readyFilter.explain(4)).toBe('4 nodes not available for new tasks');
  });

  it('Resources: reservations against what the node has left', () => {
    const t = taskWith({ Resources: { Reservations: { NanoCPUs: 1e9, MemoryBytes: 1024 ** 3 } } });
    const node = makeNode(); // 2 CPUs, 4 GiB
    expect(check(resourceFilter, t, node)).toEqual({ enabled: true, pass: true });
    const info = newNodeInfo(node);
    addTask(info, t);
    addTask(info, t);
    expect(resourceFilter.check(taskRequest(t), info)).toBe(false); // CPUs used up
    const big = taskWith({ Resources: { Reservations: { MemoryBytes: 8 * 1024 ** 3 } } });
    expect(check(resourceFilter, big, node).pass).toBe(false);
    expect(check(resourceFilter, taskWith({}), node).enabled).toBe(false);
    expect(resourceFilter.explain(1)).toBe('insufficient resources on 1 node');
    expect(resourceFilter.explain(2)).toBe('insufficient resources on 2 nodes');
  });

  it('Constraints: enabled only with parseable constraints', () => {
    const t = taskWith({ Placement: { Constraints: ['node.role==manager'] } });
    expect(check(constraintFilter, t, makeNode())).toEqual({ enabled: true, pass: false });
    expect(check(constraintFilter, t, makeNode({ Role: 'manager' })).pass).toBe(true);
    expect(check(constraintFilter, taskWith({ Placement: { Constraints: ['bogus'] } }), makeNode()).enabled).toBe(
      false,
    );
    expect(check(constraintFilter, taskWith({ Placement: {} }), makeNode()).enabled).toBe(false);
    expect(constraintFilter.explain(3)).toBe('scheduling constraints not satisfied on 3 nodes');
    expect(constraintFilter.explain(1)).toBe('scheduling constraints not satisfied on 1 node');
  });

  it('Platform: any listed platform, empty fields wildcards, x86_64/aarch64 normalised', () => {
    const node = makeNode(); // linux / x86_64
    const on = (...p: { OS?: string; Architecture?: string }[]) =>
      check(platformFilter, taskWith({ Placement: { Platforms: p } }), node).pass;
    expect(on({ OS: 'linux', Architecture: 'amd64' })).toBe(true);
    expect(on({ OS: 'windows', Architecture: 'amd64' }, { OS: 'linux' })).toBe(true);
    expect(on({ Architecture: 'arm64' })).toBe(false);
    expect(on({ OS: 'windows' })).toBe(false);
    const arm = makeNode();
    arm.Description.Platform = { OS: 'linux', Architecture: 'aarch64' };
    expect(check(platformFilter, taskWith({ Placement: { Platforms: [{ Architecture: 'arm64' }] } }), arm).pass).toBe(
      true,
    );
    expect(check(platformFilter, taskWith({}), node).enabled).toBe(false);
    expect(platformFilter.explain(2)).toBe('unsupported platform on 2 nodes');
  });

  it('HostPort: host-mode published ports already held on the node', () => {
    const ports = [{ Protocol: 'tcp' as const, TargetPort: 80, PublishedPort: 8080, PublishMode: 'host' as const }];
    const t = taskWith({});
    const node = makeNode();
    expect(check(hostPortFilter, t, node, ports)).toEqual({ enabled: true, pass: true });
    const info = newNodeInfo(node);
    addTask(info, t, ports);
    expect(hostPortFilter.check(taskRequest(t, ports), info)).toBe(false);
    // same number, other protocol: free
    const udp = [{ ...ports[0]!, Protocol: 'udp' as const }];
    expect(hostPortFilter.check(taskRequest(t, udp), info)).toBe(true);
    // ingress ports and host ports without a published port are not the filter's business
    expect(check(hostPortFilter, t, node, [{ TargetPort: 80, PublishedPort: 8080 }]).enabled).toBe(false);
    expect(check(hostPortFilter, t, node, [{ TargetPort: 80, PublishMode: 'host' }]).enabled).toBe(false);
    expect(hostPortFilter.explain(1)).toBe('host-mode port already in use on 1 node');
  });

  it('MaxReplicas: active tasks of the service on the node', () => {
    const t = taskWith({ Placement: { MaxReplicas: 2 } });
    const info = newNodeInfo(makeNode());
    const r = taskRequest(t);
    expect(maxReplicasFilter.enabled(r)).toBe(true);
    addTask(info, t);
    expect(maxReplicasFilter.check(r, info)).toBe(true);
    // a task told to shut down no longer counts
    addTask(info, { ...t, DesiredState: 'shutdown' });
    expect(maxReplicasFilter.check(r, info)).toBe(true);
    addTask(info, t);
    expect(maxReplicasFilter.check(r, info)).toBe(false);
    // another service's tasks do not count
    expect(maxReplicasFilter.check({ ...r, serviceID: 'other' }, info)).toBe(true);
    expect(maxReplicasFilter.explain(5)).toBe('max replicas per node limit exceed');
  });

  it('runs in swarmkit order', () => {
    expect(FILTERS.map((f) => f.name)).toEqual([
      'Ready',
      'Resources',
      'Constraints',
      'Platform',
      'HostPort',
      'MaxReplicas',
    ]);
  });
});

describe('Pipeline', () => {
  it('counts only the first failing filter per node and explains by descending count', () => {
    const t = taskWith({ Placement: { Constraints: ['node.labels.zone==eu'] } });
    const p = new Pipeline(taskRequest(t));
    const down = makeNode({ Status: { State: 'down', Addr: '' } }); // fails Ready (and constraints)
    const nodes = [down, makeNode(), makeNode(), makeNode()];
    const eu = makeNode();
    eu.Spec.Labels = { zone: 'eu' };
    nodes.push(eu);
    const results = nodes.map((n) => p.process(newNodeInfo(n)));
    expect(results).toEqual([false, false, false, false, true]);
    expect(p.failures()).toEqual([
      { Name: 'Ready', Nodes: 1, Text: '1 node not available for new tasks' },
      { Name: 'Constraints', Nodes: 3, Text: 'scheduling constraints not satisfied on 3 nodes' },
    ]);
    expect(p.explain()).toBe('scheduling constraints not satisfied on 3 nodes; 1 node not available for new tasks');
  });

  it('keeps pipeline order among equal counts', () => {
    expect(
      explainFailures([
        { Name: 'Ready', Nodes: 2, Text: 'a' },
        { Name: 'Resources', Nodes: 2, Text: 'b' },
        { Name: 'Constraints', Nodes: 5, Text: 'c' },
      ]),
    ).toBe('c; a; b');
    expect(new Pipeline(taskRequest(taskWith({}))).explain()).toBe('');
  });
});
