import { ROLES, type Role } from '@/server/api/access';

export const ROLE_TEXT: Record<Role, string> = {
  viewer: 'sees the cluster, no secrets, changes nothing',
  operator: 'also scales, updates, rolls back, drains and reads logs',
  admin: 'also manages nodes, tokens, secrets and accounts',
};

export function RoleOptions() {
  return (
    <>
      {ROLES.map((r) => (
        <option key={r} value={r} title={ROLE_TEXT[r]}>
          {r}
        </option>
      ))}
    </>
  );
}
