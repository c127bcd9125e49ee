import { describe, expect, it } from 'vitest';
import { MESH_PORT_LABEL } from '../../api/network-view';
import type { Network, Node, Service, Task, TaskState } from '../../api/types';
import { makeNode, makeService, makeServiceSpec, makeTask } from '../../store/test-support';
import { meshPorts, publishesIngress } from '../../api/mesh-ports';
import { deriveNetworkView, ViewPass, type ViewStore } from './network-view';

const T0 = '2026-01-01T00:00:00.000Z';
const network = (ID: string, Name: string, ingress = false): Network => ({
  ID,
  Version: { Index: 1 },
  CreatedAt: T0,
  UpdatedAt: T0,
  Spec: { Name, Labels: {}, ...(ingress ? { Ingress: true } : {}) },
});

function storeOf(o: { networks?: Network[]; services?: Service[]; tasks?: Task[]; nodes?: Node[] }): ViewStore {
  const tasks = o.tasks ?? [];
  return {
    list: ((kind: string) =>
      kind === 'network'
        ? (o.networks ?? [])
        : kind === 'service'
          ? (o.services ?? [])
          : (o.nodes ?? [])) as ViewStore['list'],
    tasksByNode: (id) => tasks.filter((t) => t.NodeID === id),
    tasksByService: (id) => tasks.filter((t) => t.ServiceID === id),
  };
}

const running = (s: Service, NodeID: string, over: Partial<Task> = {}, State: TaskState = 'running'): Task =>
  makeTask(s, { NodeID, Status: { Timestamp: T0, State, Message: State }, ...over });

