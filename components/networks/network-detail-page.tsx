'use client';

import Link from 'next/link';
import { RowLink } from '../ui/row-link';
import { useMemo, type ReactNode } from 'react';
import { useClusterView } from '../realtime/use-cluster';
import { Badge } from '../ui/badge';
import { NotFoundPage } from '../ui/not-found-page';
import { bareAddr } from '../topology/topology-model';
import { findNetwork, networkDetail, type NetworkDetail } from './network-detail';

// `docker network inspect -v`, live: a swarm network's IPAM, flags and
// options, the services on it with their VIPs and aliases, its tasks by node
// with their addresses, and the address space in use. Reached from a network
// card on the topology.

const NBSP = '\u00a0';

function Fact({ label, children, className }: { label: string; children: ReactNode; className?: string }) {
  return (
    <div className={className}>
      <dt>{label}</dt>
      <dd>{children}</dd>
    </div>
  );
}

function Facts({ d }: { d: NetworkDetail | undefined }) {
  const c = d?.card;
  const flags = c ? (['ingress', 'attachable', 'internal'] as const).filter((f) => c[f]) : [];
  return (
    <dl className="facts network-facts card" aria-label="Network facts">
      <Fact label="ID" className="fact-id">
        <span className="mono ellipsis-block" title={c?.networkID}>
          {c?.networkID ?? NBSP}
        </span>
      </Fact>
      <Fact label="Driver">{c ? `${c.driver} · swarm scope` : NBSP}</Fact>
      <Fact label="Subnet">
        {c ? (
          c.subnets.length ? (
            c.subnets.map((s) => (
              <span key={s.subnet} className="mono ellipsis-block">
                {s.subnet}
              </span>
            ))
          ) : (
            <span className="muted">not allocated yet</span>
          )
        ) : (
          NBSP
        )}
      </Fact>
      <Fact label="Gateway">
        <span className="mono">{c?.subnets.map((s) => s.gateway ?? '—').join(' ') || (c ? '—' : NBSP)}</span>
      </Fact>
      {c?.subnets.some((s) => s.range) ? (
        <Fact label="IP range">
          <span className="mono">{c.subnets.map((s) => s.range ?? '—').join(' ')}</span>
        </Fact>
      ) : null}
      <Fact label="Flags">
        {c ? (
          flags.length ? (
            <span className="network-flags">
              {flags.map((f) => (
                <Badge key={f} tone={f === 'internal' ? 'warn' : 'info'}>
                  {f}
                </Badge>
              ))}
            </span>
          ) : (
            <span className="muted">none</span>
          )
        ) : (
          NBSP
        )}
      </Fact>
      <Fact label="VXLAN ID">
        <span className="mono">{c ? (c.vxlan ?? '—') : NBSP}</span>
      </Fact>
      <Fact label="Addresses">
        {c ? (
          <span className="num" data-testid="network-addresses">
            <span className="strong">{c.inUse}</span> in use
            {d?.available !== undefined ? ` · ${d.available} available` : ''}
          </span>
        ) : (
          NBSP
        )}
      </Fact>
      <Fact label="Options" className="fact-wide">
        {d ? <Chips list={d.options} none="no driver options" label="Driver options" /> : NBSP}
      </Fact>
      <Fact label="Labels" className="fact-wide">
        {d ? <Chips list={d.labels} none="no labels" label="Network labels" /> : NBSP}
      </Fact>
    </dl>
  );
}

function Chips({ list, none, label }: { list: [string, string][]; none: string; label: string }) {
  return (
    <ul className="labels" aria-label={label}>
      {list.length === 0 ? <li className="muted label-none">{none}</li> : null}
      {list.map(([k, v]) => (
        <li key={k} className="label-chip mono">
          {v ? `${k}=${v}` : k}
        </li>
      ))}
    </ul>
  );
}

function Services({ d }: { d: NetworkDetail }) {
  return (
    <section className="section" aria-labelledby="network-services-h">
      <div className="section-head">
        <h2 id="network-services-h">
          Services <span className="muted num">{d.services.length}</span>
        </h2>
      </div>
      <div className="table-wrap">
        <table className="data-table network-table">
          <thead>
            <tr>
              <th scope="col">Service</th>
              <th scope="col">VIP</th>
              <th scope="col">Aliases</th>
              <th scope="col">Endpoint mode</th>
              <th scope="col">Replicas</th>
            </tr>
          </thead>
          <tbody>
            {d.services.length === 0 ? (
              <tr>
                <td colSpan={5} className="empty">
                  no service is attached to this network
                </td>
              </tr>
            ) : null}
            {d.services.map((s) => (
              <tr key={s.serviceID} data-service={s.name}>
                <td>
                  <RowLink href={`/services/${encodeURIComponent(s.serviceID)}`}>{s.name}</RowLink>
                </td>
                <td className="mono">
                  {s.vip ?? <span className="muted">{s.endpointMode === 'dnsrr' ? 'none (dnsrr)' : 'not yet'}</span>}
                </td>
                <td className="mono">{s.aliases.length ? s.aliases.join(', ') : <span className="muted">—</span>}</td>
                <td>{s.endpointMode}</td>
                <td className="num">
                  <Badge tone={s.tone}>
                    {s.running}/{s.desired}
                  </Badge>
                </td>
              </tr>
            ))}
          </tbody>
        </table>
      </div>
    </section>
  );
}

