// The valid bodies the fuzzer starts from. Engine API bodies are the ones the
// docker CLI 28.2.2 really sent (captured by capture.ts into
// corpus/cli-bodies.json; `npm run fuzz -- --capture` refreshes them, and the
// fuzz test checks the CLI still sends the same). Console bodies are typed
// against the console API's own types with every field present, so a field
// added there and forgotten here fails to compile.

import { readFileSync } from 'node:fs';
import type {
  AvailabilityBody,
  CreateServiceForm,
  ImageBody,
  LabelBody,
  RestoreBody,
  RotateTokenBody,
  SwarmSettingsBody,
  ScaleBody,
  UpdateServiceForm,
} from '../../server/api/console';
import type { ClusterSpec, NodeSpec, ServiceSpec } from '../../server/api/types';
import type { CreateAccountBody, CreateShareLinkBody, SetupBody, UpdateAccountBody } from '../../server/api/auth';
import type { Corpus } from './capture';
import type { Json } from './json-tree';

export const CORPUS_FILE = new URL('./corpus/cli-bodies.json', import.meta.url);

export const CLI_BODIES = JSON.parse(readFileSync(CORPUS_FILE, 'utf8')) as Corpus & {
  serviceSpecs: Record<'replicated' | 'global' | 'replicatedJob' | 'globalJob', ServiceSpec>;
  nodeSpec: NodeSpec;
  swarmSpec: ClusterSpec;
};

/** The captured swarm spec plus the fields of ours the CLI leaves out when they are unset. */
export const SWARM_SPEC: Required<ClusterSpec> = {
  ...CLI_BODIES.swarmSpec,
  Raft: { ...CLI_BODIES.swarmSpec.Raft, TickInterval: 100_000_000 },
};

export const NODE_SPEC: Required<NodeSpec> = { Name: 'fuzz-node', ...CLI_BODIES.nodeSpec };

export const CREATE_FORM: Required<CreateServiceForm> = {
  name: 'fz-form',
  image: 'nginx:alpine',
  mode: 'replicated',
  replicas: 2,
  entrypoint: '/bin/sh',
  command: `-c 'exec nginx -g "daemon off;"'`,
  env: ['A=1', 'B=two words'],
  labels: ['team=ops'],
  ports: [{ target: 80, published: 8080, protocol: 'tcp', mode: 'ingress' }],
  // the next three name objects that must exist in the swarm first
  networks: [],
  mounts: [{ type: 'tmpfs', target: '/scratch' }],
  secrets: [],
  configs: [],
  constraints: ['node.role==worker'],
  reserveCpus: 0.1,
  reserveMemoryMiB: 16,
  restartCondition: 'on-failure',
  restartDelaySeconds: 1,
  restartMaxAttempts: 3,
};

export const UPDATE_FORM: Required<UpdateServiceForm> = {
  image: 'nginx:1.27',
  parallelism: 2,
  delaySeconds: 0,
  failureAction: 'pause',
  monitorSeconds: 1,
  maxFailureRatio: 0.5,
  order: 'stop-first',
  force: true,
};

export const SCALE_BODY: ScaleBody = { replicas: 2 };
export const IMAGE_BODY: ImageBody = { image: 'nginx:1.27' };
export const AVAILABILITY_BODY: AvailabilityBody = { availability: 'active' };
export const LABEL_BODY: LabelBody = { key: 'zone', value: 'a' };
export const ROTATE_BODY: RotateTokenBody = { role: 'worker' };
export const SWARM_SETTINGS_BODY: SwarmSettingsBody = { maxReplicas: 10_000, specHistoryLimit: 20 };
/** Console accounts and links (no login or password bodies: failed logins would rate-limit the fuzzer's own admin). */
export const CREATE_ACCOUNT_BODY: CreateAccountBody = { name: 'fz-user', role: 'viewer', password: 'fz-password-1' };
export const UPDATE_ACCOUNT_BODY: UpdateAccountBody = { role: 'operator' };
export const SHARE_LINK_BODY: CreateShareLinkBody = { name: 'fz wall', ttlHours: 1 };
export const SETUP_BODY: SetupBody = { token: 'fz-not-the-token', name: 'fz-admin', password: 'fz-password-1' };
/** versionID is filled in at send time with a real one of the service. */
export const RESTORE_BODY: RestoreBody = { versionID: '{{serviceVersion}}' };

/** What `docker network create -d overlay --attachable --subnet 10.40.0.0/24 fz-net` sends (CLI 28.2.2). */
export const NETWORK_CREATE_BODY = {
  Name: 'fz-net',
  Driver: 'overlay',
  Scope: '',
  IPAM: { Driver: 'default', Options: {}, Config: [{ Subnet: '10.40.0.0/24', AuxiliaryAddresses: {} }] },
  Internal: false,
  Attachable: true,
  Ingress: false,
  ConfigOnly: false,
  ConfigFrom: null,
  Options: {},
  Labels: { fz: '1' },
};
/** What `docker secret create -l fz=1 fz-secret -` sends (CLI 28.2.2); the fuzzer names it after a pool service. */
export const SECRET_SPEC_BODY = {
  Name: 'fz-secret',
  Labels: { fz: '1' },
  Data: Buffer.from('fz-secret-value').toString('base64'),
};
/** What `docker config create -l fz=1 --template-driver golang fz-config -` sends (CLI 28.2.2). */
export const CONFIG_SPEC_BODY = {
  Name: 'fz-config',
  Labels: { fz: '1' },
  Data: Buffer.from('name: {{.Service.Name}}\n').toString('base64'),
  Templating: { Name: 'golang' },
};
export const NETWORK_CONNECT_BODY = { Container: 'fz-container', EndpointConfig: { Aliases: ['fz'] } };
export const NETWORK_DISCONNECT_BODY = { Container: 'fz-container', Force: false };

/** Every valid body by the name routes refer to it with. */
export const BODIES = {
  serviceSpec: CLI_BODIES.serviceSpecs.replicated,
  globalServiceSpec: CLI_BODIES.serviceSpecs.global,
  replicatedJobSpec: CLI_BODIES.serviceSpecs.replicatedJob,
  globalJobSpec: CLI_BODIES.serviceSpecs.globalJob,
  nodeSpec: NODE_SPEC,
  swarmSpec: SWARM_SPEC,
  swarmInit: CLI_BODIES.swarmInit,
  swarmJoin: CLI_BODIES.swarmJoin,
  createForm: CREATE_FORM,
  updateForm: UPDATE_FORM,
  scale: SCALE_BODY,
  image: IMAGE_BODY,
  availability: AVAILABILITY_BODY,
  label: LABEL_BODY,
  rotate: ROTATE_BODY,
  swarmSettings: SWARM_SETTINGS_BODY,
  createAccount: CREATE_ACCOUNT_BODY,
  updateAccount: UPDATE_ACCOUNT_BODY,
  shareLink: SHARE_LINK_BODY,
  setup: SETUP_BODY,
  restore: RESTORE_BODY,
  networkCreate: NETWORK_CREATE_BODY,
  networkConnect: NETWORK_CONNECT_BODY,
  networkDisconnect: NETWORK_DISCONNECT_BODY,
  secretSpec: SECRET_SPEC_BODY,
  configSpec: CONFIG_SPEC_BODY,
} as const satisfies Record<string, unknown>;

export type BodyName = keyof typeof BODIES;

export function body(name: BodyName): Json {
  return structuredClone(BODIES[name]) as unknown as Json;
}
