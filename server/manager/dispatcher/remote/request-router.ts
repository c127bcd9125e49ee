// ClusterTransport keeps ONE request handler (a second onRequest replaces the
// first). The router is that one handler and asks its routes in turn, so the
// dispatcher's requests can share the transport with joins, forwarded writes...

import { denied, MANAGER_OU, type PeerIdentity, type RequestHandler } from '../../../raft/transport';

/** What a route returns for a payload that is not its own. */
export const UNHANDLED: unique symbol = Symbol('unhandled request');

/** Decides synchronously whether the payload is its own: UNHANDLED, or the answer (a value or a promise). */
export type Route = (payload: unknown, from: PeerIdentity) => unknown;

export interface RequestHandlerHost {
  onRequest(handler: RequestHandler): void;
}

/** Who may reach a route: raft members unless the route says otherwise. */
export type CallerKind = PeerIdentity['via'];
const MEMBERS_ONLY: readonly CallerKind[] = ['member'];

interface Entry {
  route: Route;
  from: readonly CallerKind[];
}

export class RequestRouter {
  private readonly routes: Entry[] = [];

  /** Installs the router as `transport`'s request handler. Prefer `routerFor`, which shares one per transport. */
  constructor(transport?: RequestHandlerHost) {
    transport?.onRequest((payload, from) => this.handle(payload, from));
  }

  /**
   * Adds a route, asked after the ones added before it; returns its removal.
   * `from` lists the callers it serves (default: members only) — an agent's
   * worker certificate or a join token never reaches a route that did not opt in.
   */
  add(route: Route, opts: { from?: readonly CallerKind[] } = {}): () => void {
    const entry: Entry = { route, from: opts.from ?? MEMBERS_ONLY };
    this.routes.push(entry);
    return () => {
      const i = this.routes.indexOf(entry);
      if (i >= 0) this.routes.splice(i, 1);
    };
  }

  handle(payload: unknown, from: PeerIdentity): unknown {
    for (const { route, from: allowed } of [...this.routes]) {
      if (!allowed.includes(from.via)) continue;
      const answer = route(payload, from);
      if (answer !== UNHANDLED) return answer;
    }
    // a manager asked for something unknown; anyone else for something only managers may call
    if (from.via === 'member')
      throw Object.assign(new Error('this member does not serve this request'), { code: 'Unimplemented' });
    const message =
      from.via === 'node' ? denied.ous([MANAGER_OU]) : 'Permission denied: a join token admits only a join request';
    throw Object.assign(new Error(message), { code: 'PermissionDenied' });
  }
}

const routers = new WeakMap<RequestHandlerHost, RequestRouter>();

/** The transport's shared router, installed as its request handler on first use. */
export function routerFor(transport: RequestHandlerHost): RequestRouter {
  let r = routers.get(transport);
  if (!r) routers.set(transport, (r = new RequestRouter(transport)));
  return r;
}
