'use client';

import { useMemo, useState } from 'react';
import type { ServiceVersionsBody } from '@/server/api/console';
import { UpdateStateBadge } from '../services/update-state';
import { useNow } from '../time/now';
import { Age } from '../ui/age';
import { Badge } from '../ui/badge';
import { useMay } from '../session/session-provider';
import { diffSpecs, formatValue, type DiffEntry } from './spec-diff';
import { useRestoreVersion } from './use-versions';
import { CAUSE_TEXT, formatDuration, imageOf, rolloutRows, versionLabel } from './versions';

const MARK: Record<DiffEntry['kind'], string> = { added: '+', removed: '−', changed: '~' };

function SpecDiff({ entries }: { entries: DiffEntry[] }) {
  if (entries.length === 0) return <p className="muted diff-empty">The two specs are identical.</p>;
  return (
    <ul className="spec-diff" aria-label="Spec differences">
      {entries.map((e, i) => (
        <li key={`${e.path}-${i}`} data-kind={e.kind}>
          <span className="diff-mark" aria-label={e.kind}>
            {MARK[e.kind]}
          </span>
          <span className="diff-path mono">{e.path}</span>
          <span className="diff-values mono">
            {e.kind !== 'added' ? <del>{formatValue(e.path, e.before)}</del> : null}
            {e.kind === 'changed' ? <span aria-hidden="true"> → </span> : null}
            {e.kind !== 'removed' ? <ins>{formatValue(e.path, e.after)}</ins> : null}
          </span>
        </li>
      ))}
    </ul>
  );
}

/**
 * Every recorded spec: pick any two to diff (A → B), restore any one. A
 * restore is an ordinary update to that spec, recorded with cause "restore".
 */
export function SpecHistory({ serviceID, data }: { serviceID: string; data: ServiceVersionsBody | undefined }) {
  const versions = useMemo(() => data?.Versions ?? [], [data]);
  const n = versions.length;
  const [pick, setPick] = useState<{ a?: string; b?: string }>({});
  const [confirm, setConfirm] = useState<string | undefined>();
  const restore = useRestoreVersion(serviceID);
  // restoring a version is a rollback: operators and admins
  const canRestore = useMay('rollback');
  // default: the previous version against the current one
  const cur = data?.CurrentID ?? versions.at(-1)?.ID;
  const curIdx = versions.findIndex((v) => v.ID === cur);
  const aID = pick.a && versions.some((v) => v.ID === pick.a) ? pick.a : versions[Math.max(0, curIdx - 1)]?.ID;
  const bID = pick.b && versions.some((v) => v.ID === pick.b) ? pick.b : cur;
  const ai = versions.findIndex((v) => v.ID === aID);
  const bi = versions.findIndex((v) => v.ID === bID);
  const entries = useMemo(
    () => (ai >= 0 && bi >= 0 ? diffSpecs(versions[ai]!.Spec, versions[bi]!.Spec) : []),
    [versions, ai, bi],
  );

  return (
    <section className="section spec-history" aria-labelledby="spec-history-h">
      <div className="section-head">
        <h2 id="spec-history-h">
          Spec history{' '}
          <span className="muted num">
            {n} version{n === 1 ? '' : 's'}
          </span>
        </h2>
      </div>
      <div className="table-wrap">
        <table className="data-table versions-table">
          <thead>
            <tr>
              <th scope="col" title="Diff from">
                A
              </th>
              <th scope="col" title="Diff to">
                B
              </th>
              <th scope="col">Version</th>
              <th scope="col">Cause</th>
              <th scope="col">Recorded</th>
              <th scope="col">Image</th>
              <th scope="col">Rollout</th>
              {canRestore ? (
                <th scope="col">
                  <span className="sr-only">Actions</span>
                </th>
              ) : null}
            </tr>
          </thead>
          <tbody>
            {n === 0 ? (
              <tr>
                <td colSpan={canRestore ? 8 : 7} className="empty">
                  {data ? 'No versions recorded.' : 'Loading…'}
                </td>
              </tr>
            ) : null}
            {[...versions].reverse().map((v) => {
              const label = versionLabel(v);
              const restoredFrom =
                v.RestoredFrom !== undefined ? versions.findIndex((x) => x.SpecIndex === v.RestoredFrom) : -1;
              const isCurrent = v.ID === cur;
              return (
                <tr key={v.ID} data-version={label} data-current={isCurrent || undefined}>
                  <td>
                    <input
                      type="radio"
                      name="diff-a"
                      aria-label={`Diff from ${label}`}
                      checked={v.ID === aID}
                      onChange={() => setPick((p) => ({ ...p, a: v.ID }))}
                    />
                  </td>
                  <td>
                    <input
                      type="radio"
                      name="diff-b"
                      aria-label={`Diff to ${label}`}
                      checked={v.ID === bID}
                      onChange={() => setPick((p) => ({ ...p, b: v.ID }))}
                    />
                  </td>
                  <td className="num strong">
                    {label} {isCurrent ? <Badge tone="accent">current</Badge> : null}
                  </td>
                  <td>
                    {CAUSE_TEXT[v.Cause]}
                    {restoredFrom >= 0 ? (
                      <span className="muted"> of {versionLabel(versions[restoredFrom]!)}</span>
                    ) : null}
                  </td>
                  <td>
                    <Age at={v.CreatedAt} />
                  </td>
                  <td className="mono ellipsis" title={imageOf(v)}>
                    {imageOf(v)}
                  </td>
                  <td>{v.Update ? <UpdateStateBadge status={v.Update} /> : <span className="muted">—</span>}</td>
                  {canRestore ? (
                    <td className="cell-actions">
                      {isCurrent ? null : confirm === v.ID ? (
                        <span className="confirm">
                          <button
                            type="button"
                            className="btn btn-danger"
                            disabled={restore.isPending}
                            onClick={() =>
                              restore.mutateAsync(v.ID).then(
                                () => setConfirm(undefined),
                                () => undefined,
                              )
                            }
                          >
                            Restore {label}
                          </button>
                          <button type="button" className="btn btn-ghost" onClick={() => setConfirm(undefined)}>
                            Cancel
                          </button>
                        </span>
                      ) : (
                        <button type="button" className="btn" onClick={() => setConfirm(v.ID)}>
                          Roll back to {label}
                        </button>
                      )}
                    </td>
                  ) : null}
                </tr>
              );
            })}
          </tbody>
        </table>
      </div>
      {restore.error ? (
        <p className="form-error" role="alert">
          {restore.error.message}
        </p>
      ) : null}
      {ai >= 0 && bi >= 0 ? (
        <div className="card diff-card" aria-label="Spec diff">
          <h3>
            {versionLabel(versions[ai]!)} → {versionLabel(versions[bi]!)}{' '}
            <span className="muted num">
              {entries.length} difference{entries.length === 1 ? '' : 's'}
            </span>
          </h3>
          <SpecDiff entries={entries} />
        </div>
      ) : null}
    </section>
  );
}

