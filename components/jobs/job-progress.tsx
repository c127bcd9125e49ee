import { memo } from 'react';
import type { Service, Task } from '@/server/api/types';
import { Age } from '../ui/age';
import { CountOf, ShareBar } from '../ui/share-bar';
import { densityFor } from '../updates/rollout-strip';
import { JOB_CELL_STATES, jobProgress, type JobCell, type JobCellState, type JobProgress } from './job-progress-model';

/** Shape and glyph carry the state as well as colour. */
export const JOB_CELL_TEXT: Record<JobCellState, { name: string; glyph: string }> = {
  waiting: { name: 'waiting', glyph: '' },
  starting: { name: 'starting', glyph: '↑' },
  running: { name: 'running', glyph: '▶' },
  retrying: { name: 'retrying', glyph: '↻' },
  complete: { name: 'completed', glyph: '✓' },
  'given-up': { name: 'gave up', glyph: '✕' },
};

const PHASE_TEXT: Record<JobProgress['phase'], { title: string; tone: 'ok' | 'info' | 'warn' | 'bad' }> = {
  waiting: { title: 'Job waiting for tasks', tone: 'info' },
  running: { title: 'Job running', tone: 'info' },
  complete: { title: 'Job complete', tone: 'ok' },
  stopped: { title: 'Job stopped: attempts used up', tone: 'bad' },
};

function cellTitle(c: JobCell, kind: JobProgress['kind']): string {
  const parts = [`${kind === 'replicated' ? 'Slot' : 'Node'} ${c.label}: ${JOB_CELL_TEXT[c.state].name}`];
  if (c.attempts > 1) parts.push(`${c.attempts} attempts`);
  if (c.taskState && c.state !== 'complete') parts.push(`task ${c.taskState}`);
  if (c.err) parts.push(c.err);
  return parts.join(' · ');
}

const Cell = memo(function Cell({
  cell,
  kind,
  showLabel,
}: {
  cell: JobCell;
  kind: JobProgress['kind'];
  showLabel: boolean;
}) {
  const title = cellTitle(cell, kind);
  return (
    <li
      className="slot-cell job-cell"
      data-job-state={cell.state}
      data-slot={cell.key}
      title={title}
      aria-label={title}
    >
      {showLabel ? <span className="slot-cell-label num">{cell.label}</span> : null}
      <span className="slot-cell-glyph" aria-hidden="true">
        {JOB_CELL_TEXT[cell.state].glyph}
      </span>
    </li>
  );
});

function Meter({
  label,
  value,
  tone,
  testid,
}: {
  label: string;
  value: string;
  tone?: 'warn' | 'bad';
  testid: string;
}) {
  return (
    <div className="rollout-meter" data-tone={tone}>
      <span className="meter-label">{label}</span>
      <span className="meter-value num" data-testid={testid}>
        {value}
      </span>
    </div>
  );
}

/** The service page's job view: where the current iteration stands, place by place. */
export function JobProgressPanel({
  service,
  tasks,
  host,
}: {
  service: Service;
  tasks: readonly Task[];
  host: (nodeID: string) => string;
}) {
  const p = jobProgress(service, tasks, host);
  const phase = PHASE_TEXT[p.phase];
  const density = densityFor(p.cells.length);
  const counts = Object.fromEntries(JOB_CELL_STATES.map((s) => [s, p.cells.filter((c) => c.state === s).length]));
  const pct = p.total > 0 ? p.completed / p.total : 0;
  return (
    <section className="rollout-panel job-panel card" data-tone={phase.tone} aria-label="Job progress">
      <div className="rollout-head">
        <h2 className="rollout-title">{phase.title}</h2>
        <span className="rollout-count num" data-testid="job-completed">
          <strong>{p.completed}</strong> of {p.total} completed
        </span>
        <span className="rollout-images">
          iteration <span className="num">#{p.iteration}</span>
          {p.startedAt ? <Age at={service.JobStatus?.LastExecution} prefix=" · started " /> : null}
        </span>
      </div>
      <div className="rollout-overall" aria-hidden="true">
        <span style={{ transform: `scaleX(${pct})` }} />
      </div>
      <div className="rollout-meters">
        <Meter
          label="Running now"
          value={p.kind === 'replicated' ? `${p.running} of ${p.concurrency}` : String(p.running)}
          testid="job-running"
        />
        <Meter label="Iteration" value={`#${p.iteration}`} testid="job-iteration" />
        <Meter
          label="Failed attempts"
          value={String(p.failedAttempts)}
          tone={p.failedAttempts > 0 ? 'warn' : undefined}
          testid="job-failed"
        />
        <Meter
          label="Gave up"
          value={`${p.givenUp} ${p.kind === 'replicated' ? 'slot' : 'node'}${p.givenUp === 1 ? '' : 's'}`}
          tone={p.givenUp > 0 ? 'bad' : undefined}
          testid="job-given-up"
        />
      </div>
      {p.cells.length > 0 ? (
        <ol
          className="rollout-strip job-strip"
          data-kind={p.kind}
          data-density={density}
          aria-label={p.kind === 'replicated' ? 'Job slots' : 'Job nodes'}
        >
          {p.cells.map((c) => (
            <Cell key={c.key} cell={c} kind={p.kind} showLabel={density === 'xl' || density === 'l'} />
          ))}
        </ol>
      ) : null}
      <ul className="strip-legend" aria-label="Job states">
        {JOB_CELL_STATES.map((s) => (
          <li key={s} data-empty={counts[s] === 0 || undefined}>
            <span className="slot-cell job-cell legend-swatch" data-job-state={s} aria-hidden="true">
              <span className="slot-cell-glyph">{JOB_CELL_TEXT[s].glyph}</span>
            </span>
            <span className="legend-name">{JOB_CELL_TEXT[s].name}</span>
            <span className="legend-count num">{counts[s]}</span>
          </li>
        ))}
      </ul>
      {p.earlierTasks > 0 ? (
        <p className="muted job-history-note">
          {p.earlierTasks} task{p.earlierTasks === 1 ? '' : 's'} of earlier iterations kept as history (below).
        </p>
      ) : null}
    </section>
  );
}

/**
 * The services list's REPLICAS cell for a job: completed of total with a bar, and a line with
 * the iteration, what runs now and the failed attempts.
 */
export function JobReplicas({ service, tasks }: { service: Service; tasks: readonly Task[] }) {
  const p = jobProgress(service, tasks);
  const tone = p.phase === 'stopped' ? 'bad' : p.failedAttempts > 0 ? 'warn' : 'ok';
  const label =
    `${p.completed} of ${p.total} completed, iteration ${p.iteration}, ${p.running} running, ` +
    `${p.failedAttempts} failed attempt${p.failedAttempts === 1 ? '' : 's'}`;
  return (
    <span className="job-replicas" data-tone={tone} data-phase={p.phase} aria-label={label} title={label}>
      <span className="replicas" data-tone={tone}>
        <CountOf n={p.completed} of={p.total} />
        <ShareBar share={p.total > 0 ? p.completed / p.total : 0} />
      </span>
      <span className="job-replicas-line num">
        #{p.iteration} · {p.phase === 'complete' ? 'done' : p.phase === 'stopped' ? 'stopped' : `${p.running} running`}
        {p.failedAttempts > 0 ? <span className="job-failed"> · {p.failedAttempts} failed</span> : null}
      </span>
    </span>
  );
}
