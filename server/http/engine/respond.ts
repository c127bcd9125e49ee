import type { ServerResponse } from 'node:http';
import { SwarmError } from '../../api/errors';
import { HttpError } from '../http-error';

export const API_VERSION = '1.50';
export const MIN_API_VERSION = '1.24';
export const ENGINE_VERSION = '28.2.2';

/** moby's version middleware puts these on every response. */
export function setCommonHeaders(res: ServerResponse): void {
  res.setHeader('Server', `Docker/${ENGINE_VERSION} (linux)`);
  res.setHeader('Api-Version', API_VERSION);
  res.setHeader('Ostype', 'linux');
}

/** JSON bodies end with a newline, like Go's json.Encoder. */
export function sendJSON(res: ServerResponse, status: number, body: unknown): void {
  const text = JSON.stringify(body) + '\n';
  res.writeHead(status, { 'Content-Type': 'application/json', 'Content-Length': Buffer.byteLength(text) });
  res.end(text);
}

/** 200/201/204 with nothing to say. */
export function sendEmpty(res: ServerResponse, status = 200): void {
  res.writeHead(status, { 'Content-Length': 0 });
  res.end();
}

/**
 * Every error: `{"message": ...}` with Content-Type exactly
 * `application/json` (the CLI compares the header with ==).
 */
export function sendError(res: ServerResponse, status: number, message: string): void {
  if (res.headersSent) {
    res.destroy();
    return;
  }
  sendJSON(res, status, { message });
}

export function errorStatus(err: unknown): { status: number; message: string } {
  if (err instanceof SwarmError || err instanceof HttpError) return { status: err.status, message: err.message };
  return { status: 500, message: err instanceof Error ? err.message : String(err) };
}
