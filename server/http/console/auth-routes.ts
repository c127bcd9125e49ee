// The console's login, setup, account and share-link routes (CONTRACT12).
// The role gate in api.ts has already run: what reaches a handler here is
// allowed to call it.

import type { IncomingMessage, ServerResponse } from 'node:http';
import type { TLSSocket } from 'node:tls';
import {
  changePasswordBodySchema,
  createAccountBodySchema,
  createShareLinkBodySchema,
  loginBodySchema,
  setupBodySchema,
  updateAccountBodySchema,
} from '../../api/schemas/auth-bodies';
import { parseConsoleBody } from '../../api/schemas/console-bodies';
import type { SetupStatusBody } from '../../api/auth';
import { sessionBody, type ConsoleAuth, type LoggedIn } from '../../auth/console-auth';
import { clearSessionCookie, setSessionCookie } from '../../auth/cookies';
import type { Resolved } from '../../auth/principal';
import { peerAddress } from '../../net/connection-gate';
import type { ConsoleRoute } from './console-roles';

export interface AuthCall {
  req: IncomingMessage;
  res: ServerResponse;
  auth: ConsoleAuth;
  /** the caller (absent only on public routes) */
  who: Resolved | undefined;
  /** the route's parameters in order (`:id`) */
  params: string[];
  readJson(): Promise<unknown>;
  send(status: number, body: unknown): void;
  now(): number;
}

/** Whether the console is served over TLS here: the cookie is then Secure. */
export function isSecure(req: IncomingMessage): boolean {
  return (req.socket as Partial<TLSSocket>).encrypted === true;
}

function loggedIn(c: AuthCall, done: LoggedIn): void {
  c.res.setHeader('Set-Cookie', setSessionCookie(done.token, done.expiresAtMs, c.now(), isSecure(c.req)));
  c.send(200, done.body);
}

/** The account or share-link caller (the gate let only a principal through). */
const caller = (c: AuthCall): Resolved => c.who!;

type Handler = (c: AuthCall) => Promise<void> | void;

export const AUTH_HANDLERS: Partial<Record<ConsoleRoute, Handler>> = {
  'GET /api/session': (c) => c.send(200, sessionBody(caller(c))),
  'POST /api/session': async (c) => {
    const { name, password } = parseConsoleBody(loginBodySchema, await c.readJson());
    loggedIn(c, await c.auth.login(name, password, peerAddress(c.req.socket)));
  },
  'DELETE /api/session': async (c) => {
    if (c.who) await c.auth.logout(c.who);
    c.res.setHeader('Set-Cookie', clearSessionCookie(isSecure(c.req)));
    c.send(200, {});
  },
  'POST /api/session/password': async (c) => {
    const { current, password } = parseConsoleBody(changePasswordBodySchema, await c.readJson());
    await c.auth.changePassword(caller(c), current, password, peerAddress(c.req.socket));
    c.send(200, {});
  },
  'GET /api/setup': (c) => c.send(200, { needed: c.auth.setupNeeded() } satisfies SetupStatusBody),
  'POST /api/setup': async (c) => {
    const { token, name, password } = parseConsoleBody(setupBodySchema, await c.readJson());
    loggedIn(c, await c.auth.setup(token, name, password, peerAddress(c.req.socket)));
  },
  'GET /api/accounts': (c) => c.send(200, c.auth.listAccounts()),
  'POST /api/accounts': async (c) => {
    c.send(201, await c.auth.createAccount(parseConsoleBody(createAccountBodySchema, await c.readJson())));
  },
  'POST /api/accounts/:id': async (c) => {
    const body = parseConsoleBody(updateAccountBodySchema, await c.readJson());
    c.send(200, await c.auth.updateAccount(c.params[0]!, body, caller(c)));
  },
  'DELETE /api/accounts/:id': async (c) => {
    await c.auth.removeAccount(c.params[0]!);
    c.send(200, {});
  },
  'GET /api/share-links': (c) => c.send(200, c.auth.listShareLinks()),
  'POST /api/share-links': async (c) => {
    const body = parseConsoleBody(createShareLinkBodySchema, await c.readJson());
    c.send(201, await c.auth.createShareLink(body, caller(c)));
  },
  'DELETE /api/share-links/:id': async (c) => {
    await c.auth.removeShareLink(c.params[0]!);
    c.send(200, {});
  },
};
