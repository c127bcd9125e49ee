'use client';

import { RowLink } from '../ui/row-link';
import { useMemo } from 'react';
import { useClusterView } from '../realtime/use-cluster';
import { Age } from '../ui/age';
import { Badge } from '../ui/badge';
import { CopyID } from '../ui/copy-id';
import { SkeletonRows } from '../ui/skeleton';
import { useMay } from '../session/session-provider';
import { payloadRows, type PayloadKind, type PayloadRow } from './payloads';
import { useTaskScope } from '../realtime/task-scope';

// `docker secret ls` and `docker config ls`, live, with the labels and the
// services using each. A secret's value is never on this page (the server
// sends none); a config's data is on its own page.

const COLS = 6;

export const payloadHref = (kind: PayloadKind, id: string) =>
  `/${kind === 'secret' ? 'secrets' : 'configs'}/${encodeURIComponent(id)}`;

export function LabelChips({ labels, label }: { labels: [string, string][]; label: string }) {
  return (
    <ul className="labels" aria-label={label}>
      {labels.length === 0 ? <li className="muted label-none">none</li> : null}
      {labels.map(([k, v]) => (
        <li key={k} className="label-chip mono">
          {v ? `${k}=${v}` : k}
        </li>
      ))}
    </ul>
  );
}

function Users({ row }: { row: PayloadRow }) {
  const services = [...new Map(row.users.map((u) => [u.serviceID, u.service])).entries()];
  if (services.length === 0) return <span className="muted">unused</span>;
  return (
    <span className="payload-users">
      {services.map(([id, name]) => (
        <RowLink key={id} href={`/services/${encodeURIComponent(id)}`}>
          {name}
        </RowLink>
      ))}
    </span>
  );
}

function PayloadTable({ kind, rows, loaded }: { kind: PayloadKind; rows: PayloadRow[]; loaded: boolean }) {
  const plural = kind === 'secret' ? 'secrets' : 'configs';
  return (
    <section className="section" aria-labelledby={`${plural}-h`}>
      <div className="section-head">
        <h2 id={`${plural}-h`}>
          {kind === 'secret' ? 'Secrets' : 'Configs'} <span className="muted num">{loaded ? rows.length : ''}</span>
        </h2>
      </div>
      <div className="table-wrap">
        <table className="data-table payload-table" data-kind={kind}>
          <colgroup>
            <col className="col-name" />
            <col className="col-id" />
            <col className="col-labels" />
            <col className="col-users" />
            <col className="col-age" />
            <col className="col-age" />
          </colgroup>
          <thead>
            <tr>
              <th scope="col">Name</th>
              <th scope="col">ID</th>
              <th scope="col">Labels</th>
              <th scope="col">Used by</th>
              <th scope="col">Created</th>
              <th scope="col">Updated</th>
            </tr>
          </thead>
          <tbody>
            {!loaded ? <SkeletonRows rows={2} cols={COLS} /> : null}
            {loaded && rows.length === 0 ? (
              <tr>
                <td colSpan={COLS} className="empty">
                  No {plural} yet: <span className="mono">docker {kind} create NAME FILE</span>
                </td>
              </tr>
            ) : null}
            {rows.map((r) => (
              <tr key={r.id} data-name={r.name}>
                <td className="ellipsis">
                  <RowLink href={payloadHref(kind, r.id)} className="row-link" title={r.name}>
                    {r.name}
                  </RowLink>
                  {r.templating ? (
                    <>
                      {' '}
                      <Badge tone="info" title={`Spec.Templating: ${r.templating}`}>
                        template
                      </Badge>
                    </>
                  ) : null}
                </td>
                <td>
                  <CopyID id={r.id} />
                </td>
                <td>
                  <LabelChips labels={r.labels} label={`Labels of ${r.name}`} />
                </td>
                <td>
                  <Users row={r} />
                </td>
                <td>
                  <Age at={r.createdAt} />
                </td>
                <td>
                  <Age at={r.updatedAt} />
                </td>
              </tr>
            ))}
          </tbody>
        </table>
      </div>
    </section>
  );
}

/**
 * `/secrets`: secrets and configs; `/configs` (and anyone who may not see
 * secrets, whose stream carries none): the configs alone.
 */
export function SecretsPage({ configsOnly = false }: { configsOnly?: boolean }) {
  useTaskScope([]); // no task drawn here
  const mayReadSecrets = useMay('secrets');
  return mayReadSecrets && !configsOnly ? <SecretsAndConfigs /> : <ConfigsOnly />;
}

function ConfigsOnly() {
  const view = useClusterView();
  const { config, service } = view.tables;
  const configs = useMemo(() => payloadRows('config', config.values(), service.values()), [config, service]);
  return (
    <div className="page payloads">
      <div className="page-head">
        <h1>Configs</h1>
      </div>
      <PayloadTable kind="config" rows={configs} loaded={view.loaded} />
    </div>
  );
}

function SecretsAndConfigs() {
  const view = useClusterView();
  const { secret, config, service } = view.tables;
  const secrets = useMemo(() => payloadRows('secret', secret.values(), service.values()), [secret, service]);
  const configs = useMemo(() => payloadRows('config', config.values(), service.values()), [config, service]);
  return (
    <div className="page payloads">
      <div className="page-head">
        <h1>Secrets and configs</h1>
      </div>
      <p className="muted payload-note">
        Secret values never leave the swarm&apos;s store: no page, API answer or log shows them. Configs are readable on
        their own page.
      </p>
      <PayloadTable kind="secret" rows={secrets} loaded={view.loaded} />
      <PayloadTable kind="config" rows={configs} loaded={view.loaded} />
    </div>
  );
}
