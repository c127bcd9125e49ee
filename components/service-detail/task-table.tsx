'use client';

import { useState } from 'react';
import type { Task } from '@/server/api/types';
import type { SlotGroup } from '../cluster/derive';
import { SkeletonRows } from '../ui/skeleton';
import { slotRestarts } from './slot-restarts';
import { TaskRow } from './task-row';

/**
 * `docker service ps`, live: the newest task of each slot flush-left, the
 * slot's superseded tasks beneath as ` \_ ` rows (collapsed by default).
 */
export function TaskTable({
  groups,
  host,
  loaded,
  specOf,
}: {
  groups: readonly SlotGroup[];
  host: (nodeID: string) => string;
  loaded: boolean;
  /** Which recorded spec version a task ran, e.g. "v3 · nginx:1.27" (when spec history is loaded). */
  specOf?: (task: Task) => string | undefined;
}) {
  const [expanded, setExpanded] = useState<ReadonlySet<string>>(new Set());
  const [showAll, setShowAll] = useState(false);
  const superseded = groups.reduce((n, g) => n + g.history.length, 0);

  const toggle = (key: string) =>
    setExpanded((prev) => {
      const next = new Set(prev);
      if (!next.delete(key)) next.add(key);
      return next;
    });

  return (
    <section className="section" aria-labelledby="tasks-h">
      <div className="section-head">
        <h2 id="tasks-h">
          Tasks{' '}
          <span className="muted num">
            {groups.length} slot{groups.length === 1 ? '' : 's'} · {superseded} superseded
          </span>
        </h2>
        <label className="switch">
          <input type="checkbox" checked={showAll} onChange={(e) => setShowAll(e.target.checked)} />
          <span>Show all history</span>
        </label>
      </div>
      <div className="table-wrap">
        <table className="data-table task-table">
          <colgroup>
            <col className="col-toggle" />
            <col className="col-task-name" />
            <col className="col-id" />
            <col className="col-image" />
            <col className="col-node" />
            <col className="col-desired" />
            <col className="col-current" />
            <col className="col-health" />
            <col className="col-error" />
          </colgroup>
          <thead>
            <tr>
              <th scope="col">
                <span className="sr-only">History</span>
              </th>
              <th scope="col">Name</th>
              <th scope="col">ID</th>
              <th scope="col">Image</th>
              <th scope="col">Node</th>
              <th scope="col">Desired state</th>
              <th scope="col">Current state</th>
              <th scope="col">Health</th>
              <th scope="col">Error</th>
            </tr>
          </thead>
          <tbody>
            {!loaded ? <SkeletonRows rows={3} cols={9} /> : null}
            {loaded && groups.length === 0 ? (
              <tr>
                <td colSpan={9} className="empty">
                  No tasks.
                </td>
              </tr>
            ) : null}
            {groups.map((g) => {
              const open = showAll || expanded.has(g.key);
              return [
                <TaskRow
                  key={g.current.ID}
                  task={g.current}
                  name={g.name}
                  nodeName={host(g.current.NodeID)}
                  history={false}
                  slotKey={g.key}
                  spec={specOf?.(g.current)}
                  toggle={{ expanded: open, count: g.history.length, onToggle: () => toggle(g.key) }}
                  restarts={slotRestarts(g)}
                />,
                ...(open
                  ? g.history.map((t) => (
                      <TaskRow
                        key={t.ID}
                        task={t}
                        name={g.name}
                        nodeName={host(t.NodeID)}
                        history
                        slotKey={g.key}
                        spec={specOf?.(t)}
                      />
                    ))
                  : []),
              ];
            })}
          </tbody>
        </table>
      </div>
    </section>
  );
}