describe('NetworkView derivation', () => {
  const ingress = network('ing', 'ingress', true);
  const appnet = network('app', 'appnet');
  const other = network('oth', 'other');
  const web = makeService({
    ID: 'web',
    Spec: makeServiceSpec({ Name: 'web', EndpointSpec: { Ports: [{ TargetPort: 80, PublishedPort: 18080 }] } }),
    Endpoint: { Spec: { Ports: [{ TargetPort: 80, PublishedPort: 18080 }] } },
  });
  const api = makeService({
    ID: 'api',
    Spec: makeServiceSpec({ Name: 'api', TaskTemplate: { ...web.Spec.TaskTemplate, Networks: [{ Target: 'app' }] } }),
  });
  const db = makeService({
    ID: 'db',
    Spec: makeServiceSpec({ Name: 'db', TaskTemplate: { ...web.Spec.TaskTemplate, Networks: [{ Target: 'oth' }] } }),
  });
  const hostPorts = makeService({
    ID: 'hp',
    Spec: makeServiceSpec({ Name: 'hp' }),
    Endpoint: { Spec: { Ports: [{ TargetPort: 80, PublishedPort: 8080, PublishMode: 'host' }] } },
  });
  const n1 = makeNode({
    ID: 'n1',
    Status: { State: 'ready', Addr: '127.0.0.2' },
    Description: { ...makeNode().Description, Engine: { EngineVersion: 'x', Labels: { [MESH_PORT_LABEL]: '4789' } } },
  });
  const n2 = makeNode({ ID: 'n2', Status: { State: 'ready', Addr: '127.0.0.3' } });

  it('routes the ports the allocator wrote, else the spec’s published ones; ingress is the default mode', () => {
    expect(meshPorts(web)).toEqual([{ TargetPort: 80, PublishedPort: 18080 }]);
    expect(publishesIngress(web)).toBe(true);
    expect(publishesIngress(hostPorts)).toBe(false);
    const allocated = { ...web, Endpoint: { ...web.Endpoint, Ports: [{ TargetPort: 80, PublishedPort: 30001 }] } };
    expect(meshPorts(allocated)).toEqual([{ TargetPort: 80, PublishedPort: 30001 }]);
    // a port still waiting for its dynamic published port is not routed
    expect(meshPorts(makeService({ Endpoint: { Spec: { Ports: [{ TargetPort: 80 }] } } }))).toEqual([]);
  });

  it('gives a node ingress and its tasks’ networks, every ingress-publishing service, and their live tasks', () => {
    const tasks = [
      running(web, 'n2', { ID: 't-web-1' }),
      running(web, 'n2', { ID: 't-web-2' }, 'complete'),
      running(api, 'n1', { ID: 't-api', NetworksAttachments: [{ Network: appnet, Addresses: ['10.0.1.3/24'] }] }),
      running(db, 'n2', { ID: 't-db' }),
      running(hostPorts, 'n2', { ID: 't-hp' }),
    ];
    const store = storeOf({
      networks: [other, appnet, ingress],
      services: [web, api, db, hostPorts],
      tasks,
      nodes: [n2, n1],
    });
    const v = deriveNetworkView(store, 'n1', 42);
    expect(v.Revision).toBe(42);
    expect(v.Networks.map((n) => n.ID)).toEqual(['app', 'ing']);
    expect(v.Services.map((s) => s.ID)).toEqual(['api', 'web']);
    expect(v.Tasks.map((t) => t.ID)).toEqual(['t-api', 't-web-1']);
    // only nodes that run a mesh are peers
    expect(v.Peers).toEqual([{ NodeID: 'n1', Addr: '127.0.0.2', Port: 4789 }]);
    // a host-mode port's service goes only to the node running its task
    expect(deriveNetworkView(store, 'n2', 1).Services.map((s) => s.ID)).toEqual(['db', 'hp', 'web']);
  });

  it('marks a running task told to stop, or reported draining, as Draining', () => {
    const tasks = [
      running(web, 'n1', { ID: 'a', DesiredState: 'shutdown' }),
      running(web, 'n1', { ID: 'b', Status: { Timestamp: T0, State: 'running', Message: 'draining' } }),
      running(web, 'n1', { ID: 'c' }),
    ];
    const v = deriveNetworkView(storeOf({ services: [web], tasks }), 'n1', 1);
    expect(v.Tasks.map((t) => [t.ID, !!t.Draining])).toEqual([
      ['a', true],
      ['b', true],
      ['c', false],
    ]);
  });

  it('keys views by what they hold (each task by ID and version), not revision', () => {
    const key = (store: ViewStore, revision: number) => new ViewPass(store, revision).view('n1').key;
    const t = running(web, 'n1');
    const store = storeOf({ services: [web], tasks: [t] });
    expect(key(store, 1)).toBe(key(store, 2));
    // a copy of the same version keys the same; a write (a new Version.Index) keys anew
    expect(key(storeOf({ services: [web], tasks: [{ ...t }] }), 1)).toBe(key(store, 1));
    const written = {
      ...t,
      Version: { Index: t.Version.Index + 1 },
      Status: { ...t.Status, State: 'starting' as const },
    };
    expect(key(storeOf({ services: [web], tasks: [written] }), 1)).not.toBe(key(store, 1));
    const relabelled = storeOf({
      networks: [{ ...ingress, Spec: { ...ingress.Spec, Labels: { a: '1' } } }],
      services: [web],
      tasks: [running(web, 'n1')],
    });
    expect(key(relabelled, 1)).not.toBe(
      key(storeOf({ networks: [ingress], services: [web], tasks: [running(web, 'n1')] }), 1),
    );
  });

  it('a pass shares what nodes have in common and gives each node what one derivation would', () => {
    const tasks = [
      running(web, 'n1', { ID: 'w1' }),
      running(web, 'n2', { ID: 'w2' }),
      running(api, 'n1', { ID: 'a1', NetworksAttachments: [{ Network: appnet, Addresses: ['10.0.1.3/24'] }] }),
      running(db, 'n2', { ID: 'd1' }),
    ];
    const store = storeOf({
      networks: [appnet, ingress, other],
      services: [web, api, db, hostPorts],
      tasks,
      nodes: [n1, n2],
    });
    const pass = new ViewPass(store, 7);
    const one = pass.view('n1');
    const two = pass.view('n2');
    expect(one.view).toEqual(deriveNetworkView(store, 'n1', 7));
    expect(two.view).toEqual(deriveNetworkView(store, 'n2', 7));
    // a service both nodes see is built once: the same task objects in both views
    const w1 = (v: typeof one.view) => v.Tasks.find((t) => t.ID === 'w1');
    expect(w1(one.view)).toBe(w1(two.view));
    expect(one.key).not.toBe(two.key);
    // each service's tasks follow it, sorted by ID
    expect(one.view.Services.map((s) => s.ID)).toEqual(['api', 'web']);
    expect(one.view.Tasks.map((t) => t.ID)).toEqual(['a1', 'w1', 'w2']);
  });

  it('gives a node only its own tasks of an isolated service (no network, no ingress port)', () => {
    const batch = makeService({ ID: 'batch', Spec: makeServiceSpec({ Name: 'batch' }) });
    const tasks = [
      running(batch, 'n1', { ID: 'b1' }),
      running(batch, 'n2', { ID: 'b2' }),
      running(batch, 'n1', { ID: 'b0' }),
      running(hostPorts, 'n1', { ID: 'h1' }),
      running(hostPorts, 'n2', { ID: 'h2' }),
      running(web, 'n2', { ID: 'w2' }),
    ];
    const store = storeOf({ networks: [ingress], services: [batch, web, hostPorts], tasks, nodes: [n1, n2] });
    const pass = new ViewPass(store, 3);
    const one = pass.view('n1');
    expect(one.view.Services.map((s) => s.ID)).toEqual(['batch', 'hp', 'web']);
    // its own isolated tasks (sorted), never another node's; an ingress-publishing service's every task
    expect(one.view.Tasks.map((t) => t.ID)).toEqual(['b0', 'b1', 'h1', 'w2']);
    expect(pass.view('n2').view.Tasks.map((t) => t.ID)).toEqual(['b2', 'h2', 'w2']);

    // another node's isolated task changing leaves this node's key alone; its own changing does not (the
    // store stamps each write with a new Version.Index)
    const key = (ts: Task[]) =>
      new ViewPass(
        storeOf({ networks: [ingress], services: [batch, web, hostPorts], tasks: ts, nodes: [n1, n2] }),
        4,
      ).view('n1').key;
    const moved = (id: string, State: TaskState) =>
      tasks.map((t) => (t.ID === id ? { ...t, Version: { Index: 9 }, Status: { ...t.Status, State } } : t));
    expect(key(moved('b2', 'starting'))).toBe(one.key);
    expect(key(moved('b1', 'starting'))).not.toBe(one.key);

    // attached to a network through its task: the service's every task, as before
    const attached = running(batch, 'n1', {
      ID: 'b9',
      NetworksAttachments: [{ Network: appnet, Addresses: ['10.0.1.9/24'] }],
    });
    const wide = deriveNetworkView(
      storeOf({ networks: [ingress, appnet], services: [batch], tasks: [...tasks, attached] }),
      'n1',
      1,
    );
    expect(wide.Tasks.map((t) => t.ID)).toEqual(['b0', 'b1', 'b2', 'b9']);
  });
  it('says which services a view holds whole, and whether their live tasks are still the same', () => {
    const tasks = [running(api, 'n1'), running(web, 'n2'), running(hostPorts, 'n1')];
    const store = storeOf({ networks: [ingress, appnet], services: [web, api, hostPorts], tasks });
    const first = new ViewPass(store, 1).view('n1');
    // web publishes ingress and api is on the node's network: held whole; hp is isolated, the node's own share
    expect([...first.shared.keys()].sort()).toEqual(['api', 'web']);
    expect(new ViewPass(store, 2).sharedUnchanged(first.shared)).toBe(true);

    // a web task on another node changes: n1's view holds it, so it is owed again
    tasks.push(running(web, 'n3'));
    expect(new ViewPass(store, 3).sharedUnchanged(first.shared)).toBe(false);
    // hp's tasks elsewhere are not in it
    const now = new ViewPass(store, 4).view('n1').shared;
    tasks.push(running(hostPorts, 'n2'));
    expect(new ViewPass(store, 5).sharedUnchanged(now)).toBe(true);
    // a service gone
    const gone = storeOf({ networks: [ingress, appnet], services: [api, hostPorts], tasks });
    expect(new ViewPass(gone, 6).sharedUnchanged(now)).toBe(false);
  });
});
