'use client';

import { useState, type FormEvent } from 'react';
import { MAX_REPLICAS_SETTING, SPEC_HISTORY_SETTING, settingValue } from '@/server/api/cluster-settings';
import { SwarmError } from '@/server/api/errors';
import { parseConsoleBody, swarmSettingsBodySchema } from '@/server/api/schemas/console-bodies';
import { useSaveSwarmSettings } from '../api/actions';
import { useClusterLabels } from '../cluster/use-cluster-labels';

const num = (v: FormDataEntryValue | null): number | undefined => {
  const s = typeof v === 'string' ? v.trim() : '';
  return s === '' ? undefined : Number(s);
};

/** Swarmdeck's cluster settings (cluster labels, so every manager reads the same): the limits a new service meets. */
export function SwarmSettings() {
  const labels = useClusterLabels();
  const save = useSaveSwarmSettings();
  const [problem, setProblem] = useState<string>();
  const maxReplicas = settingValue(MAX_REPLICAS_SETTING, labels);
  const history = settingValue(SPEC_HISTORY_SETTING, labels);

  function submit(e: FormEvent<HTMLFormElement>) {
    e.preventDefault();
    const f = new FormData(e.currentTarget);
    try {
      const body = parseConsoleBody(swarmSettingsBodySchema, {
        maxReplicas: num(f.get('maxReplicas')),
        specHistoryLimit: num(f.get('specHistoryLimit')),
      });
      setProblem(undefined);
      save.mutate(body);
    } catch (err) {
      if (!(err instanceof SwarmError)) throw err;
      setProblem(err.message);
    }
  }

  const error = problem ?? save.error?.message;
  return (
    <form className="card form settings" onSubmit={submit} aria-label="Swarm settings">
      <div className="form-grid">
        <label className="field">
          <span>
            Max replicas per service{' '}
            <small className="muted">
              {MAX_REPLICAS_SETTING.min}–{MAX_REPLICAS_SETTING.max.toLocaleString('en-US')}
            </small>
          </span>
          <input
            name="maxReplicas"
            type="number"
            step={1}
            key={`r${maxReplicas}`}
            defaultValue={labels ? maxReplicas : undefined}
          />
        </label>
        <label className="field">
          <span>
            Spec versions kept{' '}
            <small className="muted">
              {SPEC_HISTORY_SETTING.min}–{SPEC_HISTORY_SETTING.max}
            </small>
          </span>
          <input
            name="specHistoryLimit"
            type="number"
            step={1}
            key={`h${history}`}
            defaultValue={labels ? history : undefined}
          />
        </label>
      </div>
      <div className="form-actions">
        {error ? (
          <p className="form-error" role="alert">
            {error}
          </p>
        ) : null}
        <small className="muted">
          Cluster labels {MAX_REPLICAS_SETTING.label}, {SPEC_HISTORY_SETTING.label}
        </small>
        <button type="submit" className="btn" disabled={save.isPending || !labels}>
          {save.isPending ? 'Saving…' : 'Save settings'}
        </button>
      </div>
    </form>
  );
}
