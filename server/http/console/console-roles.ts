// Who may call each console API route (issue #12 §1, CONTRACT12), one line a
// route, as engine-roles.ts decides for Engine API client certificates:
//   viewer   (and a share link) reads the cluster: state, events, spec history, configs;
//   operator also scales, updates, rolls back, drains and reads logs;
//   admin    also manages services and nodes, join tokens, swarm settings, accounts and share links.
// 'public' routes need no login (logging in, first setup, logging out).
// This table is also the list of routes: a path it does not name is a 404,
// so a route cannot be added without saying who may call it.

import { roleAtLeast, type Role } from '../../api/access';

export type Need = 'public' | Role;

export interface RouteRule {
  needs: Need;
  /** what the route does, for a 403: "permission denied: viewer may not scale a service (needs operator)" */
  what: string;
}

const rule = (needs: Need, what: string): RouteRule => ({ needs, what });

export const CONSOLE_ROUTES = {
  // logging in and out (the handlers decide what a missing session means)
  'GET /api/session': rule('viewer', 'read the session'),
  'POST /api/session': rule('public', 'log in'),
  'DELETE /api/session': rule('public', 'log out'),
  'POST /api/session/password': rule('viewer', 'change the password'),
  'GET /api/setup': rule('public', 'read the setup state'),
  'POST /api/setup': rule('public', 'set up the console'),

  // reading the cluster
  'GET /api/state': rule('viewer', 'read the cluster'),
  'GET /api/events': rule('viewer', 'read events'),
  'GET /api/services/:id/versions': rule('viewer', "read a service's spec history"),
  'GET /api/services/:id/versions/:version': rule('viewer', "read a service's spec history"),
  'GET /api/configs/:id/data': rule('viewer', "read a config's data"),

  // operating services and nodes
  'GET /api/logs': rule('operator', 'read logs'),
  'POST /api/services/:id/scale': rule('operator', 'scale a service'),
  'POST /api/services/:id/image': rule('operator', "change a service's image"),
  'POST /api/services/:id/update': rule('operator', 'update a service'),
  'POST /api/services/:id/restore': rule('operator', 'restore a service version'),
  'POST /api/services/:id/resume': rule('operator', "resume a service's update"),
  'POST /api/services/:id/rollback': rule('operator', 'roll back a service'),
  'POST /api/services/:id/force-continue': rule('operator', "force a service's update on"),
  'POST /api/nodes/:id/availability': rule('operator', "change a node's availability"),

  // administering the swarm and the console
  'POST /api/services': rule('admin', 'create a service'),
  'DELETE /api/services/:id': rule('admin', 'remove a service'),
  'DELETE /api/nodes/:id': rule('admin', 'remove a node'),
  'POST /api/nodes/:id/labels': rule('admin', "change a node's labels"),
  'DELETE /api/nodes/:id/labels/:key': rule('admin', "change a node's labels"),
  'GET /api/swarm/join-tokens': rule('admin', 'read the join tokens'),
  'POST /api/swarm/join-tokens/rotate': rule('admin', 'rotate a join token'),
  'POST /api/swarm/settings': rule('admin', "change the swarm's settings"),
  'GET /api/accounts': rule('admin', 'list accounts'),
  'POST /api/accounts': rule('admin', 'create an account'),
  'POST /api/accounts/:id': rule('admin', 'change an account'),
  'DELETE /api/accounts/:id': rule('admin', 'remove an account'),
  'GET /api/share-links': rule('admin', 'list share links'),
  'POST /api/share-links': rule('admin', 'create a share link'),
  'DELETE /api/share-links/:id': rule('admin', 'revoke a share link'),
  'GET /api/audit': rule('admin', 'read the audit log'),
  'GET /api/audit/export': rule('admin', 'export the audit log'),
} as const satisfies Record<string, RouteRule>;

export type ConsoleRoute = keyof typeof CONSOLE_ROUTES;

interface Pattern {
  route: ConsoleRoute;
  method: string;
  parts: string[];
}

const PATTERNS: Pattern[] = (Object.keys(CONSOLE_ROUTES) as ConsoleRoute[]).map((route) => {
  const [method, path] = route.split(' ') as [string, string];
  return { route, method, parts: path.split('/').filter(Boolean) };
});

const fits = (p: Pattern, parts: readonly string[]) =>
  p.parts.length === parts.length && p.parts.every((s, i) => s.startsWith(':') || s === parts[i]);

/**
 * The route a request is for: `{route}`, or `{methods}` (the path exists, the
 * method does not: a 405), or undefined (no such route: a 404). `parts` are
 * the decoded path segments, `api` included.
 */
export function matchConsoleRoute(
  method: string,
  parts: readonly string[],
): { route: ConsoleRoute; rule: RouteRule; params: string[] } | { methods: string[] } | undefined {
  const m = method;
  const candidates = PATTERNS.filter((p) => fits(p, parts));
  // a literal segment beats a parameter (`/api/session/password` is not `/api/accounts/:id`'s kin, but
  // `/api/swarm/join-tokens/rotate` and a 3-part parameter route could meet)
  const exact = candidates.filter((p) => p.method === m).sort((a, b) => literals(b) - literals(a))[0];
  if (exact) {
    const params = parts.filter((_, i) => exact.parts[i]!.startsWith(':'));
    return { route: exact.route, rule: CONSOLE_ROUTES[exact.route], params };
  }
  return candidates.length > 0 ? { methods: [...new Set(candidates.map((p) => p.method))] } : undefined;
}

const literals = (p: Pattern) => p.parts.filter((s) => !s.startsWith(':')).length;

/** The 403's message when `role` may not call the route, else undefined. */
export function consoleRefusal(role: Role, rule: RouteRule): string | undefined {
  if (rule.needs === 'public' || roleAtLeast(role, rule.needs)) return undefined;
  return `permission denied: ${role} may not ${rule.what} (needs ${rule.needs})`;
}
