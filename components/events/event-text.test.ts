import { describe, expect, it } from 'vitest';
import type { ClusterEvent } from '@/server/api/events';
import { eventText, eventTone, notableEvent } from './event-text';

const ev = (Type: ClusterEvent['Type'], Action: ClusterEvent['Action'], Attributes: Record<string, string>) =>
  ({ Type, Action, Actor: { ID: 'x1', Attributes }, scope: 'swarm', time: 1, timeNano: 1e9 }) as ClusterEvent;

describe('timeline lines', () => {
  it('say what a service or node update changed', () => {
    expect(eventText(ev('service', 'create', { name: 'web' }))).toBe('service web created');
    expect(
      eventText(
        ev('service', 'update', {
          name: 'web',
          'image.old': 'nginx:1',
          'image.new': 'nginx:2',
          'updatestate.new': 'updating',
        }),
      ),
    ).toBe('image nginx:1 → nginx:2, rollout updating');
    expect(eventText(ev('service', 'update', { name: 'web' }))).toBe('service updated');
    expect(eventText(ev('node', 'update', { name: 'w1', 'state.old': 'ready', 'state.new': 'down' }))).toBe(
      'state ready → down',
    );
    expect(eventTone(ev('node', 'update', { name: 'w1', 'state.old': 'ready', 'state.new': 'down' }))).toBe('bad');
  });
  it('name a task by its slot and say why it failed', () => {
    const attrs = { name: 'web.2.t9', 'com.docker.swarm.task.id': 't9' };
    expect(eventText(ev('task', 'create', attrs))).toBe('task web.2 created');
    expect(
      eventText(ev('task', 'update', { ...attrs, 'state.old': 'running', 'state.new': 'failed', error: 'exit 1' })),
    ).toBe('task web.2: state running → failed (exit 1)');
  });
  it("show a task's start, end and failure by default, not every step", () => {
    expect(notableEvent(ev('task', 'update', { 'state.old': 'preparing', 'state.new': 'starting' }))).toBe(false);
    expect(notableEvent(ev('task', 'update', { 'state.old': 'starting', 'state.new': 'running' }))).toBe(true);
    expect(notableEvent(ev('task', 'update', { 'state.old': 'running', 'state.new': 'failed' }))).toBe(true);
    expect(notableEvent(ev('task', 'remove', {}))).toBe(true);
    expect(notableEvent(ev('service', 'update', {}))).toBe(true);
  });
});
