'use client';

import Link from 'next/link';
import { useRouter } from 'next/navigation';
import { useState, type FormEvent } from 'react';
import { MAX_REPLICAS_SETTING, settingValue } from '@/server/api/cluster-settings';
import { createFormProblem, lines, type CreateServiceForm } from '@/server/api/console';
import { useCreateService } from '../api/actions';
import { NotAllowedPage } from '../session/not-allowed-page';
import { useMay } from '../session/session-provider';
import { useClusterLabels } from '../cluster/use-cluster-labels';
import { ServicePicks } from './create-service-picks';
import { MountRows, PortRows, mountEntries, portEntries, useMountRows, usePortRows } from './create-service-rows';
import { useTaskScope } from '../realtime/task-scope';

const str = (v: FormDataEntryValue | null): string => (typeof v === 'string' ? v : '');
const strs = (vs: FormDataEntryValue[]): string[] => vs.filter((v): v is string => typeof v === 'string');

/** The form's value as the console API takes it (numbers stay numbers, so the schema can name a bad one). */
const num = (v: FormDataEntryValue | null): number | undefined => {
  const s = typeof v === 'string' ? v.trim() : '';
  return s === '' ? undefined : Number(s);
};

/**
 * `docker service create` as a form. The browser checks it with the server's
 * own schema and the swarm's replica limit before sending, and shows the
 * server's refusal when it still says no.
 */
/** The create-service page: admins only. */
export function CreateServiceFormView() {
  useTaskScope([]); // the form draws no task
  return useMay('createService') ? (
    <CreateServiceFields />
  ) : (
    <NotAllowedPage action="createService" what="creating a service" />
  );
}

