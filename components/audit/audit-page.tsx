'use client';

import { keepPreviousData, useQuery } from '@tanstack/react-query';
import { useCallback, useDeferredValue, useMemo, useState } from 'react';
import type { AuditListBody, AuditRecordBody } from '@/server/api/audit';
import { getJson } from '../api/client';
import { useClusterView } from '../realtime/use-cluster';
import { NotAllowedPage } from '../session/not-allowed-page';
import { useMay } from '../session/session-provider';
import { Age } from '../ui/age';
import { Badge, type Tone } from '../ui/badge';
import { SkeletonRows } from '../ui/skeleton';
import {
  ACTOR_KIND_TEXT,
  ACTOR_KINDS,
  auditParams,
  describeActor,
  isFailed,
  NO_FILTERS,
  recordKeys,
  WINDOWS,
  type ActorKind,
  type AuditFilters,
  type Window,
} from './audit-filters';
import { useTaskScope } from '../realtime/task-scope';

// Who did what: every write to the cluster (a person's, a control loop's, an
// agent's) and the refused attempts, newest first, searchable, refreshed every
// few seconds while the page is open.

const COLS = 5;
const PAGE = 300;
const REFRESH_MS = 3_000;

const KIND_TONE: Record<ActorKind, Tone> = {
  account: 'info',
  'share-link': 'info',
  'engine-client': 'warn',
  'control-loop': 'neutral',
  agent: 'neutral',
  system: 'neutral',
};

function Who({ r, hostname }: { r: AuditRecordBody; hostname?: (nodeID: string) => string | undefined }) {
  const described = describeActor(r.actor);
  // an agent reads better by its node's hostname (the ID stays on hover)
  const host = r.actor.kind === 'agent' ? hostname?.(r.actor.nodeID) : undefined;
  const name = host ?? described.name;
  const detail = host ? `${described.detail} · node ${described.name}` : described.detail;
  return (
    <span className="audit-who" title={`${name} (${detail})`}>
      <Badge tone={KIND_TONE[r.actor.kind]}>{ACTOR_KIND_TEXT[r.actor.kind]}</Badge>
      <span className="ellipsis audit-name">{name}</span>
    </span>
  );
}

function Row({ r, hostname }: { r: AuditRecordBody; hostname: (nodeID: string) => string | undefined }) {
  const failed = isFailed(r);
  const what = r.changes && r.changes !== r.action ? `${r.action} — ${r.changes}` : r.action;
  return (
    <tr data-actor-kind={r.actor.kind} data-result={failed ? 'failed' : 'ok'}>
      <td>
        <Age at={r.time} />
      </td>
      <td>
        <Who r={r} hostname={hostname} />
      </td>
      <td className="ellipsis mono audit-what" title={what}>
        {r.action}
        {r.changes && r.changes !== r.action ? <span className="muted"> · {r.changes}</span> : null}
        {r.changes === undefined ? <span className="muted"> · note</span> : null}
      </td>
      <td className="ellipsis" title={r.target}>
        {r.target ?? <span className="muted">—</span>}
      </td>
      <td className="ellipsis" title={`${r.result} (raft index ${r.index})`}>
        {failed ? (
          <span className="audit-failed">{r.result}</span>
        ) : (
          <>
            <Badge tone="ok">ok</Badge>
            {r.result !== 'ok' ? <span className="muted"> {r.result.slice(2)}</span> : null}
          </>
        )}
      </td>
    </tr>
  );
}

/** The audit log is the admins': anyone else gets the page that says so, not a stream of 403s. */
export function AuditPage() {
  useTaskScope([]); // no task drawn here
  return useMay('audit') ? <AuditLog /> : <NotAllowedPage action="audit" what="reading the audit log" />;
}

function AuditLog() {
  const [filters, setFilters] = useState<AuditFilters>(NO_FILTERS);
  const nodes = useClusterView().tables.node;
  const hostname = useCallback((id: string) => nodes.get(id)?.Description.Hostname, [nodes]);
  // typing in the search box does not fire a request per key
  const deferred = useDeferredValue(filters);
  const list = useQuery({
    queryKey: ['audit', deferred],
    // the window's start is taken per request, so "last hour" slides with the refresh
    queryFn: () => getJson<AuditListBody>(`/api/audit?${auditParams(deferred, Date.now(), PAGE)}`),
    refetchInterval: REFRESH_MS,
    placeholderData: keepPreviousData,
  });
  const set = <K extends keyof AuditFilters>(k: K, v: AuditFilters[K]) => setFilters((f) => ({ ...f, [k]: v }));
  const exportHref = `/api/audit/export?${auditParams(filters, Date.now())}`;
  const records = useMemo(() => list.data?.records ?? [], [list.data]);
  const keys = useMemo(() => recordKeys(records), [records]);
  const loaded = list.data !== undefined;
  return (
    <div className="page audit">
      <div className="page-head">
        <h1>Audit log</h1>
        <a className="btn" href={exportHref} download="swarmdeck-audit.jsonl">
          Export JSON lines
        </a>
      </div>
      <form className="audit-filters card" role="search" onSubmit={(e) => e.preventDefault()}>
        <label className="field grow">
          <span>Search</span>
          <input
            type="search"
            value={filters.q}
            placeholder="who, action, object, result…"
            aria-label="Search the audit log"
            onChange={(e) => set('q', e.target.value)}
          />
        </label>
        <label className="field">
          <span>Actor</span>
          <select value={filters.actor} onChange={(e) => set('actor', e.target.value as ActorKind | '')}>
            <option value="">anyone</option>
            {ACTOR_KINDS.map((k) => (
              <option key={k} value={k}>
                {ACTOR_KIND_TEXT[k]}
              </option>
            ))}
          </select>
        </label>
        <label className="field">
          <span>Result</span>
          <select value={filters.result} onChange={(e) => set('result', e.target.value as AuditFilters['result'])}>
            <option value="">any</option>
            <option value="ok">ok</option>
            <option value="failed">failed or refused</option>
          </select>
        </label>
        <label className="field">
          <span>When</span>
          <select value={filters.window} onChange={(e) => set('window', e.target.value as Window)}>
            {(Object.keys(WINDOWS) as Window[]).map((w) => (
              <option key={w} value={w}>
                {w === 'any' ? 'any time' : `last ${w}`}
              </option>
            ))}
          </select>
        </label>
      </form>
      <p className="audit-count muted num" aria-live="polite">
        {list.error
          ? `Could not load the audit log: ${list.error.message}`
          : loaded
            ? list.data.total > records.length
              ? `${records.length} newest of ${list.data.total} records`
              : `${list.data.total} record${list.data.total === 1 ? '' : 's'}`
            : '\u00a0'}
      </p>
      <div className="table-wrap">
        <table className="data-table audit-table" aria-label="Audit records, newest first">
          <colgroup>
            <col className="col-when" />
            <col className="col-who" />
            <col className="col-what" />
            <col className="col-target" />
            <col className="col-result" />
          </colgroup>
          <thead>
            <tr>
              <th scope="col">When</th>
              <th scope="col">Who</th>
              <th scope="col">What</th>
              <th scope="col">Target</th>
              <th scope="col">Result</th>
            </tr>
          </thead>
          <tbody>
            {!loaded ? <SkeletonRows rows={8} cols={COLS} /> : null}
            {loaded && records.length === 0 ? (
              <tr>
                <td colSpan={COLS} className="empty">
                  No records match.
                </td>
              </tr>
            ) : null}
            {records.map((r, i) => (
              <Row key={keys[i]} r={r} hostname={hostname} />
            ))}
          </tbody>
        </table>
      </div>
    </div>
  );
}
