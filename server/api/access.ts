// Who may do what: the same three roles for console accounts, read-only share
// links and Engine API client certificates (issue #12).
//   viewer   sees everything except secrets' metadata and join tokens;
//   operator also scales, updates, rolls back, drains and reads logs;
//   admin    also manages nodes, tokens, secrets and accounts.

export const ROLES = ['viewer', 'operator', 'admin'] as const;
export type Role = (typeof ROLES)[number];

export function isRole(s: unknown): s is Role {
  return typeof s === 'string' && (ROLES as readonly string[]).includes(s);
}

/** Whether `have` grants at least what `need` does (the roles are nested). */
export function roleAtLeast(have: Role, need: Role): boolean {
  return ROLES.indexOf(have) >= ROLES.indexOf(need);
}
