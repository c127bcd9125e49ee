'use client';

import { useRouter } from 'next/navigation';
import { useState, type FormEvent } from 'react';
import { scaleProblem } from '@/server/api/console';
import type { Service } from '@/server/api/types';
import { useRemoveService, useScaleService } from '../api/actions';
import { useClusterLabels } from '../cluster/use-cluster-labels';
import { useMay } from '../session/session-provider';
import { UpdateForm } from '../updates/update-form';

function ErrorLine({ error }: { error: Error | string | null | undefined }) {
  return error ? (
    <p className="form-error" role="alert">
      {typeof error === 'string' ? error : error.message}
    </p>
  ) : null;
}

/** Scale and update (operators), remove (admins); nothing at all for a viewer. */
export function ServiceActions({ service }: { service: Service }) {
  const canScale = useMay('scale');
  const canUpdate = useMay('update');
  const canRemove = useMay('removeService');
  const replicated = !!service.Spec.Mode.Replicated;
  if (!(canScale && replicated) && !canUpdate && !canRemove) return null;
  return (
    <section className="card actions" aria-label="Service actions">
      {canScale && replicated ? <ScaleForm service={service} /> : null}
      {canUpdate ? <UpdateForm service={service} /> : null}
      {canRemove ? <RemoveService service={service} /> : null}
    </section>
  );
}

function ScaleForm({ service }: { service: Service }) {
  const scale = useScaleService(service.ID);
  const labels = useClusterLabels();
  const [scaleRefused, setScaleRefused] = useState<string>();

  const onScale = (e: FormEvent<HTMLFormElement>) => {
    e.preventDefault();
    const v = Number(new FormData(e.currentTarget).get('replicas'));
    // the server's own check (the swarm's replica limit) before sending
    const refused = scaleProblem(v, labels);
    setScaleRefused(refused);
    if (!refused) scale.mutate(v);
  };

  return (
    <form className="action" onSubmit={onScale}>
      <label className="field inline">
        <span>Replicas</span>
        <input
          name="replicas"
          type="number"
          min={0}
          step={1}
          required
          key={service.Spec.Mode.Replicated?.Replicas}
          defaultValue={service.Spec.Mode.Replicated?.Replicas ?? 1}
        />
      </label>
      <button type="submit" className="btn" disabled={scale.isPending}>
        Scale
      </button>
      <ErrorLine error={scaleRefused ?? scale.error} />
    </form>
  );
}

function RemoveService({ service }: { service: Service }) {
  const router = useRouter();
  const remove = useRemoveService(service.ID);
  const [confirming, setConfirming] = useState(false);
  const name = service.Spec.Name;
  return (
    <div className="action action-remove">
      {confirming ? (
        <>
          <span className="confirm-text">Remove {name} and all its tasks?</span>
          <button
            type="button"
            className="btn btn-danger"
            disabled={remove.isPending}
            // the socket may deliver the delete (and unmount this) before the response:
            // mutateAsync still resolves, where per-call callbacks would be dropped
            onClick={() =>
              remove.mutateAsync().then(
                () => router.push('/services'),
                () => undefined,
              )
            }
          >
            Remove {name}
          </button>
          <button type="button" className="btn btn-ghost" onClick={() => setConfirming(false)}>
            Cancel
          </button>
        </>
      ) : (
        <button type="button" className="btn btn-danger-outline" onClick={() => setConfirming(true)}>
          Remove…
        </button>
      )}
      <ErrorLine error={remove.error} />
    </div>
  );
}
