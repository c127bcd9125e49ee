// What every Engine API request passes before it is routed, whichever handler
// serves it (a manager, a worker, a process not in a swarm yet): a well-formed
// URL, no browser page of another site or a rebound name behind it, a JSON
// body when there is a body. And nothing a handler throws, synchronously or
// not, escapes: it becomes a JSON error.

import type { IncomingHttpHeaders, IncomingMessage, ServerResponse } from 'node:http';
import { HttpError } from '../http-error';
import { refuseBrowserRequest } from '../request-guard';
import { parseRequestTarget, type RequestTarget } from '../request-target';
import { errorStatus, sendError, setCommonHeaders } from './respond';

/**
 * moby's httputils.CheckForJSON, for every request: a body must be JSON. A
 * request without one may say anything (the docker CLI sends
 * `Content-Type: text/plain` on a POST with no body, e.g. `swarm leave`).
 */
export function bodyContentTypeProblem(headers: IncomingHttpHeaders): string | undefined {
  const hasBody = Number(headers['content-length'] ?? 0) > 0 || headers['transfer-encoding'] !== undefined;
  if (!hasBody) return undefined;
  const ct = headers['content-type'] ?? '';
  const media = ct.split(';')[0]!.trim().toLowerCase();
  if (media === 'application/json') return undefined;
  return `unsupported Content-Type header (${ct.slice(0, 80)}): must be 'application/json'`;
}

/** Answer an error for a request whose handler failed (or that was refused). */
export function answerFailure(req: IncomingMessage, res: ServerResponse, err: unknown): void {
  const { status, message } = errorStatus(err);
  if (status >= 500 && !(err instanceof Error && err.name === 'SwarmError'))
    console.error(`engine api: ${req.method} ${String(req.url).slice(0, 200)} failed:`, err);
  // an oversized body is not read to its end: close the connection after the answer instead
  if (status === 413 && !res.headersSent) res.setHeader('Connection', 'close');
  req.resume();
  sendError(res, status, message);
}

function admit(req: IncomingMessage): RequestTarget {
  const target = parseRequestTarget(req.url);
  if (target instanceof HttpError) throw target;
  const refused = refuseBrowserRequest(req.headers, req.method ?? 'GET', { readable: true, listener: 'Engine API' });
  if (refused) throw new HttpError(403, refused);
  const problem = bodyContentTypeProblem(req.headers);
  if (problem) throw new HttpError(400, problem);
  return target;
}

/**
 * A node:http handler that admits the request, then calls `handle`; whatever
 * `handle` throws or rejects with is answered as a JSON error.
 */
export function engineRequestHandler(
  handle: (req: IncomingMessage, res: ServerResponse, target: RequestTarget) => void | Promise<void>,
): (req: IncomingMessage, res: ServerResponse) => void {
  return (req, res) => {
    Promise.resolve()
      .then(() => {
        setCommonHeaders(res);
        return handle(req, res, admit(req));
      })
      .catch((err: unknown) => {
        try {
          answerFailure(req, res, err);
        } catch (again) {
          console.error('engine api: could not answer an error:', again);
          res.destroy();
        }
      });
  };
}
