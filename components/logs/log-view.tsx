'use client';

import { useCallback, useDeferredValue, useEffect, useLayoutEffect, useMemo, useRef, useState } from 'react';
import type { Task } from '@/server/api/types';
import { Badge, type Tone } from '../ui/badge';
import {
  NO_FILTER,
  clockTime,
  filterLines,
  isFiltering,
  linePrefix,
  taskHue,
  type LogFilter,
  type LogLine,
} from './log-buffer';
import { useLogStream, type LogScope, type StreamStatus } from './use-log-stream';

/** Rows drawn above and below the visible window. */
const OVERSCAN = 20;

const STATUS: Record<StreamStatus, { tone: Tone; label: string }> = {
  connecting: { tone: 'info', label: 'Connecting' },
  live: { tone: 'ok', label: 'Live' },
  reconnecting: { tone: 'warn', label: 'Reconnecting' },
  ended: { tone: 'neutral', label: 'Ended' },
  error: { tone: 'bad', label: 'Error' },
};

export interface LogViewProps {
  scope: LogScope;
  serviceName: string;
  /** The service's tasks (for names and the task filter). */
  tasks: readonly Task[];
  host: (nodeID: string) => string;
}

/**
 * A live, windowed log view: lines of every task merged by time, each
 * prefixed `service.slot@node`; filter by text, stream and task; follow the
 * end or scroll back (which stops following); pause freezes what is shown
 * while lines keep arriving. Only the visible rows are in the DOM, rows have
 * one fixed height, and the view's height never depends on its content.
 */
