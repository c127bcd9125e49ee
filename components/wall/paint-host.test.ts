import { afterEach, describe, expect, it, vi } from 'vitest';
import { stripCode, stripGeometry } from '../updates/strip-paint';
import { PaintHost } from './paint-host';

/** A canvas element as a browser without OffscreenCanvas has it: no transferControlToOffscreen. */
function plainCanvas() {
  const calls: string[] = [];
  const ctx = new Proxy({} as Record<string, unknown>, {
    get: (target, op: string) => (op in target ? target[op] : () => void calls.push(op)),
    set: (target, op: string, v) => ((target[op] = v), true),
  });
  return { canvas: { width: 0, height: 0, getContext: () => ctx } as unknown as HTMLCanvasElement, calls };
}

const picture = () => {
  const geo = stripGeometry(2, 70, 10, 2);
  const colors = {
    surface: '',
    surface2: '',
    border: '',
    ok: '',
    info: '',
    infoSoft: '',
    warn: '',
    warnSoft: '',
    bad: '',
    accent: '',
  };
  return {
    width: 70,
    height: geo.height,
    dpr: 1,
    geo,
    colors,
    codes: Uint8Array.of(stripCode({ state: 'old', monitoring: false }), 0),
  };
};

describe('the paint host without OffscreenCanvas', () => {
  afterEach(() => vi.useRealTimers());

  it('paints on this thread with the same painter', () => {
    const host = new PaintHost();
    const { canvas, calls } = plainCanvas();
    const id = host.attach(canvas);
    host.post({ op: 'strip', id, picture: picture() });
    expect(canvas.width).toBe(70);
    expect(calls.filter((c) => c === 'clearRect')).toHaveLength(2);
  });

  it('keeps a canvas mounted again in the same turn (a development remount), and lets it go after', () => {
    vi.useFakeTimers();
    const host = new PaintHost();
    const { canvas, calls } = plainCanvas();
    const id = host.attach(canvas);
    host.release(canvas);
    expect(host.attach(canvas)).toBe(id);
    vi.runAllTimers();
    host.post({ op: 'strip', id, picture: picture() });
    expect(calls).not.toHaveLength(0);
    // released for good: what comes for it afterwards paints nothing, and the canvas would be a new surface
    host.release(canvas);
    vi.runAllTimers();
    calls.length = 0;
    host.post({ op: 'strip', id, picture: picture() });
    expect(calls).toEqual([]);
    expect(host.attach(canvas)).not.toBe(id);
  });
});
