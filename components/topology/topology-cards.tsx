'use client';

import { RowLink } from '../ui/row-link';
import { Handle, Position, type Node, type NodeProps } from '@xyflow/react';
import {
  bareAddr,
  type AddressOn,
  type NetworkCard,
  type NodeGroup,
  type PortCard,
  type ServiceCard,
  type TaskCard,
} from './topology-model';

// The cards React Flow draws. Each has a fixed size (topology-layout.ts SIZES)
// so the layout never waits for measuring; long lists show what fits and say
// how many more there are (the full list is in the title).

export type NetworkNode = Node<{ card: NetworkCard }, 'network'>;
export type PortNode = Node<{ card: PortCard; serviceName: string }, 'port'>;
export type ServiceNode = Node<{ card: ServiceCard }, 'service'>;
export type GroupNode = Node<{ card: NodeGroup }, 'swarmNode'>;
export type TaskNode = Node<{ card: TaskCard }, 'task'>;
export type TopologyFlowNode = NetworkNode | PortNode | ServiceNode | GroupNode | TaskNode;

function AddressLines({ list, max, prefix = '' }: { list: AddressOn[]; max: number; prefix?: string }) {
  const shown = list.slice(0, max);
  const more = list.length - shown.length;
  return (
    <>
      {shown.map((a) => (
        <div key={`${a.networkID}/${a.addr}`} className="topo-line topo-addr" data-network={a.networkName}>
          <span className="muted">
            {prefix}
            {a.networkName}
          </span>{' '}
          <span className="mono">{bareAddr(a.addr)}</span>
          {more > 0 && a === shown.at(-1) ? <span className="muted"> +{more}</span> : null}
        </div>
      ))}
    </>
  );
}

const addrTitle = (list: AddressOn[]) => list.map((a) => `${a.networkName} ${a.addr}`).join('\n');

function Flag({ on, children }: { on: boolean; children: string }) {
  return on ? <span className="topo-flag">{children}</span> : null;
}

export function NetworkCardView({ data }: NodeProps<NetworkNode>) {
  const n = data.card;
  const first = n.subnets[0];
  return (
    <div
      className="topo-card topo-network"
      role="group"
      data-ingress={n.ingress || undefined}
      aria-label={`Network ${n.name}`}
      data-topo-network={n.name}
      title={n.subnets
        .map((s) => `${s.subnet}${s.gateway ? ` gw ${s.gateway}` : ''}${s.range ? ` range ${s.range}` : ''}`)
        .join('\n')}
    >
      <div className="topo-head">
        <span className="topo-icon topo-icon-net" aria-hidden="true" />
        <RowLink
          href={`/networks/${encodeURIComponent(n.networkID)}`}
          className="topo-name ellipsis nodrag"
          // the card's own click filters the view to this network; its name opens the network's page
          onClick={(e) => e.stopPropagation()}
        >
          {n.name}
        </RowLink>
        <span className="topo-kind">{n.driver}</span>
      </div>
      <div className="topo-line mono ellipsis">
        {first ? (
          <>
            {first.subnet}
            {first.gateway ? <span className="muted"> gw {first.gateway}</span> : null}
            {n.subnets.length > 1 ? <span className="muted"> +{n.subnets.length - 1}</span> : null}
          </>
        ) : (
          <span className="muted">no subnet allocated yet</span>
        )}
      </div>
      <div className="topo-line topo-flags">
        <Flag on={n.ingress}>ingress</Flag>
        <Flag on={n.attachable}>attachable</Flag>
        <Flag on={n.internal}>internal</Flag>
        {n.vxlan ? <span className="muted">VXLAN {n.vxlan}</span> : null}
      </div>
      <div className="topo-line num" data-testid="network-usage">
        <span className="strong">{n.inUse}</span>
        <span className="muted">
          {' '}
          {n.capacity !== undefined ? `of ${n.capacity} addresses in use` : 'addresses in use'}
        </span>
        {n.stack ? <span className="muted"> · {n.stack}</span> : null}
      </div>
      <Handle type="source" position={Position.Bottom} isConnectable={false} />
    </div>
  );
}

export function PortCardView({ data }: NodeProps<PortNode>) {
  const p = data.card;
  return (
    <div
      className="topo-card topo-port"
      role="group"
      data-mode={p.mode}
      aria-label={`Published port ${p.published ?? 'auto'}/${p.protocol}`}
    >
      <div className="topo-head">
        <span className="topo-icon topo-icon-port" aria-hidden="true" />
        <span className="topo-name mono">
          :{p.published ?? '*'}/{p.protocol}
        </span>
        <span className="muted mono">→ {p.target ?? '?'}</span>
      </div>
      <div className="topo-line muted ellipsis">
        {data.serviceName} · {p.mode === 'host' ? 'host mode: task’s node' : 'mesh: every node'}
      </div>
      <Handle type="source" position={Position.Bottom} isConnectable={false} />
    </div>
  );
}