function CreateServiceFields() {
  const router = useRouter();
  const create = useCreateService();
  const labels = useClusterLabels();
  const limit = settingValue(MAX_REPLICAS_SETTING, labels);
  const [mode, setMode] = useState<'replicated' | 'global'>('replicated');
  const [problem, setProblem] = useState<string>();
  const ports = usePortRows();
  const mounts = useMountRows();
  const error = problem ?? create.error?.message;

  function submit(e: FormEvent<HTMLFormElement>) {
    e.preventDefault();
    const f = new FormData(e.currentTarget);
    const form: CreateServiceForm = {
      name: str(f.get('name')).trim(),
      image: str(f.get('image')).trim(),
      mode,
      replicas: mode === 'replicated' ? (num(f.get('replicas')) ?? 1) : undefined,
      entrypoint: str(f.get('entrypoint')).trim() || undefined,
      command: str(f.get('command')).trim() || undefined,
      env: lines(str(f.get('env'))),
      labels: lines(str(f.get('labels'))),
      ports: portEntries(ports.rows),
      networks: strs(f.getAll('networks')),
      mounts: mountEntries(mounts.rows),
      secrets: strs(f.getAll('secrets')),
      configs: strs(f.getAll('configs')),
      constraints: lines(str(f.get('constraints'))),
      reserveCpus: num(f.get('reserveCpus')),
      reserveMemoryMiB: num(f.get('reserveMemoryMiB')),
      restartCondition: (str(f.get('restartCondition')) || undefined) as CreateServiceForm['restartCondition'],
      restartDelaySeconds: num(f.get('restartDelaySeconds')),
      restartMaxAttempts: num(f.get('restartMaxAttempts')),
    };
    const refused = createFormProblem(form, labels);
    setProblem(refused);
    if (refused) return;
    create.mutate(form, { onSuccess: (r) => router.push(`/services/${r.ID}`) });
  }

  return (
    <div className="page">
      <div className="page-head">
        <h1>Create service</h1>
        <Link href="/services" className="btn btn-ghost">
          Cancel
        </Link>
      </div>
      <form className="card form" onSubmit={submit} aria-label="Create service">
        <fieldset className="form-grid">
          <legend>Service</legend>
          <label className="field">
            <span>Image</span>
            <input name="image" required placeholder="nginx:alpine" autoComplete="off" spellCheck={false} />
          </label>
          <label className="field">
            <span>Name</span>
            <input
              name="name"
              placeholder="web"
              autoComplete="off"
              spellCheck={false}
              pattern="[a-zA-Z0-9][a-zA-Z0-9_.\-]*"
            />
          </label>
          <div className="field" role="radiogroup" aria-label="Mode">
            <span>Mode</span>
            <div className="segmented">
              {(['replicated', 'global'] as const).map((m) => (
                <label key={m} className="seg-radio">
                  <input type="radio" name="mode" value={m} checked={mode === m} onChange={() => setMode(m)} />
                  <span>{m === 'replicated' ? 'Replicated' : 'Global'}</span>
                </label>
              ))}
            </div>
          </div>
          <label className="field">
            <span>
              Replicas <small className="muted">at most {limit.toLocaleString('en-US')}</small>
            </span>
            <input
              name="replicas"
              type="number"
              min={0}
              step={1}
              defaultValue={1}
              disabled={mode === 'global'}
              aria-invalid={problem?.includes('Replicas') || undefined}
            />
          </label>
          <label className="field wide">
            <span>
              Command and args <small className="muted">e.g. sh -c &quot;…&quot;</small>
            </span>
            <input name="command" placeholder="sleep 3600" autoComplete="off" spellCheck={false} className="mono" />
          </label>
          <label className="field">
            <span>
              Entrypoint <small className="muted">replaces the default</small>
            </span>
            <input name="entrypoint" placeholder="/bin/sh" autoComplete="off" spellCheck={false} className="mono" />
          </label>
        </fieldset>

        <details className="create-section" open>
          <summary>Ports</summary>
          <PortRows state={ports} />
        </details>

        <details className="create-section">
          <summary>Networks, secrets and configs</summary>
          <ServicePicks />
        </details>

        <details className="create-section">
          <summary>Mounts</summary>
          <MountRows state={mounts} />
        </details>

        <fieldset className="form-grid">
          <legend>Environment, labels and placement</legend>
          <label className="field wide">
            <span>
              Environment <small className="muted">one KEY=value per line</small>
            </span>
            <textarea name="env" rows={3} spellCheck={false} placeholder={'LOG_LEVEL=info'} />
          </label>
          <label className="field wide">
            <span>
              Labels <small className="muted">one key=value per line</small>
            </span>
            <textarea name="labels" rows={3} spellCheck={false} placeholder={'team=ops'} />
          </label>
          <label className="field wide">
            <span>
              Constraints <small className="muted">one per line</small>
            </span>
            <textarea name="constraints" rows={3} spellCheck={false} placeholder={'node.role==worker'} />
          </label>
        </fieldset>

        <fieldset className="form-grid">
          <legend>Resources and restart policy</legend>
          <label className="field">
            <span>
              CPU reservation <small className="muted">CPUs</small>
            </span>
            <input name="reserveCpus" type="number" min={0} step={0.05} placeholder="0.5" />
          </label>
          <label className="field">
            <span>
              Memory reservation <small className="muted">MiB</small>
            </span>
            <input name="reserveMemoryMiB" type="number" min={0} step={1} placeholder="128" />
          </label>
          <label className="field">
            <span>Restart condition</span>
            <select name="restartCondition" defaultValue="">
              <option value="">default (any)</option>
              <option value="any">any</option>
              <option value="on-failure">on-failure</option>
              <option value="none">none</option>
            </select>
          </label>
          <label className="field">
            <span>
              Restart delay <small className="muted">seconds</small>
            </span>
            <input name="restartDelaySeconds" type="number" min={0} step={0.1} placeholder="5" />
          </label>
          <label className="field">
            <span>
              Max attempts <small className="muted">0 = unlimited</small>
            </span>
            <input name="restartMaxAttempts" type="number" min={0} step={1} placeholder="0" />
          </label>
        </fieldset>

        <div className="form-actions">
          {error ? (
            <p className="form-error" role="alert">
              {error}
            </p>
          ) : null}
          <button type="submit" className="btn btn-primary" disabled={create.isPending}>
            {create.isPending ? 'Creating…' : 'Create service'}
          </button>
        </div>
      </form>
    </div>
  );
}
