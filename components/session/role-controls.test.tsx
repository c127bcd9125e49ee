import { renderToStaticMarkup } from 'react-dom/server';
import type { ReactNode } from 'react';
import { QueryClient, QueryClientProvider } from '@tanstack/react-query';
import { describe, expect, it } from 'vitest';
import type { Role } from '@/server/api/access';
import type { SessionBody } from '@/server/api/auth';
import { fixtureService } from '../cluster/test-fixtures';
import { fixtureNode } from '../topology/test-fixtures';
import { NodeActions } from '../overview/node-actions';
import { AddNodeButton } from '../nodes/add-node-panel';
import { NodeLabels } from '../nodes/node-labels';
import { RemoveNode } from '../nodes/remove-node';
import { ServiceActions } from '../service-detail/service-actions';
import { navFor } from '../shell/app-header';
import { Allowed, StaticSession } from './session-provider';

const session = (role: Role, kind: 'account' | 'share-link' = 'account'): SessionBody => ({
  principal:
    kind === 'account' ? { kind, id: 'a', name: 'ann', role } : { kind, id: 'l', name: 'wall', role: 'viewer' },
  expiresAt: '2030-01-01T00:00:00.000Z',
});

function render(s: SessionBody | null, ui: ReactNode): string {
  return renderToStaticMarkup(
    <QueryClientProvider client={new QueryClient()}>
      <StaticSession session={s}>{ui}</StaticSession>
    </QueryClientProvider>,
  );
}

const service = fixtureService({ ID: 's1' });
const node = fixtureNode('n1', 'worker-1', {
  Spec: { Name: 'worker-1', Labels: { zone: 'a' }, Role: 'worker', Availability: 'active' },
});

const buttons = (html: string) =>
  [...html.matchAll(/<button[^>]*>(.*?)<\/button>/g)].map((m) => m[1]!.replace(/<[^>]+>/g, ''));

describe('controls a role may not use are left out', () => {
  it('a viewer, a share link and an unknown session get no service or node controls at all', () => {
    for (const s of [session('viewer'), session('viewer', 'share-link'), null]) {
      const html = render(
        s,
        <>
          <ServiceActions service={service} />
          <NodeActions node={node} hostname="worker-1" />
          <AddNodeButton />
          <RemoveNode node={node} name="worker-1" />
          <NodeLabels node={node} name="worker-1" />
          <Allowed to="swarmSettings">SWARM-SETTINGS-FORM</Allowed>
        </>,
      );
      expect(buttons(html)).toEqual([]);
      expect(html).not.toContain('<form');
      expect(html).not.toContain('<input');
      expect(html).not.toContain('SWARM-SETTINGS-FORM');
      // the labels are still shown, read-only
      expect(html).toContain('zone=a');
    }
  });

  it('an operator gets scale, update and availability, not remove, labels, tokens or settings', () => {
    const html = render(
      session('operator'),
      <>
        <ServiceActions service={service} />
        <NodeActions node={node} hostname="worker-1" />
        <AddNodeButton />
        <RemoveNode node={node} name="worker-1" />
        <NodeLabels node={node} name="worker-1" />
        <Allowed to="swarmSettings">SWARM-SETTINGS-FORM</Allowed>
      </>,
    );
    expect(buttons(html)).toEqual(['Scale', 'Update image', 'Active', 'Pause', 'Drain']);
    expect(html).not.toContain('SWARM-SETTINGS-FORM');
  });

  it('an admin also gets the join tokens, node labels and settings (remove is covered by the e2e: it needs the router)', () => {
    const html = render(
      session('admin'),
      <>
        <NodeActions node={node} hostname="worker-1" />
        <AddNodeButton />
        <NodeLabels node={node} name="worker-1" />
        <Allowed to="swarmSettings">SWARM-SETTINGS-FORM</Allowed>
      </>,
    );
    expect(buttons(html)).toEqual(['Active', 'Pause', 'Drain', 'Add a node', '×', 'Add label']);
    expect(html).toContain('SWARM-SETTINGS-FORM');
  });
});

describe('navFor', () => {
  const labels = (secrets: boolean, admin: boolean) => navFor(secrets, admin).map((n) => n.label);
  it('gives a viewer the configs instead of secrets, and the access pages to admins only', () => {
    expect(labels(false, false)).toEqual(['Overview', 'Nodes', 'Services', 'Topology', 'Configs', 'Raft', 'Wall']);
    expect(labels(true, false)).toEqual(['Overview', 'Nodes', 'Services', 'Topology', 'Secrets', 'Raft', 'Wall']);
    expect(labels(true, true)).toEqual([
      'Overview',
      'Nodes',
      'Services',
      'Topology',
      'Secrets',
      'Raft',
      'Access',
      'Audit',
      'Wall',
    ]);
  });
});
