'use client';

import Link from 'next/link';
import { useMemo, type ReactNode } from 'react';
import { useQuery } from '@tanstack/react-query';
import type { ConfigDataBody } from '@/server/api/console';
import type { Config, Secret } from '@/server/api/types';
import { getJson } from '../api/client';
import { useClusterView } from '../realtime/use-cluster';
import { formatBytes } from '../time/format';
import { Age } from '../ui/age';
import { Badge } from '../ui/badge';
import { NotFoundPage } from '../ui/not-found-page';
import { NotAllowedPage } from '../session/not-allowed-page';
import { useMay } from '../session/session-provider';
import { configData, findPayload, payloadRow, type PayloadKind, type PayloadRow } from './payloads';
import { LabelChips } from './secrets-page';
import { useTaskScope } from '../realtime/task-scope';

// `docker secret inspect --pretty` / `docker config inspect --pretty`, live,
// with the services using it and where each puts the file. A config's data
// is fetched for its page (the socket carries configs without it) and
// refetched when the config changes; a secret's never reaches the browser.

const NBSP = '\u00a0';

function Fact({ label, children, className }: { label: string; children: ReactNode; className?: string }) {
  return (
    <div className={className}>
      <dt>{label}</dt>
      <dd>{children}</dd>
    </div>
  );
}

function Facts({ row }: { row: PayloadRow | undefined }) {
  return (
    <dl className="facts payload-facts card" aria-label="Facts">
      <Fact label="ID" className="fact-id">
        <span className="mono ellipsis-block" title={row?.id}>
          {row?.id ?? NBSP}
        </span>
      </Fact>
      <Fact label="Created">{row ? <Age at={row.createdAt} /> : NBSP}</Fact>
      <Fact label="Updated">{row ? <Age at={row.updatedAt} /> : NBSP}</Fact>
      <Fact label="Template driver">
        {row ? (
          row.templating ? (
            <span className="mono">{row.templating}</span>
          ) : (
            <span className="muted">none</span>
          )
        ) : (
          NBSP
        )}
      </Fact>
      <Fact label="Labels" className="fact-wide">
        {row ? <LabelChips labels={row.labels} label="Labels" /> : NBSP}
      </Fact>
    </dl>
  );
}

function Users({ row }: { row: PayloadRow }) {
  return (
    <section className="section" aria-labelledby="payload-users-h">
      <div className="section-head">
        <h2 id="payload-users-h">
          Used by <span className="muted num">{new Set(row.users.map((u) => u.serviceID)).size}</span>
        </h2>
      </div>
      <div className="table-wrap">
        <table className="data-table payload-users-table">
          <colgroup>
            <col className="col-service" />
            <col className="col-target" />
            <col />
            <col />
            <col />
          </colgroup>
          <thead>
            <tr>
              <th scope="col">Service</th>
              <th scope="col">Target</th>
              <th scope="col">UID</th>
              <th scope="col">GID</th>
              <th scope="col">Mode</th>
            </tr>
          </thead>
          <tbody>
            {row.users.length === 0 ? (
              <tr>
                <td colSpan={5} className="empty">
                  no service uses this {row.kind}:{' '}
                  <span className="mono">
                    docker {row.kind} rm {row.name}
                  </span>{' '}
                  would remove it
                </td>
              </tr>
            ) : null}
            {row.users.map((u) => (
              <tr key={`${u.serviceID}/${u.target}`} data-service={u.service}>
                <td>
                  <Link href={`/services/${encodeURIComponent(u.serviceID)}`}>{u.service}</Link>
                </td>
                <td className="mono">{u.target}</td>
                <td className="mono">{u.uid}</td>
                <td className="mono">{u.gid}</td>
                <td className="mono">{u.mode}</td>
              </tr>
            ))}
          </tbody>
        </table>
      </div>
    </section>
  );
}

/** The config's data at this version (GET /api/configs/:id/data). */
function useConfigData(id: string, version: number) {
  return useQuery({
    queryKey: ['config-data', id, version],
    queryFn: () => getJson<ConfigDataBody>(`/api/configs/${encodeURIComponent(id)}/data`),
    staleTime: Infinity,
  });
}

function ConfigDataSection({ config }: { config: Config }) {
  const q = useConfigData(config.ID, config.Version.Index);
  if (!q.data)
    return (
      <section className="section" aria-labelledby="payload-data-h">
        <div className="section-head">
          <h2 id="payload-data-h">Data</h2>
        </div>
        <p className="card empty-card muted">{q.error ? `could not load the data: ${q.error.message}` : 'loading…'}</p>
      </section>
    );
  const d = configData(q.data.Data);
  return (
    <section className="section" aria-labelledby="payload-data-h">
      <div className="section-head">
        <h2 id="payload-data-h">
          Data <span className="muted num">{formatBytes(d.bytes)}</span>
        </h2>
      </div>
      {d.text !== undefined ? (
        <pre className="card payload-data mono" data-testid="config-data">
          {d.text}
        </pre>
      ) : (
        <p className="card empty-card muted">binary data ({d.bytes} bytes): not shown as text</p>
      )}
    </section>
  );
}

/** A secret's page (operators and admins: a viewer sees no secret) or a config's (everyone). */
export function PayloadDetailPage({ kind, id }: { kind: PayloadKind; id: string }) {
  useTaskScope([]); // no task drawn here
  const secrets = useMay('secrets');
  if (kind === 'secret' && !secrets) return <NotAllowedPage action="secrets" what="seeing secrets" />;
  return <PayloadDetail kind={kind} id={id} back={secrets ? BACK_ALL : BACK_CONFIGS} />;
}

const BACK_ALL = { href: '/secrets', label: 'Secrets and configs' };
const BACK_CONFIGS = { href: '/configs', label: 'Configs' };

function PayloadDetail({ kind, id, back }: { kind: PayloadKind; id: string; back: { href: string; label: string } }) {
  const view = useClusterView();
  const { secret: secrets, config: configs, service: services } = view.tables;
  const obj: Secret | Config | undefined =
    kind === 'secret' ? findPayload(secrets.values(), id) : findPayload(configs.values(), id);
  const row = useMemo(() => (obj ? payloadRow(kind, obj, services.values()) : undefined), [kind, obj, services]);

  if (view.loaded && !obj) {
    return (
      <NotFoundPage kind={kind} id={id} back={{ href: back.href, label: `Back to ${back.label.toLowerCase()}` }} />
    );
  }
  return (
    <div className="page payload-detail" data-kind={kind}>
      <nav aria-label="Breadcrumb" className="crumbs">
        <Link href={back.href}>{back.label}</Link> <span aria-hidden="true">/</span> {kind}s
      </nav>
      <div className="page-head">
        <h1>{row ? row.name : <span className="skeleton skeleton-title" />}</h1>
        <Badge tone={kind === 'secret' ? 'accent' : 'neutral'}>{kind}</Badge>
        {row?.templating ? <Badge tone="info">template</Badge> : null}
      </div>
      <Facts row={row} />
      {row ? (
        <>
          <Users row={row} />
          {kind === 'config' ? (
            <ConfigDataSection config={obj as Config} />
          ) : (
            <p className="card empty-card muted payload-note" data-testid="secret-value-note">
              The value of a secret is never shown: tasks that reference it get it as a file, and no API, page or log
              returns it.
            </p>
          )}
        </>
      ) : null}
    </div>
  );
}
