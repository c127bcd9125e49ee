// The wall's engine in its own thread (the page starts it: use-wall-engine.ts).
// Frames come in as the page's store takes them; the map goes out at the
// wall's pace, the rollouts and the topology once a second.

import type { EngineToPage, PageToEngine } from './engine-protocol';
import { WALL_PACE_MS } from './paced-view';
import { WallEngine } from './wall-engine';

/** A tick of the rollouts and the topology: the wall's clock ticks once a second. */
const TICK_MS = 1000;

/** The worker's global scope, as much of it as this uses (the project's types are the page's, not a worker's). */
const scope = globalThis as unknown as {
  onmessage: ((e: MessageEvent<PageToEngine>) => void) | null;
  postMessage(msg: EngineToPage): void;
};

const engine = new WallEngine();
let lastMap = -Infinity;
let mapTimer: ReturnType<typeof setTimeout> | undefined;

const postMap = () => {
  mapTimer = undefined;
  lastMap = performance.now();
  if (engine.changed) scope.postMessage(engine.map());
};

scope.onmessage = (e) => {
  engine.receive(e.data);
  if (e.data.t === 'topology') {
    if (e.data.wanted) scope.postMessage(engine.tick(Date.now()));
    return;
  }
  // the first change after a quiet spell (a frame, or the map drawn another way) goes out at once, the ones
  // that follow wait for the pace
  mapTimer ??= setTimeout(postMap, Math.max(0, lastMap + WALL_PACE_MS - performance.now()));
};

setInterval(() => scope.postMessage(engine.tick(Date.now())), TICK_MS);
