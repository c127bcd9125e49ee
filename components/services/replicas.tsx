/** "2/3" with a bar; fixed width so it never reflows as counts change. */
export function Replicas({ running, desired }: { running: number; desired: number }) {
  const pct = desired > 0 ? Math.min(100, (running / desired) * 100) : running > 0 ? 100 : 0;
  const tone = running >= desired ? 'ok' : running === 0 && desired > 0 ? 'bad' : 'warn';
  return (
    <span className="replicas" data-tone={tone} aria-label={`${running} of ${desired} replicas running`}>
      <span className="replicas-text num">
        {running}/{desired}
      </span>
      <span className="bar" aria-hidden="true">
        <span className="bar-fill" style={{ width: `${pct}%` }} />
      </span>
    </span>
  );
}