function TasksByNode({ d }: { d: NetworkDetail }) {
  const count = d.nodes.reduce((n, g) => n + g.tasks.length, 0);
  return (
    <section className="section" aria-labelledby="network-tasks-h">
      <div className="section-head">
        <h2 id="network-tasks-h">
          Tasks by node{' '}
          <span className="muted num">
            {count} on {d.nodes.filter((n) => n.nodeID).length} nodes
          </span>
        </h2>
      </div>
      {d.nodes.length === 0 ? <p className="card empty-card muted">no task or node holds an address here</p> : null}
      <div className="network-nodes">
        {d.nodes.map((n) => (
          <div key={n.nodeID || 'unassigned'} className="card network-node" data-node={n.name}>
            <div className="network-node-head">
              {n.nodeID ? (
                <RowLink href={`/nodes/${encodeURIComponent(n.nodeID)}`} className="strong">
                  {n.name}
                </RowLink>
              ) : (
                <span className="strong">{n.name}</span>
              )}
              <span className="muted mono">{n.lb ? `LB ${bareAddr(n.lb)}` : ''}</span>
            </div>
            <ul className="network-task-list">
              {n.tasks.length === 0 ? <li className="muted">no task here</li> : null}
              {n.tasks.map((t) => (
                <li key={`${t.taskID}/${t.addr}`} data-task={t.name}>
                  <span className="status-dot" data-tone={t.tone} aria-hidden="true" />
                  <RowLink
                    href={`/services/${encodeURIComponent(t.serviceID)}#task-${encodeURIComponent(t.taskID)}`}
                    className="ellipsis"
                  >
                    {t.name}
                  </RowLink>
                  <span className="mono">{bareAddr(t.addr)}</span>
                  <span className="muted">{t.draining ? 'draining' : t.state}</span>
                </li>
              ))}
            </ul>
          </div>
        ))}
      </div>
    </section>
  );
}

function Addresses({ d }: { d: NetworkDetail }) {
  return (
    <section className="section" aria-labelledby="network-addrs-h">
      <div className="section-head">
        <h2 id="network-addrs-h">
          Addresses{' '}
          <span className="muted num">
            {d.card.inUse} in use{d.available !== undefined ? ` · ${d.available} available` : ''}
          </span>
        </h2>
      </div>
      <ul className="card network-addrs" aria-label="Addresses in use">
        {d.addresses.length === 0 ? <li className="muted">none</li> : null}
        {d.addresses.map((a) => (
          <li key={`${a.addr}/${a.kind}/${a.holder}`} data-kind={a.kind}>
            <span className="mono">{a.addr}</span>
            <span className="muted">{a.kind === 'gateway' ? 'gateway' : `${a.kind} ${a.holder}`}</span>
          </li>
        ))}
      </ul>
    </section>
  );
}

export function NetworkDetailPage({ id }: { id: string }) {
  const view = useClusterView();
  const { network: networks, service: services, task: tasks, node: nodes } = view.tables;
  const network = findNetwork(networks.values(), id);
  const nid = network?.ID;
  const d = useMemo(
    () =>
      nid
        ? networkDetail(nid, {
            networks: networks.values(),
            services: services.values(),
            tasks: tasks.values(),
            nodes: nodes.values(),
          })
        : undefined,
    [nid, networks, services, tasks, nodes],
  );

  if (view.loaded && !network) {
    return <NotFoundPage kind="network" id={id} back={{ href: '/topology', label: 'Back to the topology' }} />;
  }
  return (
    <div className="page network-detail">
      <nav aria-label="Breadcrumb" className="crumbs">
        <Link href="/topology">Topology</Link> <span aria-hidden="true">/</span> networks
      </nav>
      <div className="page-head">
        <h1>{network ? network.Spec.Name : <span className="skeleton skeleton-title" />}</h1>
        {d?.card.ingress ? <Badge tone="info">routing mesh</Badge> : null}
        {nid ? (
          <Link href={`/topology?network=${encodeURIComponent(nid)}`} className="btn btn-ghost network-topo-link">
            Show on the topology
          </Link>
        ) : null}
      </div>
      <Facts d={d} />
      {d ? (
        <>
          <Services d={d} />
          <TasksByNode d={d} />
          <Addresses d={d} />
        </>
      ) : null}
    </div>
  );
}
