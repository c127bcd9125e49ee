// swarmkit's control API for configs (manager/controlapi/config.go). Unlike a
// secret's, a config's Data is returned by every answer, as Docker does.

import type { Config, ConfigSpec } from '../../api/types';
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

/** swarmkit validateConfigSpec, plus the template driver (secret-config.ts). */
function checkConfigSpec(spec: ConfigSpec): void {
  checkPayloadName(spec.Name);
  checkPayloadSize('config', spec.Data);
  checkTemplating('config', spec);
}

export async function createConfig(d: ControlDeps, spec: ConfigSpec): Promise<Config> {
  checkConfigSpec(spec);
  return createPayload(d, 'config', spec);
}

export function getConfig(d: ControlDeps, ref: string): Config {
  return lookupPayload(d.store.view, 'config', ref);
}

/** Filters `name` (prefix), `id` (prefix), `label`; an unknown key is a 400. */
export function listConfigs(d: ControlDeps, filters?: Filters): Config[] {
  return listPayloads(d.store.view, 'config', filters);
}

export function updateConfig(d: ControlDeps, ref: string, version: number, spec: ConfigSpec): Promise<Config> {
  return updatePayload(d, 'config', ref, version, spec);
}

export function removeConfig(d: ControlDeps, ref: string): Promise<void> {
  return removePayload(d, 'config', ref);
}
