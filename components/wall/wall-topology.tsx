import { memo, type CSSProperties } from 'react';
import type { LanePlan, LaneService, TopologyLane, WallTopology } from './wall-topology-model';

const count = (n: number, one: string) => `${n} ${one}${n === 1 ? '' : 's'}`;

/** The network topology for the wall: a lane per network with its services, read-only and sized to the screen. */
export const WallTopologyView = memo(function WallTopologyView({
  topology: t,
  plan,
  scale,
}: {
  topology: WallTopology;
  plan: LanePlan;
  scale: number;
}) {
  const style = { '--lane-cols': plan.columns, '--lane-rows': plan.rows, '--topo-scale': scale } as CSSProperties;
  if (!t.lanes.length) return <p className="wall-empty">No networks</p>;
  return (
    <div className="wall-topo" style={style} role="region" aria-label="Network topology" data-testid="wall-topology">
      {t.lanes.map((l) => (
        <Lane key={l.id} lane={l} />
      ))}
    </div>
  );
});

function Lane({ lane: l }: { lane: TopologyLane }) {
  const used = l.capacity ? Math.min(1, l.inUse / l.capacity) : 0;
  return (
    <section className="wall-topo-lane" data-ingress={l.ingress || undefined} aria-label={`Network ${l.name}`}>
      <div className="wall-topo-head">
        <h2 className="wall-topo-name">
          {l.name}
          {l.ingress ? <span className="wall-topo-tag">routing mesh</span> : null}
        </h2>
        <p className="wall-topo-detail">{l.detail}</p>
        {l.capacity ? (
          <p className="wall-topo-use num">
            <span className="wall-topo-bar" style={{ '--used': used } as CSSProperties} aria-hidden="true" />
            {l.inUse} of {l.capacity} addresses
          </p>
        ) : null}
      </div>
      <ul className="wall-topo-services">
        {l.services.map((s) => (
          <ServiceRow key={s.id} s={s} />
        ))}
        {l.services.length === 0 ? <li className="wall-topo-none">no services attached</li> : null}
        {l.more > 0 ? <li className="wall-topo-more">+{count(l.more, 'more service')}</li> : null}
      </ul>
    </section>
  );
}

function ServiceRow({ s }: { s: LaneService }) {
  const facts = [s.vip ? `VIP ${s.vip}` : '', ...s.ports, s.nodes ? `on ${count(s.nodes, 'node')}` : 'on no node'];
  return (
    <li className="wall-topo-service" data-tone={s.tone} style={{ '--hue': s.hue } as CSSProperties}>
      <span className="wall-topo-service-name">
        <span className="wall-swatch" aria-hidden="true" />
        <span className="ellipsis">{s.name}</span>
        <span className="wall-topo-count num">
          {s.running}/{s.desired}
        </span>
      </span>
      <span className="wall-topo-facts num">{facts.filter(Boolean).join(' · ')}</span>
    </li>
  );
}
