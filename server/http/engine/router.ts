import type { IncomingMessage, ServerResponse } from 'node:http';
import type { ManagerContext } from '../../manager/context';

export interface RouteRequest {
  ctx: ManagerContext;
  req: IncomingMessage;
  res: ServerResponse;
  /** Decoded path captures, in pattern order. */
  params: string[];
  query: URLSearchParams;
}

export interface Route {
  method: 'GET' | 'HEAD' | 'POST' | 'DELETE' | 'PUT';
  /** Matched against the path without its `/v1.NN` prefix. */
  pattern: RegExp;
  handle(r: RouteRequest): void | Promise<void>;
}

export function findRoute(
  routes: readonly Route[],
  method: string,
  path: string,
): { route: Route; params: string[] } | undefined {
  for (const route of routes) {
    if (route.method !== method) continue;
    const m = route.pattern.exec(path);
    if (m) return { route, params: m.slice(1).map((p) => safeDecode(p ?? '')) };
  }
  return undefined;
}

function safeDecode(s: string): string {
  try {
    return decodeURIComponent(s);
  } catch {
    return s;
  }
}
