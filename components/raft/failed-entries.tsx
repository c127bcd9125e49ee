import type { RaftView } from '@/server/api/raft-view';
import { Age } from '../ui/age';

/**
 * Committed entries this manager could not apply (its store moved past them):
 * shown only when there are some, newest first.
 */
export function FailedEntries({ view }: { view: RaftView | null }) {
  const f = view?.failedEntries;
  if (!f || f.total === 0) return null;
  const rows = [...f.recent].reverse();
  const hidden = f.total - rows.length;
  return (
    <section aria-labelledby="failed-h" className="section" data-testid="failed-entries">
      <div className="fault-banner" role="alert">
        <span className="fault-icon" aria-hidden="true">
          !
        </span>
        <div className="fault-body">
          <h2 id="failed-h" className="fault-title">
            {f.total === 1 ? '1 committed entry failed to apply' : `${f.total} committed entries failed to apply`}
          </h2>
          <p className="fault-hint">
            This manager recorded them and moved on; every manager applying the same log records the same ones.
            {hidden > 0 ? ` The ${rows.length} most recent are listed.` : ''}
          </p>
        </div>
      </div>
      <div className="table-wrap">
        <table className="data-table failed-entries-table">
          <colgroup>
            <col className="col-index" />
            <col className="col-term" />
            <col className="col-kind" />
            <col className="col-when" />
            <col />
          </colgroup>
          <thead>
            <tr>
              <th scope="col">Index</th>
              <th scope="col">Term</th>
              <th scope="col">What</th>
              <th scope="col">Applied</th>
              <th scope="col">Error</th>
            </tr>
          </thead>
          <tbody>
            {rows.map((e) => (
              <tr key={`${e.kind}-${e.index}-${e.at}`}>
                <td className="num">{e.index}</td>
                <td className="num">{e.term}</td>
                <td>{e.kind}</td>
                <td>
                  <Age at={e.at} />
                </td>
                <td className="mono failed-error" title={e.error}>
                  {e.error}
                </td>
              </tr>
            ))}
          </tbody>
        </table>
      </div>
    </section>
  );
}
