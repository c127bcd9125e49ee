'use client';

import { useDeferredValue, useMemo, useRef, type CSSProperties, type ReactNode } from 'react';
import { ConnectionIndicator } from '../realtime/connection-indicator';
import { countWidth } from '../ui/share-bar';
import { useBurnInShift } from '../theme/burn-in-shift';
import { useNow } from '../time/now';
import { DEFAULT_GRACE_MS, wallAlerts } from './alert-model';
import { tasksHeadline } from '../overview/overview-model';
import { mapNeeds, mapPlan, wallFontPx, type DensityPlan, type MapNeeds } from './density-model';
import { rotationAt, VIEW_TITLE, type WallView } from './rotation-model';
import { useRotationConfig, useWallScreen } from './use-wall-screen';
import { WallAlerts } from './wall-alerts';
import { WallMap } from './wall-map';
import { serviceHues } from './wall-model';
import { useWallQuorum } from './use-wall-quorum';
import { useWallView } from './use-wall-view';
import { WallRaft } from './wall-raft';
import { tickerRowsFit } from './ticker-model';
import { WallTicker } from './wall-ticker';
import { WallTopologyView } from './wall-topology';
import { lanePlan, laneRows, laneScale, wallTopology } from './wall-topology-model';
import { WallUpdates } from './wall-updates';
import { useWallEngine, useWallEngineCards } from './use-wall-engine';

const CARDS: DensityPlan = { density: 'cards', gridColumns: 1, gridRows: 1, cellPx: 0, scale: 1, fontPx: 16 };

/**
 * `/wall`: the cluster for a wall screen nobody touches. Views rotate on an
 * interval (or stay pinned from the URL), an alert strip says what needs
 * attention, and the map changes density with the cluster's size so it never
 * scrolls. Nothing on it can be clicked or focused.
 */
