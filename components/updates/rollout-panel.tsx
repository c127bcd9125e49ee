'use client';

import { useMemo, useState } from 'react';
import type { Service, Task, UpdateEvent } from '@/server/api/types';
import { UpdateStateBadge } from '../services/update-state';
import { useMay } from '../session/session-provider';
import { useNow } from '../time/now';
import { ProgressMemo, progressModel, type Countdown, type ProgressModel } from './progress-model';
import { RolloutStrip, StripLegend } from './rollout-strip';
import { useRolloutAction, type RolloutAction } from './use-versions';
import { formatDuration } from './versions';

const secs = (ns: number) => `${+(ns / 1e9).toFixed(3)}s`;

function Meter({
  label,
  value,
  countdown,
  tone,
}: {
  label: string;
  value: string;
  countdown?: Countdown;
  tone?: string;
}) {
  const frac = countdown ? Math.min(1, Math.max(0, countdown.remainingMs / countdown.totalMs)) : 0;
  return (
    <div className="rollout-meter" data-tone={tone}>
      <span className="meter-label">{label}</span>
      <span className="meter-value num">{value}</span>
      <span className="meter-bar" aria-hidden="true">
        <span className="meter-fill" style={{ transform: `scaleX(${frac})` }} />
      </span>
    </div>
  );
}

function Timeline({ events, startedAt, open }: { events: readonly UpdateEvent[]; startedAt?: number; open: boolean }) {
  const [all, setAll] = useState(false);
  const shown = all ? [...events].reverse() : events.slice(-40).reverse();
  const offset = (at: string) => {
    const t = Date.parse(at);
    if (startedAt === undefined || Number.isNaN(t)) return '';
    const s = Math.max(0, Math.round((t - startedAt) / 1000));
    return `+${Math.floor(s / 60)}:${String(s % 60).padStart(2, '0')}`;
  };
  return (
    <details className="rollout-timeline" open={open}>
      <summary>
        Timeline <span className="muted num">{events.length} events</span>
      </summary>
      {events.length === 0 ? (
        <p className="muted">No rollout events recorded for this version.</p>
      ) : (
        <ol aria-label="Rollout events, newest first" className="scroll-region" tabIndex={0}>
          {shown.map((e, i) => (
            <li key={`${e.At}-${i}`} data-kind={e.Kind}>
              <time className="num muted" dateTime={e.At} title={e.At}>
                {offset(e.At)}
              </time>
              <span className="event-kind">{e.Kind}</span>
              <span className="event-slot num">{e.Slot !== undefined ? `slot ${e.Slot}` : ''}</span>
              <span className="event-msg">
                {e.Message}
                {e.TaskID ? <span className="mono muted"> {e.TaskID.slice(0, 12)}</span> : null}
              </span>
            </li>
          ))}
        </ol>
      )}
      {!all && events.length > 40 ? (
        <button type="button" className="btn btn-ghost" onClick={() => setAll(true)}>
          Show all {events.length}
        </button>
      ) : null}
    </details>
  );
}

function Actions({ service, model }: { service: Service; model: ProgressModel }) {
  const action = useRolloutAction(service.ID);
  const [confirmRollback, setConfirmRollback] = useState(false);
  const paused = model.phase === 'paused' || model.phase === 'rollback-paused';
  const canRollback = !!service.PreviousSpec && model.phase !== 'rolling-back';
  const run = (op: RolloutAction) => {
    setConfirmRollback(false);
    action.mutate(op);
  };
  const prevImage = service.PreviousSpec?.TaskTemplate.ContainerSpec.Image;
  return (
    <div className="rollout-actions">
      {paused ? (
        <>
          <button
            type="button"
            className="btn btn-primary"
            disabled={action.isPending}
            onClick={() => run('resume')}
            title="Re-apply the unchanged spec: the update carries on, still pausing on the next failure"
          >
            Resume
          </button>
          <button
            type="button"
            className="btn"
            disabled={action.isPending}
            onClick={() => run('force-continue')}
            title="Resume with failure action 'continue': the rest of this rollout ignores failed tasks. The service keeps that setting until you change it in the update form."
          >
            Force continue
          </button>
        </>
      ) : null}
      {canRollback ? (
        confirmRollback ? (
          <span className="confirm">
            <span className="confirm-text">
              {model.rollingBack ? 'Roll forward again to' : 'Roll back to'} <span className="mono">{prevImage}</span>?
            </span>
            <button
              type="button"
              className="btn btn-danger"
              disabled={action.isPending}
              onClick={() => run('rollback')}
            >
              Confirm roll back
            </button>
            <button type="button" className="btn btn-ghost" onClick={() => setConfirmRollback(false)}>
              Cancel
            </button>
          </span>
        ) : (
          <button
            type="button"
            className={paused ? 'btn btn-danger-outline' : 'btn'}
            onClick={() => setConfirmRollback(true)}
            title="docker service rollback: back to the previous spec, with the rollback config"
          >
            Roll back
          </button>
        )
      ) : null}
      {action.error ? (
        <p className="form-error" role="alert">
          {action.error.message}
        </p>
      ) : null}
    </div>
  );
}

/**
 * A rolling update, slot by slot, live: the strip, "N of M", the current
 * batch, the delay and monitor countdowns, failures against the threshold,
 * the status message in full, and what to do when it paused.
 */
