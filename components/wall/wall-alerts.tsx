import { memo } from 'react';
import type { WallAlert } from './alert-model';

/** The strip across the wall that always says what needs attention, or that nothing does. */
export const WallAlerts = memo(function WallAlerts({
  alerts,
  loaded,
}: {
  alerts: readonly WallAlert[];
  loaded: boolean;
}) {
  return (
    <section className="wall-alerts" aria-label="Alerts" data-testid="wall-alerts" data-count={alerts.length}>
      {!loaded ? null : alerts.length === 0 ? (
        <span className="wall-alert" data-severity="ok">
          All clear
        </span>
      ) : (
        alerts.map((a) => (
          <span key={a.key} className="wall-alert" data-severity={a.severity} data-kind={a.kind}>
            {a.text}
          </span>
        ))
      )}
    </section>
  );
});
