'use client';

import { useState } from 'react';
import type { MountEntry, PortEntry } from '@/server/api/schemas/console-bodies';

// The create form's repeated rows: `--publish` and `--mount`, one row each,
// added and removed in place. Fixed column widths, so adding a row never
// moves what is above it.

type PortRow = {
  target: string;
  published: string;
  protocol: NonNullable<PortEntry['protocol']>;
  mode: NonNullable<PortEntry['mode']>;
};
type MountRow = { type: MountEntry['type']; source: string; target: string; readonly: boolean };

const num = (s: string): number => (s.trim() === '' ? Number.NaN : Number(s));

/** The rows as the console API takes them; a fully empty row is left out, a half-filled one goes on to be refused. */
export function portEntries(rows: PortRow[]): PortEntry[] {
  return rows
    .filter((r) => r.target.trim() !== '' || r.published.trim() !== '')
    .map((r) => ({
      target: num(r.target),
      ...(r.published.trim() !== '' ? { published: num(r.published) } : {}),
      protocol: r.protocol,
      mode: r.mode,
    }));
}

export function mountEntries(rows: MountRow[]): MountEntry[] {
  return rows
    .filter((r) => r.target.trim() !== '' || r.source.trim() !== '')
    .map((r) => ({
      type: r.type,
      ...(r.source.trim() !== '' ? { source: r.source.trim() } : {}),
      target: r.target.trim(),
      ...(r.readonly ? { readonly: true } : {}),
    }));
}

function useRows<T>(blank: T) {
  const [rows, setRows] = useState<T[]>([]);
  return {
    rows,
    add: () => setRows((r) => [...r, blank]),
    remove: (i: number) => setRows((r) => r.filter((_, j) => j !== i)),
    set: (i: number, patch: Partial<T>) => setRows((r) => r.map((row, j) => (j === i ? { ...row, ...patch } : row))),
  };
}

export function usePortRows() {
  return useRows<PortRow>({ target: '', published: '', protocol: 'tcp', mode: 'ingress' });
}
export function useMountRows() {
  return useRows<MountRow>({ type: 'volume', source: '', target: '', readonly: false });
}

export function PortRows({ state }: { state: ReturnType<typeof usePortRows> }) {
  return (
    <div className="create-rows" role="group" aria-label="Published ports">
      {state.rows.map((r, i) => (
        <div key={i} className="create-row create-port-row">
          <label className="field">
            <span>Target port</span>
            <input
              type="number"
              min={1}
              max={65535}
              placeholder="80"
              value={r.target}
              onChange={(e) => state.set(i, { target: e.target.value })}
            />
          </label>
          <label className="field">
            <span>Published</span>
            <input
              type="number"
              min={1}
              max={65535}
              placeholder="any"
              value={r.published}
              onChange={(e) => state.set(i, { published: e.target.value })}
            />
          </label>
          <label className="field">
            <span>Protocol</span>
            <select
              value={r.protocol}
              onChange={(e) => state.set(i, { protocol: e.target.value as PortRow['protocol'] })}
            >
              <option value="tcp">tcp</option>
              <option value="udp">udp</option>
              <option value="sctp">sctp</option>
            </select>
          </label>
          <label className="field">
            <span>Mode</span>
            <select value={r.mode} onChange={(e) => state.set(i, { mode: e.target.value as PortRow['mode'] })}>
              <option value="ingress">ingress (routing mesh)</option>
              <option value="host">host</option>
            </select>
          </label>
          <button type="button" className="btn btn-ghost create-row-remove" onClick={() => state.remove(i)}>
            Remove<span className="sr-only"> port {i + 1}</span>
          </button>
        </div>
      ))}
      <button type="button" className="btn btn-ghost create-row-add" onClick={state.add}>
        + Add port
      </button>
    </div>
  );
}

const SOURCE_HINT: Record<MountRow['type'], string> = {
  volume: 'volume name',
  bind: 'absolute host path',
  tmpfs: 'none',
};

export function MountRows({ state }: { state: ReturnType<typeof useMountRows> }) {
  return (
    <div className="create-rows" role="group" aria-label="Mounts">
      {state.rows.map((r, i) => (
        <div key={i} className="create-row create-mount-row">
          <label className="field">
            <span>Type</span>
            <select
              value={r.type}
              onChange={(e) => {
                const type = e.target.value as MountRow['type'];
                state.set(i, type === 'tmpfs' ? { type, source: '' } : { type });
              }}
            >
              <option value="volume">volume</option>
              <option value="bind">bind</option>
              <option value="tmpfs">tmpfs</option>
            </select>
          </label>
          <label className="field">
            <span>
              Source <small className="muted">{SOURCE_HINT[r.type]}</small>
            </span>
            <input
              value={r.source}
              disabled={r.type === 'tmpfs'}
              placeholder={r.type === 'bind' ? '/srv/data' : r.type === 'volume' ? 'data' : ''}
              spellCheck={false}
              onChange={(e) => state.set(i, { source: e.target.value })}
            />
          </label>
          <label className="field">
            <span>Target</span>
            <input
              value={r.target}
              placeholder="/data"
              spellCheck={false}
              onChange={(e) => state.set(i, { target: e.target.value })}
            />
          </label>
          <label className="field inline create-readonly">
            <input
              type="checkbox"
              checked={r.readonly}
              onChange={(e) => state.set(i, { readonly: e.target.checked })}
            />
            <span>Read-only</span>
          </label>
          <button type="button" className="btn btn-ghost create-row-remove" onClick={() => state.remove(i)}>
            Remove<span className="sr-only"> mount {i + 1}</span>
          </button>
        </div>
      ))}
      <button type="button" className="btn btn-ghost create-row-add" onClick={state.add}>
        + Add mount
      </button>
    </div>
  );
}