export function ServiceCardView({ data }: NodeProps<ServiceNode>) {
  const s = data.card;
  return (
    <div
      className="topo-card topo-service"
      role="group"
      data-tone={s.tone}
      aria-label={`Service ${s.name}`}
      data-topo-service={s.name}
      title={addrTitle(s.vips)}
    >
      <Handle type="target" position={Position.Top} isConnectable={false} />
      <div className="topo-head">
        <span className="topo-icon topo-icon-svc" aria-hidden="true" />
        <RowLink href={`/services/${encodeURIComponent(s.serviceID)}`} className="topo-name ellipsis nodrag">
          {s.name}
        </RowLink>
        <span className="topo-replicas num" data-tone={s.tone} aria-label={`${s.running} of ${s.desired} running`}>
          {s.running}/{s.desired}
        </span>
      </div>
      <div className="topo-line muted ellipsis">
        {s.mode} · {s.endpointMode}
        {s.updateState ? ` · ${s.updateState.replace('_', ' ')}` : ''}
        {s.stack ? ` · ${s.stack}` : ''}
      </div>
      {s.vips.length ? (
        <AddressLines list={s.vips} max={2} prefix="VIP " />
      ) : (
        <div className="topo-line muted">{s.endpointMode === 'dnsrr' ? 'DNS round robin: no VIP' : 'no VIP yet'}</div>
      )}
      {s.ports.length ? (
        <div className="topo-line mono ellipsis" title={s.ports.join('\n')}>
          {s.ports.join(' ')}
        </div>
      ) : null}
      <Handle type="source" position={Position.Bottom} isConnectable={false} />
    </div>
  );
}

export function GroupCardView({ data }: NodeProps<GroupNode>) {
  const n = data.card;
  const meta = [n.role, n.availability, n.addr, n.networkMode ? `${n.networkMode} net` : ''].filter(Boolean);
  return (
    <div
      className="topo-group"
      data-tone={n.tone}
      data-availability={n.availability}
      role="group"
      aria-label={`Node ${n.name}`}
      data-topo-node={n.name}
      title={addrTitle(n.attachments)}
    >
      <Handle type="target" position={Position.Top} isConnectable={false} />
      <div className="topo-head">
        <span className="topo-icon topo-icon-node" aria-hidden="true" />
        {n.nodeID ? (
          <RowLink href={`/nodes/${encodeURIComponent(n.nodeID)}`} className="topo-name ellipsis nodrag">
            {n.name}
          </RowLink>
        ) : (
          <span className="topo-name ellipsis">{n.name}</span>
        )}
        {n.leader ? <span className="topo-flag">leader</span> : null}
        {n.state ? (
          <span className="topo-state" data-tone={n.tone}>
            {n.availability === 'drain' ? 'drain' : n.state}
          </span>
        ) : null}
      </div>
      <div className="topo-line muted ellipsis">{meta.join(' · ')}</div>
      {n.attachments.length ? (
        <AddressLines list={n.attachments} max={1} prefix="LB " />
      ) : n.nodeID ? (
        <div className="topo-line faint">no load-balancer address</div>
      ) : null}
    </div>
  );
}

export function TaskCardView({ data }: NodeProps<TaskNode>) {
  const t = data.card;
  const stateText = t.draining ? 'draining' : t.state;
  return (
    <div
      className="topo-card topo-task"
      role="group"
      data-tone={t.tone}
      data-state={t.state}
      data-draining={t.draining || undefined}
      aria-label={`Task ${t.name}`}
      data-topo-task={t.name}
      data-node={t.nodeName}
      title={`${t.name} · ${t.state} (desired ${t.desired})${t.health ? ` · ${t.health}` : ''}\n${addrTitle(t.addresses)}`}
    >
      <div className="topo-head">
        <span className="topo-dot" data-tone={t.tone} aria-hidden="true" />
        <RowLink
          href={`/services/${encodeURIComponent(t.serviceID)}#task-${encodeURIComponent(t.taskID)}`}
          className="topo-name ellipsis nodrag"
        >
          {t.name}
        </RowLink>
        <span className="topo-state" data-tone={t.tone}>
          {stateText}
          {t.health && !t.draining ? ` · ${t.health}` : ''}
        </span>
      </div>
      {t.addresses.length ? (
        <AddressLines list={t.addresses} max={2} />
      ) : (
        <div className="topo-line faint">no network address</div>
      )}
    </div>
  );
}

export const NODE_TYPES = {
  network: NetworkCardView,
  port: PortCardView,
  service: ServiceCardView,
  swarmNode: GroupCardView,
  task: TaskCardView,
};
