import { describe, expect, it } from 'vitest';
import { runningTask, swarmFixture } from './test-fixtures';
import { EMPTY_LAYOUT, layoutTopology } from './topology-layout';
import { applyTopologyFilter, buildTopology } from './topology-model';
import { curve, LABEL_AT, toFlow } from './topology-flow';

describe('toFlow', () => {
  const f = swarmFixture();
  const old = { ...f.tasks[0]!, DesiredState: 'shutdown' as const };
  const model = buildTopology({ ...f, tasks: [old, f.tasks[1]!, f.tasks[2]!, runningTask(f.web, 't9', 9, 'n2')] });
  const layout = layoutTopology(EMPTY_LAYOUT, model);

  it('every card is a node at its layout box; tasks are children of their node group, listed after it', () => {
    const { nodes } = toFlow(model, layout);
    const index = new Map(nodes.map((n, i) => [n.id, i]));
    for (const n of nodes) {
      expect(n.position).toEqual({ x: layout.boxes.get(n.id)!.x, y: layout.boxes.get(n.id)!.y });
      expect(n.draggable).toBe(false);
    }
    const t9 = nodes.find((n) => n.id === 'task:t9')!;
    expect(t9).toMatchObject({ type: 'task', parentId: 'node:n2', extent: 'parent' });
    expect(index.get('node:n2')!).toBeLessThan(index.get('task:t9')!);
    expect(nodes.filter((n) => n.type === 'swarmNode')).toHaveLength(3);
  });

  it('edges keep their labels; a node’s edge with a draining task is marked and animated', () => {
    const { edges } = toFlow(model, layout);
    expect(edges.find((e) => e.id === 'att:app:web')).toMatchObject({ label: 'VIP 10.0.1.2 · aliases www' });
    expect(edges.find((e) => e.id === 'be:web:node:n1')).toMatchObject({
      target: 'node:n1',
      label: '1 task',
      animated: true,
      className: expect.stringContaining('topo-edge-draining'),
    });
    expect(edges.find((e) => e.id === 'be:web:node:n2')).toMatchObject({ label: '2 tasks', animated: false });
  });

  it('a filtered model draws only what it keeps, at the same places', () => {
    const shown = applyTopologyFilter(model, { network: 'app' });
    const { nodes } = toFlow(shown, layout);
    expect(nodes.some((n) => n.id === 'net:ing')).toBe(false);
    expect(nodes.find((n) => n.id === 'svc:web')!.position).toEqual(
      toFlow(model, layout).nodes.find((n) => n.id === 'svc:web')!.position,
    );
  });

  it('labels sit along their curve: attachments near their network, task counts near their node group', () => {
    const { edges } = toFlow(model, layout);
    expect(edges.every((e) => e.type === 'topo')).toBe(true);
    expect(edges.find((e) => e.id === 'att:app:web')!.data).toEqual({ labelAt: LABEL_AT.attachment });
    expect(edges.find((e) => e.id === 'be:web:node:n2')!.data).toEqual({ labelAt: LABEL_AT.backend });
    expect(LABEL_AT.attachment).toBeLessThan(0.5);
    expect(LABEL_AT.backend).toBeGreaterThan(0.5);
  });
});

describe('curve', () => {
  it('runs from source to target; its point at t moves from one end to the other', () => {
    const c = curve(0, 0, 300, 200, 0);
    expect(c.path).toBe('M0,0 C0,100 300,100 300,200');
    expect([c.x, c.y]).toEqual([0, 0]);
    const end = curve(0, 0, 300, 200, 1);
    expect([end.x, end.y]).toEqual([300, 200]);
    const mid = curve(0, 0, 300, 200, 0.5);
    expect([mid.x, mid.y]).toEqual([150, 100]);
    // near the source the curve still leaves straight down: x barely moved, y well on its way
    const near = curve(0, 0, 300, 200, 0.22);
    expect(near.x).toBeLessThan(40);
    expect(near.y).toBeGreaterThan(40);
  });

  it('a short or upward edge still bends (a minimum control length)', () => {
    expect(curve(0, 100, 50, 90, 0).path).toBe('M0,100 C0,124 50,66 50,90');
  });
});
