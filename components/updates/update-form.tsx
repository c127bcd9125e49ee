'use client';

import type { FormEvent } from 'react';
import type { UpdateServiceForm } from '@/server/api/console';
import type { Service } from '@/server/api/types';
import { effectiveConfig } from './progress-model';
import { useStartUpdate } from './use-versions';
import { isJobService } from '../jobs/job-progress-model';

const num = (fd: FormData, name: string): number | undefined => {
  const raw = String(fd.get(name) ?? '').trim();
  return raw === '' ? undefined : Number(raw);
};

/**
 * Start an update from the console: `docker service update --image … --update-parallelism
 * --update-delay --update-failure-action --update-monitor --update-max-failure-ratio --update-order [--force]`.
 */
export function UpdateForm({ service }: { service: Service }) {
  const start = useStartUpdate(service.ID);
  const cfg = effectiveConfig({ ...service, UpdateStatus: undefined });
  const image = service.Spec.TaskTemplate.ContainerSpec.Image;
  // reset the fields to what the service has whenever its spec changes (not on every status stamp)
  const key = String(service.SpecVersion.Index);

  // a job has no rollout settings: an update runs it again (a new iteration), --force with the same spec
  const job = isJobService(service);
  const onSubmit = (e: FormEvent<HTMLFormElement>) => {
    e.preventDefault();
    const fd = new FormData(e.currentTarget);
    const runAgain = (e.nativeEvent as SubmitEvent).submitter?.getAttribute('value') === 'run-again';
    if (job) {
      start.mutate({ image: String(fd.get('image') ?? '').trim(), force: runAgain });
      return;
    }
    const form: UpdateServiceForm = {
      image: String(fd.get('image') ?? '').trim(),
      parallelism: num(fd, 'parallelism'),
      delaySeconds: num(fd, 'delay'),
      monitorSeconds: num(fd, 'monitor'),
      maxFailureRatio: num(fd, 'ratio'),
      failureAction: String(fd.get('failureAction')) as UpdateServiceForm['failureAction'],
      order: String(fd.get('order')) as UpdateServiceForm['order'],
      force: fd.get('force') === 'on',
    };
    start.mutate(form);
  };

  return (
    <form className="action update-form" onSubmit={onSubmit} key={key} aria-label="Start an update">
      <label className="field inline grow">
        <span>Image</span>
        <input name="image" required spellCheck={false} autoComplete="off" defaultValue={image} />
      </label>
      <button type="submit" className="btn btn-primary" disabled={start.isPending}>
        Update image
      </button>
      {job ? (
        <button type="submit" name="action" value="run-again" className="btn" disabled={start.isPending}>
          Run again
        </button>
      ) : null}
      <details className="rollout-settings" hidden={job}>
        <summary>
          Rollout settings{' '}
          <span className="muted num">
            parallelism {cfg.Parallelism} · delay {cfg.Delay / 1e9}s · on failure {cfg.FailureAction}
          </span>
        </summary>
        <div className="rollout-settings-grid">
          <label className="field">
            <span>Parallelism</span>
            <input name="parallelism" type="number" min={0} step={1} defaultValue={cfg.Parallelism} />
          </label>
          <label className="field">
            <span>Delay (s)</span>
            <input name="delay" type="number" min={0} step="any" defaultValue={cfg.Delay / 1e9} />
          </label>
          <label className="field">
            <span>Monitor (s)</span>
            <input name="monitor" type="number" min={0} step="any" defaultValue={cfg.Monitor / 1e9} />
          </label>
          <label className="field">
            <span>Max failure ratio</span>
            <input name="ratio" type="number" min={0} max={1} step="any" defaultValue={cfg.MaxFailureRatio} />
          </label>
          <label className="field">
            <span>On failure</span>
            <select name="failureAction" defaultValue={cfg.FailureAction}>
              <option value="pause">pause</option>
              <option value="continue">continue</option>
              <option value="rollback">rollback</option>
            </select>
          </label>
          <label className="field">
            <span>Order</span>
            <select name="order" defaultValue={cfg.Order}>
              <option value="stop-first">stop-first</option>
              <option value="start-first">start-first</option>
            </select>
          </label>
          <label className="switch">
            <input name="force" type="checkbox" />
            <span>Replace every task (--force)</span>
          </label>
        </div>
      </details>
      {start.error ? (
        <p className="form-error" role="alert">
          {start.error.message}
        </p>
      ) : null}
    </form>
  );
}
