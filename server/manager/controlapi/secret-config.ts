// What swarmkit's control API does alike for secrets and configs
// (manager/controlapi/{secret,config,common}.go) and dockerd's lookups in
// front of it (daemon/cluster/helpers.go getSecret/getConfig): the name
// rule, the payload size, case-insensitive unique names, labels-only
// updates and the in-use refusal. secrets.ts and configs.ts hold what
// differs: a secret's value never leaves the store, a config's does.

import { timingSafeEqual } from 'node:crypto';
import { SequenceConflict, rpcError } from '../../api/errors';
import { newID } from '../../api/ids';
import { payloadInUse, type PayloadKind } from '../../api/payload-refs';
import type { ObjectByKind } from '../../api/types';
import type { MemoryStore } from '../../store/memory-store';
import type { ControlDeps } from './context';
import { checkFilterKeys, labelFilter, matchesLabels, values } from './filters';
import { resolveRef } from './lookup';
import type { Filters } from './types';

export type { PayloadKind };
type Payload<K extends PayloadKind> = ObjectByKind[K];
type PayloadSpec<K extends PayloadKind> = Payload<K>['Spec'];

/** swarmkit validation.MaxSecretSize: data must be shorter than 500 KiB. */
export const MAX_SECRET_SIZE = 500 * 1024;
/** swarmkit controlapi.MaxConfigSize: 1000 KiB (the proto comment's 500 KB is stale). */
export const MAX_CONFIG_SIZE = 1000 * 1024;

/** swarmkit isValidConfigOrSecretName. */
const NAME = /^[a-zA-Z0-9]+(?:[a-zA-Z0-9-_.]*[a-zA-Z0-9])?$/;
const MAX_NAME = 64;

/** The only template driver swarm's agent knows (template/expand.go). */
export const TEMPLATE_DRIVER = 'golang';

const invalid = (desc: string) => rpcError('InvalidArgument', desc);

/** swarmkit validateConfigOrSecretAnnotations. */
export function checkPayloadName(name: string): void {
  if (name === '') throw invalid('name must be provided');
  if (name.length > MAX_NAME || !NAME.test(name))
    throw invalid(
      'invalid name, only 64 [a-zA-Z0-9-_.] characters allowed, and the start and end character must be [a-zA-Z0-9]',
    );
}

/** Bytes the base64 `Data` holds (the schema checked it is base64). */
export function payloadBytes(data: string | undefined): number {
  return data ? Buffer.byteLength(data, 'base64') : 0;
}

/** swarmkit ValidateSecretPayload / validateConfigSpec: 0 < size < limit. */
export function checkPayloadSize(kind: PayloadKind, data: string | undefined): void {
  const max = kind === 'secret' ? MAX_SECRET_SIZE : MAX_CONFIG_SIZE;
  const n = payloadBytes(data);
  if (n < 1 || n >= max) throw invalid(`${kind} data must be larger than 0 and less than ${max} bytes`);
}

/**
 * `Spec.Templating`: swarm accepts any driver at create and its agent then
 * fails every task with "unrecognized template type"; refused here at once.
 */
export function checkTemplating(kind: PayloadKind, spec: { Templating?: { Name?: string } }): void {
  const t = spec.Templating;
  if (!t || t.Name === TEMPLATE_DRIVER) return;
  throw invalid(
    `unrecognized template type ${JSON.stringify(t.Name ?? '')}: a ${kind}'s template driver must be "${TEMPLATE_DRIVER}" (--template-driver ${TEMPLATE_DRIVER})`,
  );
}

/**
 * dockerd's getSecret/getConfig: full ID, then the name (case-insensitive,
 * as swarmkit's name index), then a unique ID prefix.
 */
export function lookupPayload<K extends PayloadKind>(view: MemoryStore, kind: K, ref: string): Payload<K> {
  return resolveRef(kind, ref, {
    byID: (id) => view.get(kind, id),
    byName: (name) => {
      const o = view.payloadByName(kind, name);
      return o ? [o] : [];
    },
    all: () => view.list(kind),
  });
}

/** The list filters dockerd accepts per kind (newListSecretsFilters / newListConfigsFilters). */
const FILTER_KEYS: Record<PayloadKind, readonly string[]> = {
  secret: ['names', 'name', 'id', 'label'],
  config: ['name', 'id', 'label'],
};

