// How `GET /services/{id}/logs` and `/tasks/{id}/logs` write lines (moby
// api/server/httputils/write_log_stream.go): one stdcopy frame per line,
// `[<RFC3339Nano> ]<details> <message>\n`, details sorted and query-escaped.

import type { LogMessage } from '../../api/logs';

export const STDOUT = 1;
export const STDERR = 2;
export const SYSTEMERR = 3;

/** stdcopy: byte 0 the stream, bytes 4–7 the payload length (big-endian), then the payload. */
export function stdcopyFrame(stream: number, payload: Buffer | string): Buffer {
  const body = typeof payload === 'string' ? Buffer.from(payload, 'utf8') : payload;
  const head = Buffer.alloc(8);
  head[0] = stream;
  head.writeUInt32BE(body.length, 4);
  return Buffer.concat([head, body]);
}

/** Go's url.QueryEscape. */
export function queryEscape(s: string): string {
  return encodeURIComponent(s)
    .replace(/[!'()*]/g, (c) => '%' + c.charCodeAt(0).toString(16).toUpperCase())
    .replace(/%20/g, '+');
}

/** The swarm attributes every line carries with `details=1` (the CLI needs all three). */
export function detailsText(m: LogMessage): string {
  const attrs: [string, string][] = [
    ['com.docker.swarm.node.id', m.context.nodeID],
    ['com.docker.swarm.service.id', m.context.serviceID],
    ['com.docker.swarm.task.id', m.context.taskID],
  ];
  attrs.sort((a, b) => (a[0] < b[0] ? -1 : a[0] > b[0] ? 1 : 0));
  return attrs.map(([k, v]) => `${queryEscape(k)}=${queryEscape(v)}`).join(',');
}

/** moby's fixed-width RFC3339Nano (`2006-01-02T15:04:05.000000000Z07:00`), in UTC. */
export function rfc3339NanoFixed(time: string): string {
  const m = /^(\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2})(?:\.(\d{1,9}))?(Z|[+-]\d{2}:\d{2})$/.exec(time);
  if (m && m[3] === 'Z') return `${m[1]}.${(m[2] ?? '').padEnd(9, '0')}Z`;
  const ms = Date.parse(time);
  const iso = new Date(Number.isNaN(ms) ? 0 : ms).toISOString(); // always ...sss Z
  return `${iso.slice(0, 19)}.${iso.slice(20, 23)}000000Z`;
}

export interface LineFormat {
  timestamps: boolean;
  details: boolean;
}

/** One line's payload, newline-terminated. */
export function formatLine(m: LogMessage, f: LineFormat): string {
  let out = m.line;
  if (f.details) out = `${detailsText(m)} ${out}`;
  if (f.timestamps) out = `${rfc3339NanoFixed(m.time)} ${out}`;
  return out + '\n';
}

/** One line as written on the response: a stdcopy frame, or raw bytes for a TTY service. */
export function encodeLine(m: LogMessage, f: LineFormat & { tty: boolean }): Buffer {
  const text = formatLine(m, f);
  if (f.tty) return Buffer.from(text, 'utf8');
  return stdcopyFrame(m.stream === 'stderr' ? STDERR : STDOUT, text);
}