export function WallPage() {
  // at the wall's pace (paced-view.ts), not on every pushed frame; and deferred, so that a redraw renders
  // as a transition React works in slices between the frames on screen (5,000 tasks rendered in one go
  // under churn was a task of 50-100 ms, and the clock's tick re-rendered every view at once)
  const view = useDeferredValue(useWallView());
  const { service, cluster } = view.tables;
  const now = useDeferredValue(useNow());
  const screen = useWallScreen();
  const rotation = useRotationConfig();
  const quorum = useWallQuorum();
  // burn-in care: the whole wall moves a pixel every few minutes (its background too: the page's is the same)
  const wallRef = useRef<HTMLDivElement>(null);
  useBurnInShift(wallRef);
  // the tasks, and the map, rollouts and topology worked out from them, are the engine's (a worker:
  // wall-engine.ts); it posts what changed, what did not stays the same object here
  const engine = useDeferredValue(useWallEngine(!rotation.pinned || rotation.pinned === 'topology'));
  const m = engine.model;
  // loaded when both the page's tables and the engine's are
  const loaded = view.loaded && engine.loaded;
  // the headline counts as the console's overview does, against each service's desired replicas: from the
  // counts the model already made per service
  const headline = useMemo(() => {
    const counts = new Map(m.services.map((s) => [s.id, s]));
    return tasksHeadline(service.values(), (s) => counts.get(s.ID) ?? { running: 0, desired: 0 });
  }, [m.services, service]);

  // the grace period's clock: when each service was first seen below its desired count
  const belowSince = useRef<ReadonlyMap<string, number>>(new Map());
  const alerts = useMemo(() => {
    const r = wallAlerts({
      model: m,
      services: service,
      pending: engine.pending,
      quorum,
      belowSince: belowSince.current,
      now,
      graceMs: DEFAULT_GRACE_MS,
    });
    belowSince.current = r.belowSince;
    return r.alerts;
  }, [m, service, engine.pending, quorum, now]);

  // the room a box is planned for rises at once and falls only after a while, and the "Not placed" box
  // stays a while after its last task went (mapNeeds): cells keep their size and the map its grid under churn
  const held = useRef<MapNeeds>({});
  const need = useMemo(() => {
    const r = mapNeeds(
      held.current,
      m.columns.map((c) => c.count),
      m.unplaced.count,
      now,
    );
    held.current = r.held;
    return r;
  }, [m.columns, m.unplaced.count, now]);
  const unplacedBox = need.unplacedBox;
  const boxes = m.columns.length + (unplacedBox ? 1 : 0);
  // the same plan object while nothing it is made from moves: the views are memoised, and a page render that
  // brings them nothing new (the urgent half of each deferred update) does not draw them again
  const plan = useMemo(
    () => (screen ? mapPlan(boxes, need.node, need.unplaced, screen.width, screen.height) : CARDS),
    [boxes, need.node, need.unplaced, screen],
  );
  // heat cells are drawn from a byte a task: the engine sends cards only while the map draws them
  useWallEngineCards(plan.density !== 'cells');

  // the rollouts come worked out once a second, whichever view is on screen: turning to the updates view is
  // not a first pass over every slot
  const rollouts = engine.rollouts;
  const openedAt = useRef(0);
  if (!openedAt.current && now) openedAt.current = now;
  const skip = new Set<WallView>();
  // from the rollouts the view would draw, so it never turns to an empty one
  if (!rollouts.length) skip.add('updates');
  const turn = rotationAt(rotation, now - openedAt.current, skip);

  const rotating = !rotation.pinned;
  // the topology's lanes are laid out while it can come on screen
  const fontPx = screen ? wallFontPx(screen.width, screen.height) : 16;
  const topologyShown = rotating || turn.view === 'topology';
  const topology = useMemo(() => {
    const model = engine.topology;
    if (!topologyShown || !screen || !model) return null;
    const lanes = model.networks.length + (model.services.length > 0 ? 1 : 0);
    const first = lanePlan(lanes, screen.width, screen.height, fontPx);
    const t = wallTopology(model, serviceHues(service.values()), first.servicesPerLane);
    // the no-network lane was counted in case it is needed: plan again for the lanes there are
    const plan = lanePlan(t.lanes.length, screen.width, screen.height, fontPx);
    return { topology: t, plan, scale: laneScale(plan.servicesPerLane, Math.max(...t.lanes.map(laneRows))) };
  }, [topologyShown, screen, engine.topology, service, fontPx]);

  const name = cluster.values().next().value?.Spec.Name;
  return (
    <div ref={wallRef} className="wall" data-loaded={loaded || undefined} data-view={turn.view} data-testid="wall">
      <header className="wall-head">
        <span className="wall-title">
          <span className="brand-mark" aria-hidden="true" />
          {name ? `${name}` : 'Swarmdeck'}
        </span>
        <span className="wall-stat num" aria-label="Nodes ready">
          <b className="wall-figure">{loaded ? `${m.nodesReady}/${m.columns.length}` : '–'}</b> nodes ready
        </span>
        <span className="wall-stat num" aria-label="Tasks running">
          <b className="wall-figure">{loaded ? `${headline.running}/${headline.desired}` : '–'}</b> tasks running
        </span>
        <span className="wall-stat num">
          <b className="wall-figure">{loaded ? m.services.length : '–'}</b> services
        </span>
        <span className="wall-spacer" />
        <span className="wall-view-title" data-testid="wall-view" data-pinned={rotation.pinned ? true : undefined}>
          {VIEW_TITLE[turn.view]}
          {rotation.pinned ? null : (
            <span
              key={turn.since}
              className="wall-tick"
              aria-hidden="true"
              style={
                {
                  '--interval': `${turn.stayMs}ms`,
                  '--tick-start': `${-turn.progress * turn.stayMs}ms`,
                } as CSSProperties
              }
            />
          )}
        </span>
        <ConnectionIndicator />
      </header>
      <WallAlerts alerts={alerts} loaded={loaded} />
      <main className="wall-body">
        {/* while rotating the map stays mounted behind the other views: turning back to it is not a rebuild */}
        {turn.view === 'map' || !rotation.pinned ? (
          <WallMap model={m} plan={plan} unplacedBox={unplacedBox} loaded={loaded} hidden={turn.view !== 'map'} />
        ) : null}
        {/* while rotating, the updates and the topology stay mounted behind the view on screen too: turning to
            them is not a first paint of a 5,000-slot strip or a first build of their elements */}
        <ViewLayer on={turn.view === 'updates'} keep={rotating && rollouts.length > 0}>
          <WallUpdates rollouts={rollouts} />
        </ViewLayer>
        <ViewLayer on={turn.view === 'topology'} keep={rotating}>
          {topology ? (
            <WallTopologyView topology={topology.topology} plan={topology.plan} scale={topology.scale} />
          ) : null}
        </ViewLayer>
        {turn.view === 'raft' ? <WallRaft view={view} /> : null}
        {turn.view === 'ticker' && screen ? (
          <WallTicker index={view.index} rows={tickerRowsFit(screen.height, fontPx)} />
        ) : null}
      </main>
      <footer className="wall-legend" aria-label="Services">
        {m.services.map((s) => (
          <span key={s.id} className="wall-legend-item" style={{ '--hue': s.hue } as CSSProperties}>
            <span className="wall-swatch" aria-hidden="true" />
            {s.name}
            {/* as wide as desired/desired: a count moving does not move the items after it */}
            <span className="num muted" style={{ minWidth: countWidth(s.desired) }}>
              {s.running}/{s.desired}
            </span>
          </span>
        ))}
      </footer>
    </div>
  );
}

/** A view on screen (`on`), or kept mounted and hidden behind the one that is (`keep`), or not there at all. */
function ViewLayer({ on, keep, children }: { on: boolean; keep: boolean; children: ReactNode }) {
  if (!on && !keep) return null;
  return (
    <div className="wall-layer" data-hidden={on ? undefined : true} aria-hidden={on ? undefined : true}>
      {children}
    </div>
  );
}
