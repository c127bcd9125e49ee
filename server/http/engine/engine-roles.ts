// What each Engine API client role may do, decided from the method and the
// path alone (before a route reads the body), as the console decides for its
// accounts:
//   viewer   reads, except secrets, logs and anything carrying tokens or keys;
//   operator also scales, updates and rolls back services (all a service
//            update), drains nodes (a node update that changes nothing else:
//            the node route checks that) and reads logs and secrets' metadata;
//   admin    everything.
// GET /metrics is a read any role may make, viewer included: the exposition
// holds counts by state and route template, never names, IDs, tokens or keys.
// A request without a client identity (loopback, --tls without verify) is not
// gated here: only --tlsverify identifies a client.

import type { EngineRole } from '../../ca/client-certificate';

const READ = new Set(['GET', 'HEAD']);

/** Reads only an operator may make: logs, and secrets' metadata (the issue's viewer sees neither). */
const OPERATOR_READS = [/^\/services\/[^/]+\/logs$/, /^\/tasks\/[^/]+\/logs$/, /^\/secrets(\/[^/]+)?$/];
/** Reads only an admin may make: the unlock key. */
const ADMIN_READS = [/^\/swarm\/unlockkey$/];
/** Writes an operator may make. */
const OPERATOR_WRITES = [/^\/services\/[^/]+\/update$/, /^\/nodes\/[^/]+\/update$/];

/** Why `role` may not make this request (a 403's message), or undefined when it may. */
export function engineRoleRefusal(role: EngineRole, method: string, path: string): string | undefined {
  if (role === 'admin') return undefined;
  const m = method.toUpperCase();
  const refuse = (needs: EngineRole) =>
    `permission denied: role ${role} may not ${m} ${path} (it needs the ${needs} role)`;
  if (READ.has(m)) {
    if (ADMIN_READS.some((p) => p.test(path))) return refuse('admin');
    if (role === 'viewer' && OPERATOR_READS.some((p) => p.test(path))) return refuse('operator');
    return undefined;
  }
  if (role === 'operator' && OPERATOR_WRITES.some((p) => p.test(path))) return undefined;
  return refuse(role === 'viewer' && OPERATOR_WRITES.some((p) => p.test(path)) ? 'operator' : 'admin');
}

/** Whether `role` may read the swarm's join tokens (`GET /swarm`'s JoinTokens): admins manage tokens. */
export function mayReadJoinTokens(role: EngineRole | undefined): boolean {
  return role === undefined || role === 'admin';
}
