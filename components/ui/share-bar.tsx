/** A share drawn as a thin bar. The fill scales on the compositor: a width transition laid out and
 * painted every console's table at 60 fps for 200 ms after each counts frame. */
export function ShareBar({ share }: { share: number }) {
  const f = Math.max(0, Math.min(1, share));
  return (
    <span className="bar" aria-hidden="true">
      <span className="bar-fill" style={{ transform: `scaleX(${f})` }} />
    </span>
  );
}

/** "running/desired" in a box as wide as "desired/desired", so the bar beside it stays put as counts grow. */
export function CountOf({ n, of }: { n: number; of: number }) {
  return (
    <span className="replicas-text num" style={{ minWidth: `max(4.5ch, ${String(of).length * 2 + 1}ch)` }}>
      {n}/{of}
    </span>
  );
}
