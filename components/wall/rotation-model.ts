// Which view the wall shows: it rotates on an interval, or stays on one view
// pinned from the URL (`?view=map&interval=20`).

export const WALL_VIEWS = ['map', 'updates', 'topology', 'raft', 'ticker'] as const;
export type WallView = (typeof WALL_VIEWS)[number];

export const VIEW_TITLE: Record<WallView, string> = {
  map: 'Cluster map',
  updates: 'Rolling updates',
  topology: 'Network topology',
  raft: 'Raft and quorum',
  ticker: 'Events',
};

export const DEFAULT_INTERVAL_S = 20;
const MIN_INTERVAL_S = 5;
const MAX_INTERVAL_S = 3600;

export interface RotationConfig {
  /** the view to stay on, or null to rotate */
  pinned: WallView | null;
  intervalMs: number;
}

const isView = (v: string | null): v is WallView => v !== null && (WALL_VIEWS as readonly string[]).includes(v);

/** The rotation from the page's query string; anything unreadable falls back to the default. */
export function rotationFromQuery(params: URLSearchParams): RotationConfig {
  const view = params.get('view');
  const raw = Number(params.get('interval'));
  const seconds =
    Number.isFinite(raw) && raw > 0 ? Math.min(MAX_INTERVAL_S, Math.max(MIN_INTERVAL_S, raw)) : DEFAULT_INTERVAL_S;
  return { pinned: isView(view) ? view : null, intervalMs: seconds * 1000 };
}

export interface RotationState {
  view: WallView;
  /** 0..1 of the current view's time on screen (0 when pinned) */
  progress: number;
  /** how long the current view stays on screen, in ms (one interval, or more when the views after it are skipped) */
  stayMs: number;
  /** the step (interval since the wall opened) the current view came on screen at: a new stay, a new tick */
  since: number;
}

/**
 * The view on screen `elapsedMs` after the wall opened. Each interval has its view, in WALL_VIEWS order; a
 * view in `skip` (rolling updates while none runs) is not turned to: the view before it stays on screen
 * through its interval instead. The map is never skipped. Views keep their intervals whether or not others
 * are skipped, so a view coming or going from `skip` (a rollout starting or ending) changes nothing on screen
 * but its own turn: when the cycle shrank instead, the view on screen jumped mid-interval.
 */
export function rotationAt(
  config: RotationConfig,
  elapsedMs: number,
  skip: ReadonlySet<WallView> = new Set(),
): RotationState {
  if (config.pinned) return { view: config.pinned, progress: 0, stayMs: config.intervalMs, since: 0 };
  const shown = (step: number) => {
    const v = WALL_VIEWS[step % WALL_VIEWS.length]!;
    return v === 'map' || !skip.has(v);
  };
  const elapsed = Math.max(0, elapsedMs);
  const step = Math.floor(elapsed / config.intervalMs);
  let since = step;
  while (!shown(since)) since--; // ends at a map's step at the latest
  let until = step + 1;
  while (!shown(until)) until++;
  const stayMs = (until - since) * config.intervalMs;
  return {
    view: WALL_VIEWS[since % WALL_VIEWS.length]!,
    progress: (elapsed - since * config.intervalMs) / stayMs,
    stayMs,
    since,
  };
}