/** Earlier rollouts of this service: outcome, when, how long, failures. */
export function UpdateHistory({ data }: { data: ServiceVersionsBody | undefined }) {
  const now = useNow();
  const rows = useMemo(() => rolloutRows(data?.Versions ?? [], now || Date.now()), [data, now]);
  return (
    <section className="section" aria-labelledby="update-history-h">
      <div className="section-head">
        <h2 id="update-history-h">
          Updates <span className="muted num">{rows.length}</span>
        </h2>
      </div>
      <div className="table-wrap">
        <table className="data-table rollouts-table">
          <thead>
            <tr>
              <th scope="col">Version</th>
              <th scope="col">Cause</th>
              <th scope="col">Image</th>
              <th scope="col">Outcome</th>
              <th scope="col">Started</th>
              <th scope="col">Duration</th>
              <th scope="col">Failed tasks</th>
            </tr>
          </thead>
          <tbody>
            {rows.length === 0 ? (
              <tr>
                <td colSpan={7} className="empty">
                  {data ? 'No rollouts recorded yet.' : 'Loading…'}
                </td>
              </tr>
            ) : null}
            {rows.map((r) => (
              <tr key={r.version.ID}>
                <td className="num strong">{versionLabel(r.version)}</td>
                <td>{CAUSE_TEXT[r.version.Cause]}</td>
                <td className="mono ellipsis" title={imageOf(r.version)}>
                  {imageOf(r.version)}
                </td>
                <td title={r.version.Update?.Message}>
                  {r.outcome === 'superseded' ? (
                    <Badge title="A newer spec replaced it before it finished">superseded</Badge>
                  ) : (
                    <UpdateStateBadge status={r.version.Update} />
                  )}
                </td>
                <td>
                  <Age at={r.startedAt} />
                </td>
                <td className="num">{r.durationMs !== undefined ? formatDuration(r.durationMs) : '—'}</td>
                <td className="num">{r.failures}</td>
              </tr>
            ))}
          </tbody>
        </table>
      </div>
    </section>
  );
}
