import { describe, expect, it } from 'vitest';
import { fixtureService } from '../cluster/test-fixtures';
import { attach, fixtureNetwork, runningTask, swarmFixture } from '../topology/test-fixtures';
import { findNetwork, networkDetail } from './network-detail';

describe('networkDetail', () => {
  it('an overlay: IPAM and flags, services with VIP and aliases, tasks by node, every address in use', () => {
    const f = swarmFixture();
    f.appnet.Spec.DriverConfiguration = { Name: 'overlay', Options: { encrypted: '' } };
    f.nodes[1]!.Attachments = [attach(f.appnet, '10.0.1.20/24')];
    const d = networkDetail('app', {
      ...f,
      networks: new Map([f.ingress, f.appnet].map((n) => [n.ID, n])).values(), // one-shot, as the page passes
    })!;
    expect(d.card).toMatchObject({
      name: 'appnet',
      subnets: [{ subnet: '10.0.1.0/24', gateway: '10.0.1.1' }],
      attachable: true,
      ingress: false,
      vxlan: expect.any(String),
      capacity: 253,
      inUse: 5, // web's VIP, three tasks, bravo's LB address
    });
    expect(d.available).toBe(248);
    expect(d.options).toEqual([['encrypted', '']]);
    expect(d.labels).toEqual([['com.docker.stack.namespace', 'shop']]);
    expect(d.services).toEqual([
      {
        serviceID: 'web',
        name: 'web',
        endpointMode: 'vip',
        vip: '10.0.1.2/24',
        aliases: ['www'],
        running: 3,
        desired: 3,
        tone: 'ok',
      },
    ]);
    expect(d.nodes.map((n) => [n.name, n.lb, n.tasks.map((t) => `${t.name} ${t.addr}`)])).toEqual([
      ['alpha', undefined, ['web.1 10.0.1.3/24']],
      ['bravo', '10.0.1.20/24', ['web.2 10.0.1.4/24']],
      ['charlie', undefined, ['web.3 10.0.1.5/24']],
    ]);
    expect(d.addresses.map((a) => `${a.addr} ${a.kind} ${a.holder}`)).toEqual([
      '10.0.1.1 gateway ',
      '10.0.1.2 vip web',
      '10.0.1.3 task web.1',
      '10.0.1.4 task web.2',
      '10.0.1.5 task web.3',
      '10.0.1.20 node bravo',
    ]);
  });

  it('ingress: the VIP the published port gave, no aliases; a node with nothing on it is left out', () => {
    const f = swarmFixture();
    const d = networkDetail('ing', f)!;
    expect(d.card.ingress).toBe(true);
    expect(d.services.map((s) => [s.name, s.vip, s.aliases])).toEqual([['web', '10.0.0.2/24', []]]);
    expect(d.nodes.map((n) => [n.name, n.lb ?? '', n.tasks.length])).toEqual([
      ['alpha', '10.0.0.10/24', 1],
      ['bravo', '', 1],
      ['charlie', '', 1],
    ]);
    // addresses sort as numbers: .10 after .5
    expect(d.addresses.map((a) => a.addr).slice(-2)).toEqual(['10.0.0.5', '10.0.0.10']);
  });

  it('dnsrr: the service is listed with no VIP; a pending task no node took is its own row', () => {
    const f = swarmFixture();
    const db = fixtureService({
      ID: 'db',
      Spec: {
        Name: 'db',
        Labels: {},
        TaskTemplate: { ContainerSpec: { Image: 'postgres' }, ForceUpdate: 0, Networks: [{ Target: 'appnet' }] },
        Mode: { Replicated: { Replicas: 1 } },
        EndpointSpec: { Mode: 'dnsrr' },
      },
      Endpoint: { Spec: { Mode: 'dnsrr' } },
    });
    const pending = runningTask(db, 'd1', 1, '', {
      Status: { Timestamp: '', State: 'pending', Message: 'no suitable node' },
      NetworksAttachments: [attach(f.appnet, '10.0.1.40/24')],
    });
    const d = networkDetail('app', { ...f, services: [f.web, db], tasks: [...f.tasks, pending] })!;
    expect(d.services.find((s) => s.name === 'db')).toMatchObject({ endpointMode: 'dnsrr', aliases: [] });
    expect(d.services.find((s) => s.name === 'db')!.vip).toBeUndefined();
    expect(d.nodes.at(-1)).toMatchObject({ nodeID: '', name: 'not on a node', tasks: [{ name: 'db.1' }] });
  });

  it('no IPAM yet: nothing available to count; an unknown ID is undefined', () => {
    const bare = fixtureNetwork('x', 'bare', '10.9.0.0/24');
    delete bare.IPAMOptions;
    const d = networkDetail('x', { networks: [bare], services: [], tasks: [], nodes: [] })!;
    expect(d.card.subnets).toEqual([]);
    expect(d.available).toBeUndefined();
    expect(d.addresses).toEqual([]);
    expect(networkDetail('nope', { networks: [bare], services: [], tasks: [], nodes: [] })).toBeUndefined();
  });

  it('findNetwork takes an ID or a name, the ID first', () => {
    const a = fixtureNetwork('a1', 'b1', '10.1.0.0/24');
    const b = fixtureNetwork('b1', 'other', '10.2.0.0/24');
    expect(findNetwork([a, b], 'b1')).toBe(b);
    expect(findNetwork([a, b], 'other')).toBe(b);
    expect(findNetwork([a], 'b1')).toBe(a);
    expect(findNetwork([a], 'zz')).toBeUndefined();
  });
});
