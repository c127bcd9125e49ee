// The console's view of secrets and configs (`docker secret ls` / `docker
// config ls` with the services using each): pure functions over the objects
// the realtime store holds. A secret reaches the browser without its value
// (the server redacts it); nothing here reads a secret's Data either, so a
// row or detail of a secret has no field that could carry it.

import type { Config, Secret, Service } from '@/server/api/types';
import { naturalCompare } from '../cluster/derive';

export type PayloadKind = 'secret' | 'config';

/** A service using the object, with the file the reference puts it at. */
export interface PayloadUse {
  serviceID: string;
  service: string;
  /** File.Name: relative names of secrets land under /run/secrets (Swarmdeck: its secrets dir). */
  target: string;
  uid: string;
  gid: string;
  /** File.Mode as octal text, e.g. "0444". */
  mode: string;
}

export interface PayloadRow {
  kind: PayloadKind;
  id: string;
  name: string;
  labels: [string, string][];
  createdAt: string;
  updatedAt: string;
  /** Spec.Templating.Name, e.g. "golang". */
  templating?: string;
  /** Secrets only: Spec.Driver.Name. */
  driver?: string;
  users: PayloadUse[];
}

/** What a config's page shows of its data. */
export interface ConfigData {
  bytes: number;
  /** The data as UTF-8 text, when it is text. */
  text?: string;
}

const octal = (mode: number | undefined): string =>
  mode === undefined ? '—' : `0${mode.toString(8).padStart(3, '0')}`;

function uses(kind: PayloadKind, id: string, services: Iterable<Service>): PayloadUse[] {
  const out: PayloadUse[] = [];
  for (const s of services) {
    const cs = s.Spec.TaskTemplate?.ContainerSpec;
    const refs =
      kind === 'secret'
        ? (cs?.Secrets ?? []).filter((r) => r.SecretID === id)
        : (cs?.Configs ?? []).filter((r) => r.ConfigID === id);
    for (const r of refs)
      out.push({
        serviceID: s.ID,
        service: s.Spec.Name,
        target: r.File?.Name ?? (kind === 'config' ? 'runtime' : ''),
        uid: r.File?.UID ?? '—',
        gid: r.File?.GID ?? '—',
        mode: octal(r.File?.Mode),
      });
  }
  return out.sort((a, b) => naturalCompare(a.service, b.service) || naturalCompare(a.target, b.target));
}

/** One object as a row: its metadata and users, never its data. */
export function payloadRow(kind: PayloadKind, o: Secret | Config, services: Iterable<Service>): PayloadRow {
  const row: PayloadRow = {
    kind,
    id: o.ID,
    name: o.Spec.Name,
    labels: Object.entries(o.Spec.Labels ?? {}).sort(([a], [b]) => naturalCompare(a, b)),
    createdAt: o.CreatedAt,
    updatedAt: o.UpdatedAt,
    users: uses(kind, o.ID, services),
  };
  if (o.Spec.Templating?.Name) row.templating = o.Spec.Templating.Name;
  if (kind === 'secret' && (o as Secret).Spec.Driver?.Name) row.driver = (o as Secret).Spec.Driver!.Name;
  return row;
}

/** Every object of a kind, by name (as the CLI sorts its list). */
export function payloadRows(
  kind: PayloadKind,
  objects: Iterable<Secret | Config>,
  services: Iterable<Service>,
): PayloadRow[] {
  const list = [...services];
  return [...objects].sort((a, b) => naturalCompare(a.Spec.Name, b.Spec.Name)).map((o) => payloadRow(kind, o, list));
}

/** The object a page's URL names: its ID, its name, or a unique ID prefix (as the CLI resolves them). */
export function findPayload<T extends Secret | Config>(objects: Iterable<T>, ref: string): T | undefined {
  const list = [...objects];
  const exact = list.find((o) => o.ID === ref) ?? list.find((o) => o.Spec.Name === ref);
  if (exact) return exact;
  const prefixed = list.filter((o) => o.ID.startsWith(ref));
  return prefixed.length === 1 ? prefixed[0] : undefined;
}

/** A config's base64 Data: its size, and its text when it is valid UTF-8 without control bytes. */
export function configData(data: string | undefined): ConfigData {
  if (!data) return { bytes: 0, text: '' };
  let bytes: Uint8Array;
  try {
    bytes = Uint8Array.from(atob(data), (c) => c.charCodeAt(0));
  } catch {
    return { bytes: 0 };
  }
  try {
    const text = new TextDecoder('utf-8', { fatal: true }).decode(bytes);
    // NUL and other C0 controls (tab, newline and carriage return aside) mean binary
    if (bytes.some((b) => b < 0x20 && b !== 0x09 && b !== 0x0a && b !== 0x0d)) return { bytes: bytes.length };
    return { bytes: bytes.length, text };
  } catch {
    return { bytes: bytes.length };
  }
}