/**
 * swarmkit ListSecrets / ListConfigs: objects matching any exact name
 * (`names`), any name prefix (`name`, both case-insensitive) or any ID prefix
 * (`id`), and every `label`.
 */
export function listPayloads<K extends PayloadKind>(view: MemoryStore, kind: K, filters?: Filters): Payload<K>[] {
  checkFilterKeys(filters, FILTER_KEYS[kind]);
  const names = values(filters, 'names').map((n) => n.toLowerCase());
  const namePrefixes = values(filters, 'name').map((n) => n.toLowerCase());
  const idPrefixes = values(filters, 'id');
  const labels = labelFilter(values(filters, 'label'));
  const any = names.length + namePrefixes.length + idPrefixes.length > 0;
  return view.list(kind).filter((o) => {
    if (!matchesLabels(o.Spec.Labels, labels)) return false;
    if (!any) return true;
    const name = o.Spec.Name.toLowerCase();
    return (
      names.includes(name) || namePrefixes.some((p) => name.startsWith(p)) || idPrefixes.some((p) => o.ID.startsWith(p))
    );
  });
}

/** Creates the object after `check` (the kind's spec rules); its name must be free in any case. */
export async function createPayload<K extends PayloadKind>(
  d: ControlDeps,
  kind: K,
  spec: PayloadSpec<K>,
): Promise<Payload<K>> {
  const id = newID();
  await d.store.update((tx) => {
    if (d.store.view.payloadByName(kind, spec.Name))
      throw rpcError('AlreadyExists', `${kind} ${spec.Name} already exists`);
    tx.create(kind, {
      ID: id,
      Version: { Index: 0 },
      CreatedAt: tx.now,
      UpdatedAt: tx.now,
      Spec: { ...spec, Labels: spec.Labels ?? {} },
    } as Payload<K>);
  });
  const created = d.store.view.get(kind, id);
  if (!created) throw rpcError('NotFound', `${kind} ${id} not found`);
  return created;
}

/** Same bytes, compared in constant time (swarmkit's subtle.ConstantTimeCompare). */
function sameData(a: string, b: string | undefined): boolean {
  const x = Buffer.from(a, 'base64');
  const y = Buffer.from(b ?? '', 'base64');
  return x.length === y.length && timingSafeEqual(x, y);
}

/**
 * swarmkit UpdateSecret / UpdateConfig: only the labels change. A different
 * name, or Data that is present and differs, is refused before the version
 * is checked; the Driver and Templating sent are ignored, as in swarmkit.
 */
export async function updatePayload<K extends PayloadKind>(
  d: ControlDeps,
  kind: K,
  ref: string,
  version: number,
  spec: PayloadSpec<K>,
): Promise<Payload<K>> {
  const id = lookupPayload(d.store.view, kind, ref).ID;
  await d.store.update((tx) => {
    const cur = tx.get(kind, id) as Payload<K> | undefined;
    if (!cur) throw rpcError('NotFound', `${kind} ${id} not found`);
    if (cur.Spec.Name !== spec.Name || (spec.Data !== undefined && !sameData(spec.Data, cur.Spec.Data)))
      throw rpcError('InvalidArgument', 'only updates to Labels are allowed');
    if (cur.Version.Index !== version) throw new SequenceConflict();
    tx.update(kind, { ...cur, Spec: { ...cur.Spec, Labels: spec.Labels ?? {} } });
  });
  const updated = d.store.view.get(kind, id);
  if (!updated) throw rpcError('NotFound', `${kind} ${id} not found`);
  return updated;
}

/** swarmkit RemoveSecret / RemoveConfig: refused while a service's spec references it. */
export async function removePayload(d: ControlDeps, kind: PayloadKind, ref: string): Promise<void> {
  const id = lookupPayload(d.store.view, kind, ref).ID;
  await d.store.update(
    (tx) => {
      const cur = tx.get(kind, id);
      if (!cur) throw rpcError('NotFound', `${kind} ${id} not found`);
      const busy = payloadInUse(kind, cur, d.store.view.list('service'));
      if (busy) throw busy;
      tx.delete(kind, id);
    },
    { retry: true },
  );
}
