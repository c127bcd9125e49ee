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

/** The width of "of/of" in tabular digits: a "n/of" count in a box this wide never moves what follows it. */
export const countWidth = (of: number): string => `${String(of).length * 2 + 1}ch`;

/** "running/desired" in a box as wide as "desired/desired", so the bar beside it stays put as counts grow. */
export function CountOf({ n, of }: { n: number; of: number }) {
  return (
    <span className="replicas-text num" style={{ minWidth: `max(4.5ch, ${countWidth(of)})` }}>
      {n}/{of}
    </span>
  );
}
