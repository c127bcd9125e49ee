// Compile-time proof that the schemas decode into exactly the object types
// of ../types.ts (which the store, the control loops and the console use):
// adding, removing or retyping a field on one side without the other fails
// `tsc`. Optionality is left out of the comparison: the interfaces also type
// objects written by other paths (seeds, tests), where the schemas' defaults
// have not been filled in. Nothing here runs.

import type { z } from 'zod';
import type { ClusterSpec, ContainerSpec, NodeSpec, ServiceSpec } from '../types';
import type {
  AvailabilityBody,
  CreateServiceForm,
  ImageBody,
  LabelBody,
  RestoreBody,
  RotateTokenBody,
  ScaleBody,
  SwarmSettingsBody,
  UpdateServiceForm,
} from '../console';
import type { clusterSpecSchema } from './cluster-spec';
import type * as console from './console-bodies';
import type { nodeSpecSchema } from './node-spec';
import type { serviceSpecSchema } from './service-spec';

/** True only when A and B are the same type (not merely assignable). */
export type Equal<A, B> = (<T>() => T extends A ? 1 : 2) extends <T>() => T extends B ? 1 : 2 ? true : false;

/** Every field optional, all the way down. */
export type Loose<T> = T extends readonly (infer E)[]
  ? Loose<E>[]
  : T extends object
    ? { [K in keyof T]?: Loose<Exclude<T[K], undefined>> }
    : T;

/** A compile error unless T is true. */
export type Assert<T extends true> = T;

export type Agree<Schema extends z.ZodType, Interface> = Equal<Loose<z.output<Schema>>, Loose<Interface>>;

/** ContainerSpec.PullOptions is swarmkit's registry auth, set from a header, never decoded from a spec. */
type PostedServiceSpec = Omit<ServiceSpec, 'TaskTemplate'> & {
  TaskTemplate: Omit<ServiceSpec['TaskTemplate'], 'ContainerSpec'> & {
    ContainerSpec: Omit<ContainerSpec, 'PullOptions'>;
  };
};

export type ServiceSpecAgrees = Assert<Agree<typeof serviceSpecSchema, PostedServiceSpec>>;
export type NodeSpecAgrees = Assert<Agree<typeof nodeSpecSchema, NodeSpec>>;
export type ClusterSpecAgrees = Assert<Agree<typeof clusterSpecSchema, ClusterSpec>>;

export type CreateServiceFormAgrees = Assert<Agree<typeof console.createServiceFormSchema, CreateServiceForm>>;
export type UpdateServiceFormAgrees = Assert<Agree<typeof console.updateServiceFormSchema, UpdateServiceForm>>;
export type ScaleBodyAgrees = Assert<Agree<typeof console.scaleBodySchema, ScaleBody>>;
export type ImageBodyAgrees = Assert<Agree<typeof console.imageBodySchema, ImageBody>>;
export type RestoreBodyAgrees = Assert<Agree<typeof console.restoreBodySchema, RestoreBody>>;
export type AvailabilityBodyAgrees = Assert<Agree<typeof console.availabilityBodySchema, AvailabilityBody>>;
export type LabelBodyAgrees = Assert<Agree<typeof console.labelBodySchema, LabelBody>>;
export type RotateTokenBodyAgrees = Assert<Agree<typeof console.rotateTokenBodySchema, RotateTokenBody>>;
export type SwarmSettingsBodyAgrees = Assert<Agree<typeof console.swarmSettingsBodySchema, SwarmSettingsBody>>;
