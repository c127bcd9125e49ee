// Which services use a secret or a config (swarmkit's ByReferencedSecretID /
// ByReferencedConfigID indexes: the current spec's references only), as plain
// functions over stored objects: the control API checks them before proposing
// a removal, and the store again when it applies one, so a service written
// meanwhile cannot be left naming a secret that is gone.

import { rpcError, type SwarmError } from './errors';
import type { Service } from './types';

/** swarm's two payload objects: a secret's value is never returned, a config's is. */
export type PayloadKind = 'secret' | 'config';

/** The secrets or configs a service's current spec references: ID and name as the reference holds them. */
export function references(kind: PayloadKind, s: Service): { id: string; name: string }[] {
  const cs = s.Spec.TaskTemplate?.ContainerSpec;
  if (!cs) return [];
  return kind === 'secret'
    ? (cs.Secrets ?? []).map((r) => ({ id: r.SecretID ?? '', name: r.SecretName ?? '' }))
    : (cs.Configs ?? []).map((r) => ({ id: r.ConfigID ?? '', name: r.ConfigName ?? '' }));
}

/** The IDs of the secrets or configs a service's current spec references. */
export function referencedIDs(kind: PayloadKind, s: Service): string[] {
  return references(kind, s).map((r) => r.id);
}

/** The services using the object, in ID order (swarmkit's index order). */
export function payloadUsers(kind: PayloadKind, id: string, services: Iterable<Service>): Service[] {
  const out: Service[] = [];
  for (const s of services) if (referencedIDs(kind, s).includes(id)) out.push(s);
  return out.sort((a, b) => (a.ID < b.ID ? -1 : a.ID > b.ID ? 1 : 0));
}

/** swarmkit RemoveSecret / RemoveConfig: `secret 'x' is in use by the following service: web` (InvalidArgument). */
export function payloadInUse(
  kind: PayloadKind,
  obj: { ID: string; Spec: { Name: string } },
  services: Iterable<Service>,
): SwarmError | undefined {
  const users = payloadUsers(kind, obj.ID, services);
  if (users.length === 0) return undefined;
  const noun = users.length === 1 ? 'service' : 'services';
  return rpcError(
    'InvalidArgument',
    `${kind} '${obj.Spec.Name}' is in use by the following ${noun}: ${users.map((s) => s.Spec.Name).join(', ')}`,
  );
}
