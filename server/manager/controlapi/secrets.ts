// swarmkit's control API for secrets (manager/controlapi/secret.go). The value
// is kept in the store for the dispatcher and never leaves it here: every
// answer (create, get, list, update) has Spec.Data blanked, as swarmkit does.

import { rpcError } from '../../api/errors';
import type { Secret, SecretSpec } from '../../api/types';
import type { ControlDeps } from './context';
import {
  checkPayloadName,
  checkPayloadSize,
  checkTemplating,
  createPayload,
  listPayloads,
  lookupPayload,
  removePayload,
  updatePayload,
} from './secret-config';
import type { Filters } from './types';

/** The secret as any API returns it: without its value. */
export function presentSecret(s: Secret): Secret {
  if (s.Spec.Data === undefined) return s;
  const { Data: _data, ...spec } = s.Spec;
  return { ...s, Spec: spec };
}

/**
 * swarmkit validateSecretSpec, then its driver check: Swarmdeck has no secret
 * driver plugins, so a secret from an external store is refused plainly
 * (swarmkit would fail the plugin lookup).
 */
function checkSecretSpec(spec: SecretSpec): void {
  checkPayloadName(spec.Name);
  if (spec.Driver) {
    if (!spec.Driver.Name) throw rpcError('InvalidArgument', 'secret driver must have a name');
    throw rpcError(
      'InvalidArgument',
      `secret driver ${JSON.stringify(spec.Driver.Name)} is not supported: Swarmdeck has no secret driver plugins; create the secret from a file or stdin instead`,
    );
  }
  checkPayloadSize('secret', spec.Data);
  checkTemplating('secret', spec);
}

export async function createSecret(d: ControlDeps, spec: SecretSpec): Promise<Secret> {
  checkSecretSpec(spec);
  return presentSecret(await createPayload(d, 'secret', spec));
}

export function getSecret(d: ControlDeps, ref: string): Secret {
  return presentSecret(lookupPayload(d.store.view, 'secret', ref));
}

/** Filters `names` (exact), `name` (prefix), `id` (prefix), `label`; an unknown key is a 400. */
export function listSecrets(d: ControlDeps, filters?: Filters): Secret[] {
  return listPayloads(d.store.view, 'secret', filters).map(presentSecret);
}

export async function updateSecret(d: ControlDeps, ref: string, version: number, spec: SecretSpec): Promise<Secret> {
  return presentSecret(await updatePayload(d, 'secret', ref, version, spec));
}

export function removeSecret(d: ControlDeps, ref: string): Promise<void> {
  return removePayload(d, 'secret', ref);
}
