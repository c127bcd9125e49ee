// A manager's admin socket, `<data dir>/admin.sock`: a Unix socket only the
// data dir's owner can reach (the dir is 0700, the socket 0600), as dockerd's
// /var/run/docker.sock is the local way in. `swarmdeck cert` asks it for
// certificates signed by the swarm CA, whose key never leaves the store; it
// works whether or not the Engine API has TLS yet, so the first certificates
// can be issued before --tlsverify is turned on.

import { chmodSync, rmSync } from 'node:fs';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import { join } from 'node:path';
import type { z } from 'zod';
import {
  clientCertificateRequestSchema,
  engineCertificateRequestSchema,
  type IssuedCertificateAnswer,
} from '../../api/schemas/certificate-request';
import {
  CertificateRequestError,
  issueClientCertificate,
  issueEngineServerCertificate,
} from '../../ca/client-certificate';
import { signerOf } from '../../ca/issue';
import type { MemoryStore } from '../../store/memory-store';
import { API_JSON_BOUNDS } from '../../net/bounded-json';
import { HttpError } from '../http-error';
import { readJSONBody } from '../json-body';

export const ADMIN_SOCKET = 'admin.sock';
const HOUR_MS = 3_600_000;

export function adminSocketPath(dataDir: string): string {
  return join(dataDir, ADMIN_SOCKET);
}

function parse<T extends z.ZodType>(schema: T, body: unknown): z.output<T> {
  const r = schema.safeParse(body);
  if (r.success) return r.data;
  const issue = r.error.issues[0];
  const where = issue && issue.path.length > 0 ? `${issue.path.map(String).join('.')}: ` : '';
  throw new HttpError(400, `${where}${issue?.message ?? 'malformed request'}`);
}

/** Answers one admin request from the store's CA (the replica's copy: every manager holds the root key). */
export async function answerAdmin(
  view: Pick<MemoryStore, 'list'>,
  method: string,
  path: string,
  body: unknown,
): Promise<IssuedCertificateAnswer> {
  if (method !== 'POST' || (path !== '/certificates/client' && path !== '/certificates/engine'))
    throw new HttpError(404, `page not found: ${method} ${path}`);
  const cluster = view.list('cluster')[0];
  const rootCA = cluster?.RootCA;
  if (!cluster || !rootCA) throw new HttpError(503, 'this manager has no certificate authority yet');
  const signer = signerOf(rootCA);
  try {
    if (path === '/certificates/client') {
      const req = parse(clientCertificateRequestSchema, body);
      const issued = await issueClientCertificate(
        signer,
        { name: req.name, role: req.role, clusterID: cluster.ID },
        req.expiryHours === undefined ? undefined : req.expiryHours * HOUR_MS,
      );
      return { ca: rootCA.CACert, ...issued };
    }
    const req = parse(engineCertificateRequestSchema, body);
    const issued = await issueEngineServerCertificate(
      signer,
      { hosts: req.hosts, clusterID: cluster.ID },
      req.expiryHours === undefined ? undefined : req.expiryHours * HOUR_MS,
    );
    return { ca: rootCA.CACert, ...issued };
  } catch (err) {
    // the issuers refuse a bad name, role or host with a message naming it
    if (err instanceof CertificateRequestError) throw Object.assign(new HttpError(400, err.message), { cause: err });
    throw err;
  }
}

/** Listens on `<data dir>/admin.sock` (a stale socket file from a killed process is replaced). */
export async function startAdminSocket(dataDir: string, view: Pick<MemoryStore, 'list'>): Promise<Server> {
  const path = adminSocketPath(dataDir);
  rmSync(path, { force: true });
  const server = createServer({ requestTimeout: 30_000, headersTimeout: 10_000 }, (req, res) => {
    void serve(view, req, res);
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(path, () => {
      server.off('error', reject);
      resolve();
    });
  });
  chmodSync(path, 0o600);
  server.on('close', () => rmSync(path, { force: true }));
  return server;
}

async function serve(view: Pick<MemoryStore, 'list'>, req: IncomingMessage, res: ServerResponse): Promise<void> {
  try {
    const body = await readJSONBody(req, API_JSON_BOUNDS);
    const answer = await answerAdmin(view, req.method ?? 'GET', (req.url ?? '/').split('?')[0]!, body);
    res.writeHead(200, { 'Content-Type': 'application/json' });
    res.end(JSON.stringify(answer));
  } catch (err) {
    const status = err instanceof HttpError ? err.status : 500;
    res.writeHead(status, { 'Content-Type': 'application/json' });
    res.end(JSON.stringify({ message: err instanceof HttpError ? err.message : 'internal error' }));
  }
}
