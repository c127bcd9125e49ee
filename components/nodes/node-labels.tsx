'use client';

import { useState, type FormEvent } from 'react';
import { parseLabel } from '@/server/api/console';
import type { Node } from '@/server/api/types';
import { useAddNodeLabel, useRemoveNodeLabel } from '../api/actions';
import { useMay } from '../session/session-provider';
import { actionErrorText, labelText, sortedLabels } from './node-view';

/**
 * Node labels (Spec.Labels, what placement constraints `node.labels.*` match):
 * `docker node update --label-add / --label-rm` as chips and a one-line form.
 */
export function NodeLabels({ node, name }: { node: Node; name: string }) {
  const labels = sortedLabels(node.Spec.Labels);
  return useMay('nodeLabels') ? (
    <EditNodeLabels node={node} name={name} />
  ) : (
    <section className="card node-section" aria-labelledby="node-labels-h">
      <div className="node-section-head">
        <h2 id="node-labels-h">Node labels</h2>
        <span className="muted section-hint">
          matched by <span className="mono">node.labels.*</span> constraints
        </span>
      </div>
      <ul className="labels" aria-label={`Labels of ${name}`}>
        {labels.length === 0 ? <li className="muted label-none">no labels</li> : null}
        {labels.map(([k, v]) => (
          <li key={k} className="label-chip mono" data-label={k}>
            {labelText(k, v)}
          </li>
        ))}
      </ul>
    </section>
  );
}

function EditNodeLabels({ node, name }: { node: Node; name: string }) {
  const add = useAddNodeLabel(node.ID);
  const remove = useRemoveNodeLabel(node.ID);
  const [text, setText] = useState('');
  const [invalid, setInvalid] = useState<string | null>(null);
  const labels = sortedLabels(node.Spec.Labels);

  const submit = (e: FormEvent<HTMLFormElement>) => {
    e.preventDefault();
    let label;
    try {
      label = parseLabel(text);
    } catch (err) {
      setInvalid(err instanceof Error ? err.message : String(err));
      return;
    }
    setInvalid(null);
    remove.reset();
    add.mutate(label, { onSuccess: () => setText('') });
  };
  const error = invalid ?? (add.error ? actionErrorText(add.error.message) : null);

  return (
    <section className="card node-section" aria-labelledby="node-labels-h">
      <div className="node-section-head">
        <h2 id="node-labels-h">Node labels</h2>
        <span className="muted section-hint">
          matched by <span className="mono">node.labels.*</span> constraints
        </span>
      </div>
      <ul className="labels edit-labels" aria-label={`Labels of ${name}`}>
        {labels.length === 0 ? <li className="muted label-none">no labels</li> : null}
        {labels.map(([k, v]) => {
          const removing = remove.isPending && remove.variables === k;
          return (
            <li key={k} className="label-chip mono" data-label={k} data-pending={removing || undefined}>
              <span className="label-text">{labelText(k, v)}</span>
              <button
                type="button"
                className="chip-remove"
                aria-label={`Remove label ${k}`}
                title={`Remove label ${k}`}
                disabled={removing}
                onClick={() => {
                  add.reset();
                  remove.mutate(k);
                }}
              >
                <span aria-hidden="true">×</span>
              </button>
            </li>
          );
        })}
      </ul>
      <form className="label-form" onSubmit={submit}>
        <input
          name="label"
          className="mono"
          placeholder="key=value"
          aria-label="New label (key=value)"
          spellCheck={false}
          autoComplete="off"
          value={text}
          onChange={(e) => {
            setText(e.target.value);
            setInvalid(null);
          }}
        />
        <button type="submit" className="btn" disabled={add.isPending || text.trim() === ''}>
          {add.isPending ? 'Adding…' : 'Add label'}
        </button>
      </form>
      {/* reserved line: an error appearing does not push the page down */}
      <p className="form-error node-error-line" role="alert">
        {error ?? (remove.error ? actionErrorText(remove.error.message) : '\u00a0')}
      </p>
    </section>
  );
}
