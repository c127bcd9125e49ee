'use client';

import { useEffect, useSyncExternalStore } from 'react';
import { clusterStore } from '../realtime/client-store';
import { applyPost, EMPTY_ENGINE, type EngineState, type EngineToPage, type PageToEngine } from './engine-protocol';

/**
 * The wall's engine, started with the first wall on screen: a worker handed the page store's tasks
 * (holdTasksIn), whose posts are put together here into what the wall draws. It stops a moment after the
 * last wall leaves (not at once: a remount, as React's strict mode does, keeps it), and the store then asks
 * for the tasks again.
 */
class WallEngineClient {
  private state: EngineState = EMPTY_ENGINE;
  private listeners = new Set<() => void>();
  private worker: Worker | null = null;
  private release: (() => void) | null = null;
  private stopTimer: ReturnType<typeof setTimeout> | undefined;
  private topologyWanted = true;
  /** the engine starts with cards: a small cluster's first map is drawn with them, and a large one says not */
  private cardsWanted = true;

  getState = (): EngineState => this.state;

  subscribe = (listener: () => void): (() => void) => {
    this.listeners.add(listener);
    clearTimeout(this.stopTimer);
    if (!this.worker) this.start();
    return () => {
      this.listeners.delete(listener);
      if (this.listeners.size === 0) this.stopTimer = setTimeout(() => this.stop(), 1000);
    };
  };

  /** Whether the topology can come on screen (it is built once a second while it can). */
  wantTopology(wanted: boolean): void {
    if (wanted === this.topologyWanted) return;
    this.topologyWanted = wanted;
    this.send({ t: 'topology', wanted });
  }

  /** Whether the map draws cards or chips (each task's name and state), not heat cells. */
  wantCards(wanted: boolean): void {
    if (wanted === this.cardsWanted) return;
    this.cardsWanted = wanted;
    this.send({ t: 'cards', wanted });
  }

  private start(): void {
    const worker = startEngineWorker();
    this.worker = worker;
    worker.onmessage = (e: MessageEvent<EngineToPage>) => {
      this.state = applyPost(this.state, e.data);
      for (const l of this.listeners) l();
    };
    worker.onerror = (e) => console.error('wall engine:', e.message);
    this.send({ t: 'topology', wanted: this.topologyWanted });
    this.send({ t: 'cards', wanted: this.cardsWanted });
    this.release = clusterStore.holdTasksIn({
      snapshot: (s) => this.send({ t: 'snapshot', s }),
      changes: (f) => this.send({ t: 'changes', f }),
      narrow: (scope) => this.send({ t: 'narrow', scope }),
    });
  }

  private stop(): void {
    if (this.listeners.size) return;
    this.release?.();
    this.release = null;
    this.worker?.terminate();
    this.worker = null;
    this.state = EMPTY_ENGINE;
  }

  private send(msg: PageToEngine): void {
    this.worker?.postMessage(msg);
  }
}

/**
 * The bundler (Turbopack) makes the worker an entry of its own from this expression. It must stay a plain
 * function: inside a class method the same expression was taken for a file to copy, not a worker to build.
 */
function startEngineWorker(): Worker {
  return new Worker(new URL('./wall-engine.worker.ts', import.meta.url), { name: 'wall-engine' });
}

let client: WallEngineClient | null = null;

const engineClient = (): WallEngineClient => (client ??= new WallEngineClient());

/** What the wall draws from its engine; `topology`: whether the topology view can come on screen. */
export function useWallEngine(topology: boolean): EngineState {
  const c = engineClient();
  useEffect(() => c.wantTopology(topology), [c, topology]);
  return useSyncExternalStore(c.subscribe, c.getState, () => EMPTY_ENGINE);
}

/** Tell the engine whether the map draws cards or chips (it then sends each task's card) or heat cells. */
export function useWallEngineCards(wanted: boolean): void {
  const c = engineClient();
  useEffect(() => c.wantCards(wanted), [c, wanted]);
}
