// Sending a fuzz request exactly as generated: through node's HTTP client
// when it can carry it, else byte for byte over a socket (odd methods,
// targets and header bytes node's client refuses to send). Every wait is
// bounded; "no answer" is an outcome, not an exception.

import { Agent, request as httpRequest, type IncomingHttpHeaders } from 'node:http';
import { connect } from 'node:net';

export interface Wire {
  port: number;
  method: string;
  target: string;
  headers: [string, string][];
  body?: Buffer;
  /** The whole request head (request line and headers, no final blank line): sent as is. */
  rawHead?: string;
  /** WebSocket frames to send once the upgrade is answered. */
  frames?: Buffer[];
  streaming?: boolean;
}

export interface Outcome {
  status?: number;
  headers: IncomingHttpHeaders;
  body: Buffer;
  /** Why there is no (complete) answer: a socket error, 'timeout', 'closed'. */
  error?: string;
  ms: number;
  /** The answer came from node's HTTP parser (a malformed request), not from the application. */
  viaRaw: boolean;
}

const KEEP_BODY = 4 * 1024 * 1024;

export function keepAliveAgent(maxSockets: number): Agent {
  return new Agent({ keepAlive: true, maxSockets, maxFreeSockets: maxSockets });
}

/** Send one request; resolves with whatever came back within `timeoutMs`. */
export function send(w: Wire, timeoutMs: number, agent?: Agent): Promise<Outcome> {
  if (w.rawHead !== undefined) return sendRaw(w, timeoutMs);
  try {
    return sendHttp(w, timeoutMs, agent);
  } catch {
    // node's client refused the method, target or a header: the same bytes go raw
    const head = [`${w.method} ${w.target} HTTP/1.1`, ...w.headers.map(([k, v]) => `${k}: ${v}`)];
    if (w.body) head.push(`Content-Length: ${w.body.length}`);
    head.push('Connection: close');
    return sendRaw({ ...w, rawHead: head.join('\r\n') }, timeoutMs);
  }
}

function sendHttp(w: Wire, timeoutMs: number, agent?: Agent): Promise<Outcome> {
  const started = performance.now();
  const headers: Record<string, string | string[]> = {};
  for (const [k, v] of w.headers) {
    const prev = headers[k];
    headers[k] = prev === undefined ? v : Array.isArray(prev) ? [...prev, v] : [prev, v];
  }
  const hasHost = w.headers.some(([k]) => k.toLowerCase() === 'host');
  if (w.body && !w.headers.some(([k]) => k.toLowerCase() === 'content-length'))
    headers['Content-Length'] = String(w.body.length);
  // throws synchronously on what it will not send (caught by send)
  const req = httpRequest({
    host: '127.0.0.1',
    port: w.port,
    method: w.method,
    path: w.target,
    headers,
    setHost: !hasHost,
    agent: agent ?? false,
    insecureHTTPParser: true,
  });
  return new Promise<Outcome>((resolve) => {
    let done = false;
    const finish = (o: Omit<Outcome, 'ms' | 'viaRaw'>) => {
      if (done) return;
      done = true;
      clearTimeout(timer);
      resolve({ ...o, ms: performance.now() - started, viaRaw: false });
    };
    const timer = setTimeout(() => {
      finish({ headers: {}, body: Buffer.alloc(0), error: 'timeout' });
      req.destroy();
    }, timeoutMs);
    req.on('error', (err: NodeJS.ErrnoException) =>
      finish({ headers: {}, body: Buffer.alloc(0), error: err.code ?? err.message }),
    );
    req.on('response', (res) => {
      const chunks: Buffer[] = [];
      let size = 0;
      const end = (error?: string) =>
        finish({ status: res.statusCode, headers: res.headers, body: Buffer.concat(chunks), error });
      if (w.streaming && res.statusCode === 200) {
        // a log stream: the head is the answer; read what is already there, then hang up
        res.on('data', (c: Buffer) => chunks.push(c));
        setTimeout(() => {
          end();
          req.destroy();
        }, 50);
        return;
      }
      res.on('data', (c: Buffer) => {
        size += c.length;
        if (size <= KEEP_BODY) chunks.push(c);
      });
      res.on('end', () => end());
      res.on('error', (err: NodeJS.ErrnoException) => end(err.code ?? err.message));
      res.on('close', () => end(res.complete ? undefined : 'closed'));
    });
    req.end(w.body);
  });
}

