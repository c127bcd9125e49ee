'use client';
// Where the wall's canvases are painted (paint-surfaces.ts): a worker the page hands each canvas to, or, in a
// browser that cannot hand a canvas over (no OffscreenCanvas), this thread with the same painter.
import { useCallback, useLayoutEffect, useRef, type RefObject } from 'react';
import { applyPaint, type PaintMessage, type Surfaces } from './paint-surfaces';

/** A message for one surface; the host adds which. */
export type SurfaceMessage = PaintMessage extends infer M ? (M extends { id: number } ? Omit<M, 'id'> : never) : never;

/**
 * The bundler (Turbopack) makes the worker an entry of its own from this expression; it must stay a plain
 * function (see use-wall-engine.ts).
 */
function startPaintWorker(): Worker {
  return new Worker(new URL('./paint.worker.ts', import.meta.url), { name: 'wall-painter' });
}

export class PaintHost {
  private worker: Worker | null = null;
  private readonly local: Surfaces = new Map();
  private readonly ids = new WeakMap<HTMLCanvasElement, number>();
  private readonly releasing = new Map<number, ReturnType<typeof setTimeout>>();
  private next = 1;

  /** The canvas's surface, handed over on its first attach (a canvas can be handed over only once). */
  attach(canvas: HTMLCanvasElement): number {
    const held = this.ids.get(canvas);
    if (held !== undefined) {
      // mounted again before its release came due (React's development remount): it is still the painter's
      clearTimeout(this.releasing.get(held));
      this.releasing.delete(held);
      return held;
    }
    const id = this.next++;
    this.ids.set(canvas, id);
    if (typeof canvas.transferControlToOffscreen === 'function' && typeof Worker === 'function') {
      const offscreen = canvas.transferControlToOffscreen();
      this.worker ??= startPaintWorker();
      this.worker.postMessage({ op: 'attach', id, canvas: offscreen } satisfies PaintMessage, [offscreen]);
    } else {
      applyPaint(this.local, { op: 'attach', id, canvas });
    }
    return id;
  }

  /** The canvas left the page: its surface goes after this turn, unless it is attached again first. */
  release(canvas: HTMLCanvasElement): void {
    const id = this.ids.get(canvas);
    if (id === undefined || this.releasing.has(id)) return;
    this.releasing.set(
      id,
      setTimeout(() => {
        this.releasing.delete(id);
        this.ids.delete(canvas);
        this.post({ op: 'detach', id });
      }, 0),
    );
  }

  post(msg: PaintMessage, transfer: Transferable[] = []): void {
    if (this.worker) this.worker.postMessage(msg, transfer);
    else applyPaint(this.local, msg);
  }
}

let host: PaintHost | null = null;

/**
 * The surface of the canvas in `canvas` (mounted with the component): a function that sends it a message.
 * Declare it before the effects that paint, so the canvas is attached when they run.
 */
export function usePaintSurface(
  canvas: RefObject<HTMLCanvasElement | null>,
): (msg: SurfaceMessage, transfer?: Transferable[]) => void {
  const id = useRef(0);
  useLayoutEffect(() => {
    const el = canvas.current;
    if (!el) return;
    host ??= new PaintHost();
    id.current = host.attach(el);
    return () => host?.release(el);
  }, [canvas]);
  return useCallback((msg, transfer) => {
    if (id.current) host?.post({ ...msg, id: id.current } as PaintMessage, transfer);
  }, []);
}
