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
}

/**
 * The view on screen `elapsedMs` after the wall opened. `skip` views are left
 * out of the turn (rolling updates while none runs); the map is never skipped.
 */
export function rotationAt(
  config: RotationConfig,
  elapsedMs: number,
  skip: ReadonlySet<WallView> = new Set(),
): RotationState {
  if (config.pinned) return { view: config.pinned, progress: 0 };
  const turn = WALL_VIEWS.filter((v) => v === 'map' || !skip.has(v));
  const step = Math.floor(Math.max(0, elapsedMs) / config.intervalMs);
  return {
    view: turn[step % turn.length]!,
    progress: (Math.max(0, elapsedMs) % config.intervalMs) / config.intervalMs,
  };
}