/** Parse "HTTP/1.1 400 Bad Request\r\nA: b\r\n..." (what is there of it). */
function parseHead(text: string): { status?: number; headers: IncomingHttpHeaders } {
  const [line, ...rest] = text.split('\r\n');
  const m = /^HTTP\/\d\.\d (\d{3})/.exec(line ?? '');
  const headers: IncomingHttpHeaders = {};
  for (const l of rest) {
    const at = l.indexOf(':');
    if (at > 0) headers[l.slice(0, at).trim().toLowerCase()] = l.slice(at + 1).trim();
  }
  return { status: m ? Number(m[1]) : undefined, headers };
}

/** The payload of a chunked body (as much of it as arrived). */
function dechunk(b: Buffer): Buffer {
  const out: Buffer[] = [];
  let at = 0;
  while (at < b.length) {
    const eol = b.indexOf('\r\n', at);
    if (eol < 0) break;
    const size = parseInt(b.subarray(at, eol).toString('latin1'), 16);
    if (!Number.isFinite(size) || size === 0) break;
    out.push(b.subarray(eol + 2, eol + 2 + size));
    at = eol + 2 + size + 2;
  }
  return Buffer.concat(out);
}

function sendRaw(w: Wire, timeoutMs: number): Promise<Outcome> {
  const started = performance.now();
  return new Promise<Outcome>((resolve) => {
    const chunks: Buffer[] = [];
    let size = 0;
    let done = false;
    let headEnd = -1;
    let framesSent = false;
    const sock = connect(w.port, '127.0.0.1');
    const finish = (error?: string) => {
      if (done) return;
      done = true;
      clearTimeout(timer);
      sock.destroy();
      const all = Buffer.concat(chunks);
      const headText = all.subarray(0, headEnd >= 0 ? headEnd : all.length).toString('latin1');
      const { status, headers } = parseHead(headText);
      const rest = headEnd >= 0 ? all.subarray(headEnd + 4) : Buffer.alloc(0);
      resolve({
        status,
        headers,
        body: /chunked/i.test(String(headers['transfer-encoding'] ?? '')) ? dechunk(rest) : rest,
        error: status === undefined ? (error ?? 'closed') : undefined,
        ms: performance.now() - started,
        viaRaw: true,
      });
    };
    const timer = setTimeout(() => finish('timeout'), timeoutMs);
    sock.on('error', (err: NodeJS.ErrnoException) => finish(err.code ?? err.message));
    sock.on('close', () => finish());
    sock.on('data', (c: Buffer) => {
      size += c.length;
      if (size <= KEEP_BODY) chunks.push(c);
      const all = Buffer.concat(chunks);
      if (headEnd < 0) {
        headEnd = all.indexOf('\r\n\r\n');
        if (headEnd < 0) return;
        // the head is the answer; what follows of the body within a moment is a bonus
        setTimeout(() => finish(), 1_000).unref();
      }
      const { status, headers } = parseHead(all.subarray(0, headEnd).toString('latin1'));
      if (status === 101 && w.frames && !framesSent) {
        framesSent = true;
        sock.write(Buffer.concat(w.frames));
        // what the server says to the frames (or its close) within a moment is enough
        setTimeout(() => finish(), 300);
        return;
      }
      if (w.streaming && status === 200) return finish();
      const length = Number(headers['content-length'] ?? NaN);
      if (Number.isFinite(length) && size >= headEnd + 4 + length) finish();
      if (
        /chunked/i.test(String(headers['transfer-encoding'] ?? '')) &&
        all.subarray(-5).toString('latin1') === '0\r\n\r\n'
      )
        finish();
    });
    sock.on('connect', () => {
      sock.write(Buffer.concat([Buffer.from(`${w.rawHead}\r\n\r\n`, 'utf8'), w.body ?? Buffer.alloc(0)]));
    });
  });
}