export function RolloutPanel({
  service,
  tasks,
  events,
  host,
  prominent,
}: {
  service: Service;
  tasks: readonly Task[];
  events: readonly UpdateEvent[];
  host: (nodeID: string) => string;
  prominent: boolean;
}) {
  // resume, force continue and roll back: operators and admins
  const canAct = useMay('rollback');
  const now = useNow();
  // slots whose tasks did not change are not worked out again on the clock's tick
  const [memo] = useState(() => new ProgressMemo());
  const m = useMemo(
    () => progressModel(service, tasks, events, now || Date.now(), host, memo),
    [service, tasks, events, now, host, memo],
  );
  const paused = m.phase === 'paused' || m.phase === 'rollback-paused';
  const verb = m.phase === 'idle' ? 'on the current spec' : m.rollingBack ? 'rolled back' : 'updated';
  const idle = m.phase === 'idle';
  const image = service.Spec.TaskTemplate.ContainerSpec.Image;
  const prevImage = service.PreviousSpec?.TaskTemplate.ContainerSpec.Image;
  const c = m.config;
  const tone = paused
    ? 'bad'
    : m.active
      ? 'info'
      : m.phase === 'completed'
        ? 'ok'
        : m.phase === 'idle'
          ? 'neutral'
          : 'warn';
  const fail = m.failures;
  const batch = m.inFlight.map((x) => x.label);
  return (
    <section
      className="card rollout-panel"
      data-prominent={prominent || undefined}
      data-phase={m.phase}
      data-tone={tone}
      aria-label="Update status"
    >
      <div className="rollout-head">
        <h2 className="rollout-title">{m.rollingBack ? 'Rollback' : 'Rolling update'}</h2>
        {service.UpdateStatus ? (
          <UpdateStateBadge status={service.UpdateStatus} />
        ) : (
          <span className="muted">no update has run</span>
        )}
        <span className="rollout-count num" data-testid="rollout-count">
          {/* as wide as the total from the start: the line does not shift as the count grows */}
          <strong className="rollout-done" style={{ minWidth: `${String(m.total).length}ch` }}>
            {m.done}
          </strong>{' '}
          of <strong>{m.total}</strong> {verb}
        </span>
        {m.elapsedMs !== undefined ? (
          <span className="muted num rollout-elapsed">
            {m.completedAt ? 'took' : m.pausedAt ? 'paused after' : paused ? 'started' : 'running for'}{' '}
            {formatDuration(m.elapsedMs)}
            {paused && !m.pausedAt ? ' ago' : ''}
          </span>
        ) : null}
        {prevImage && prevImage !== image ? (
          <span className="rollout-images mono ellipsis" title={`${prevImage} → ${image}`}>
            {prevImage} → {image}
          </span>
        ) : null}
      </div>
      <div className="rollout-overall" aria-hidden="true">
        <span style={{ transform: `scaleX(${m.total ? m.done / m.total : 0})` }} />
      </div>
      {idle ? null : (
        <>
          <div className="rollout-meters">
            <Meter
              label="In flight"
              value={
                batch.length
                  ? `slot${batch.length > 1 ? 's' : ''} ${batch.slice(0, 8).join(', ')}${batch.length > 8 ? ` +${batch.length - 8}` : ''}`
                  : '—'
              }
            />
            <Meter
              label="Next slot in"
              value={m.delay ? `${Math.ceil(m.delay.remainingMs / 1000)}s` : c.Delay ? '—' : 'no delay'}
              countdown={m.delay}
            />
            <Meter
              label="Monitor window"
              value={m.monitor ? `${Math.ceil(m.monitor.remainingMs / 1000)}s left` : secs(c.Monitor)}
              countdown={m.monitor}
            />
            <Meter
              label="Failures"
              tone={fail.exceeded ? 'bad' : fail.count ? 'warn' : undefined}
              value={
                fail.watched
                  ? `${fail.count} · allowed ${fail.allowed} of ${fail.dirty}`
                  : `${fail.count} · not watched`
              }
            />
          </div>
          <p className="rollout-config muted">
            parallelism <span className="num">{c.Parallelism === 0 ? 'all' : c.Parallelism}</span> · delay{' '}
            <span className="num">{secs(c.Delay)}</span> · monitor <span className="num">{secs(c.Monitor)}</span> · on
            failure <strong>{c.FailureAction}</strong> · max failure ratio{' '}
            <span className="num">{c.MaxFailureRatio}</span> · {c.Order}
            {m.rollingBack ? ' (rollback config)' : ''}
          </p>
        </>
      )}
      <RolloutStrip cells={m.cells} rollingBack={m.rollingBack} label={`Slots ${verb} so far`} />
      <StripLegend counts={m.counts} />
      <p className="rollout-message" data-testid="update-message">
        {m.message || '\u00a0'}
      </p>
      {paused ? (
        <div className="rollout-blocker" role="alert">
          <strong>{m.phase === 'paused' ? 'Update paused' : 'Rollback paused'}</strong>
          {m.blocker ? (
            <>
              {' '}
              at slot <strong className="num">{m.blocker.label ?? '?'}</strong>
              {m.blocker.nodeID ? <> on {host(m.blocker.nodeID)}</> : null}: task{' '}
              <span className="mono">{m.blocker.taskID.slice(0, 12)}</span> {m.blocker.state ?? 'failed'}
              {m.blocker.err ? (
                <>
                  {' — '}
                  <span className="mono">{m.blocker.err}</span>
                </>
              ) : null}
            </>
          ) : null}
        </div>
      ) : null}
      {canAct ? <Actions service={service} model={m} /> : null}
      {idle ? null : <Timeline events={events} startedAt={m.startedAt} open={prominent} />}
    </section>
  );
}