export function LogView({ scope, serviceName, tasks, host }: LogViewProps) {
  const { buffer, version, status, message } = useLogStream(scope);
  const [filter, setFilter] = useState<LogFilter>(NO_FILTER);
  const text = useDeferredValue(filter.text);
  const [follow, setFollow] = useState(true);
  const [paused, setPaused] = useState<{ lines: readonly LogLine[]; lastSeq: number } | undefined>();
  const scrollRef = useRef<HTMLDivElement>(null);
  const probeRef = useRef<HTMLDivElement>(null);
  const [rowH, setRowH] = useState(20);
  const [viewH, setViewH] = useState(600);
  const [scrollTop, setScrollTop] = useState(0);

  const byID = useMemo(() => new Map(tasks.map((t) => [t.ID, t])), [tasks]);
  const prefixOf = useCallback(
    (l: Pick<LogLine, 'taskID' | 'nodeID'>) => {
      const t = byID.get(l.taskID);
      return t
        ? linePrefix(serviceName, t.Slot, t.NodeID, host(t.NodeID))
        : `${serviceName}.${l.taskID.slice(0, 12)}@${host(l.nodeID)}`;
    },
    [byID, serviceName, host],
  );

  const source = paused ? paused.lines : buffer.lines;
  const shown = useMemo(
    () => filterLines(source, { ...filter, text }, prefixOf),
    // `version` stands for the buffer's (mutable) contents
    [source, filter, text, prefixOf, version],
  );
  const count = shown.length;
  const lastSeq = buffer.lines[buffer.lines.length - 1]?.seq ?? 0;
  const newWhilePaused = paused ? buffer.lines.filter((l) => l.seq > paused.lastSeq).length : 0;

  // one row's height in px (rem-based: it changes with the viewport), and the viewport's
  useLayoutEffect(() => {
    const el = scrollRef.current;
    if (!el) return;
    const measure = () => {
      const h = probeRef.current?.getBoundingClientRect().height;
      if (h && h > 0) setRowH(h);
      setViewH(el.clientHeight);
    };
    measure();
    const ro = new ResizeObserver(measure);
    ro.observe(el);
    return () => ro.disconnect();
  }, []);

  // following: stay at the end as lines arrive
  useLayoutEffect(() => {
    const el = scrollRef.current;
    if (!el || !follow) return;
    el.scrollTop = el.scrollHeight;
    setScrollTop(el.scrollTop);
  }, [follow, count, version, rowH, viewH]);

  const onScroll = () => {
    const el = scrollRef.current;
    if (!el) return;
    setScrollTop(el.scrollTop);
    const atEnd = el.scrollTop + el.clientHeight >= el.scrollHeight - rowH * 1.5;
    if (follow && !atEnd) setFollow(false);
    else if (!follow && atEnd && !paused) setFollow(true);
  };

  const togglePause = () => setPaused((p) => (p ? undefined : { lines: buffer.lines.slice(), lastSeq }));
  useEffect(() => setPaused(undefined), [buffer]);

  const first = Math.max(0, Math.floor(scrollTop / rowH) - OVERSCAN);
  const last = Math.min(count, Math.ceil((scrollTop + viewH) / rowH) + OVERSCAN);
  const rows: LogLine[] = [];
  for (let i = first; i < last; i++) rows.push(shown[i]!);

  const taskOptions = useMemo(
    () =>
      [...tasks]
        .filter((t) => t.NodeID)
        .sort((a, b) => (a.Slot ?? 0) - (b.Slot ?? 0) || b.CreatedAt.localeCompare(a.CreatedAt)),
    [tasks],
  );
  const st = STATUS[status];

  return (
    <section className="log-view card" data-testid="log-view" aria-label="Logs">
      <div className="log-toolbar">
        <label className="log-search">
          <span className="sr-only">Filter lines</span>
          <input
            type="search"
            placeholder="Filter lines…"
            value={filter.text}
            onChange={(e) => setFilter((f) => ({ ...f, text: e.target.value }))}
          />
        </label>
        <div className="segmented" role="group" aria-label="Stream">
          {(['all', 'stdout', 'stderr'] as const).map((s) => (
            <button
              key={s}
              type="button"
              className="seg-btn"
              aria-pressed={filter.stream === s}
              onClick={() => setFilter((f) => ({ ...f, stream: s }))}
            >
              {s === 'all' ? 'All' : s}
            </button>
          ))}
        </div>
        {scope.taskID ? null : (
          <label className="log-task">
            <span className="sr-only">Task</span>
            <select value={filter.taskID} onChange={(e) => setFilter((f) => ({ ...f, taskID: e.target.value }))}>
              <option value="">All tasks</option>
              {taskOptions.map((t) => (
                <option key={t.ID} value={t.ID}>
                  {prefixOf({ taskID: t.ID, nodeID: t.NodeID })} · {t.ID.slice(0, 12)} · {t.Status.State}
                </option>
              ))}
            </select>
          </label>
        )}
        <span className="log-spacer" />
        <span className="log-count num muted" aria-live="off">
          {isFiltering(filter) ? `${count.toLocaleString()} of ` : ''}
          {source.length.toLocaleString()} line{source.length === 1 ? '' : 's'}
        </span>
        <Badge tone={paused ? 'warn' : st.tone} title={message || undefined}>
          {paused ? `Paused · ${newWhilePaused.toLocaleString()} new` : st.label}
        </Badge>
        <button type="button" className="btn" aria-pressed={!!paused} onClick={togglePause}>
          {paused ? 'Resume' : 'Pause'}
        </button>
        <button
          type="button"
          className="btn"
          aria-pressed={follow}
          disabled={follow}
          onClick={() => setFollow(true)}
          title="Scroll to the newest line and stay there"
        >
          Follow
        </button>
      </div>
      <p className="log-message" role="status">
        {message || '\u00a0'}
      </p>
      <div
        className="log-scroll scroll-region"
        ref={scrollRef}
        onScroll={onScroll}
        role="log"
        aria-label={`Logs of ${serviceName}`}
        // the lines are plain text: without this a keyboard could not scroll them
        tabIndex={0}
      >
        <div ref={probeRef} className="log-row log-probe" aria-hidden="true">
          <span className="log-text">M</span>
        </div>
        <div className="log-spacer-rows" style={{ height: count * rowH }}>
          <div className="log-rows" style={{ transform: `translateY(${first * rowH}px)` }}>
            {rows.map((l) => (
              <div key={l.seq} className="log-row" data-stream={l.stream} style={{ height: rowH }}>
                <span className="log-time num">{clockTime(l.time)}</span>
                <span className="log-prefix" style={{ ['--h' as string]: taskHue(l.taskID) }} title={l.taskID}>
                  {prefixOf(l)}
                </span>
                <span className="log-text" title={l.line.length > 80 ? l.line : undefined}>
                  {l.line}
                </span>
              </div>
            ))}
          </div>
        </div>
        {count === 0 ? (
          <p className="log-empty muted">
            {source.length > 0 ? 'No line matches the filter.' : status === 'live' ? 'No output yet.' : '\u00a0'}
          </p>
        ) : null}
      </div>
    </section>
  );
}
