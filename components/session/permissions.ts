import { roleAtLeast, type Role } from '@/server/api/access';

/**
 * What the console lets each role do, by control: the browser's copy of the
 * server's role gate (CONTRACT12), used to hide what a role cannot use. The
 * server refuses these anyway; hiding only keeps dead buttons off the screen.
 */
export const NEEDS = {
  // operator: day-to-day running of services and nodes
  scale: 'operator',
  update: 'operator',
  rollback: 'operator',
  drain: 'operator',
  logs: 'operator',
  /** secrets' metadata (a viewer and a share link never see it) */
  secrets: 'operator',
  // admin: the cluster's shape, its tokens and who may use it
  createService: 'admin',
  removeService: 'admin',
  nodeLabels: 'admin',
  removeNode: 'admin',
  joinTokens: 'admin',
  swarmSettings: 'admin',
  accounts: 'admin',
  shareLinks: 'admin',
  audit: 'admin',
} as const satisfies Record<string, Role>;

export type ConsoleAction = keyof typeof NEEDS;

/** Whether `role` may use `action`; nobody may while the role is unknown. */
export function may(role: Role | undefined, action: ConsoleAction): boolean {
  return role !== undefined && roleAtLeast(role, NEEDS[action]);
}
