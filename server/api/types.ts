import type { Role } from './access';

// Engine API object shapes: the model the docker CLI, the console and the
// store all speak. Field names follow Docker's; console-only additions sit
// beside them under names Docker does not use.

export interface Version {
  Index: number;
}

export interface Meta {
  ID: string;
  Version: Version;
  CreatedAt: string;
  UpdatedAt: string;
}

export type Labels = Record<string, string>;

// ---------- tasks ----------

export const TASK_STATES = [
  'new',
  'pending',
  'assigned',
  'accepted',
  'preparing',
  'ready',
  'starting',
  'running',
  'complete',
  'shutdown',
  'failed',
  'rejected',
  'remove',
  'orphaned',
] as const;
export type TaskState = (typeof TASK_STATES)[number];

/** swarmkit's numeric values: the ordering is the invariant, the gaps are deliberate. */
export const TASK_STATE_VALUE: Record<TaskState, number> = {
  new: 0,
  pending: 64,
  assigned: 192,
  accepted: 256,
  preparing: 320,
  ready: 384,
  starting: 448,
  running: 512,
  complete: 576,
  shutdown: 640,
  failed: 704,
  rejected: 768,
  remove: 800,
  orphaned: 832,
};

export function stateValue(s: TaskState): number {
  return TASK_STATE_VALUE[s];
}
/** a > b in swarm's state order */
export function stateAfter(a: TaskState, b: TaskState): boolean {
  return TASK_STATE_VALUE[a] > TASK_STATE_VALUE[b];
}
/** Terminal means past RUNNING (COMPLETE and above), as everywhere in swarmkit. */
export function isTerminal(s: TaskState): boolean {
  return TASK_STATE_VALUE[s] > TASK_STATE_VALUE.running;
}
export function isTaskState(s: string): s is TaskState {
  return (TASK_STATES as readonly string[]).includes(s);
}

export interface ContainerStatus {
  ContainerID?: string;
  PID?: number;
  ExitCode?: number;
  /** The health check's verdict; 'starting' until the first check passes. */
  Health?: 'starting' | 'healthy' | 'unhealthy';
}

export interface TaskStatus {
  Timestamp: string;
  State: TaskState;
  Message: string;
  Err?: string;
  ContainerStatus?: ContainerStatus;
  PortStatus?: { Ports?: PortConfig[] };
  /** Manager clock when the dispatcher applied the status (swarmkit AppliedAt). */
  AppliedAt?: string;
  AppliedBy?: string;
}

/** Console-only: why the scheduler could not place a PENDING task. */
export interface SchedulingExplain {
  /** Filter name → number of nodes it rejected, in pipeline order. */
  Filters: { Name: string; Nodes: number; Text: string }[];
  TotalNodes: number;
  At: string;
}

export interface Task extends Meta {
  Labels: Labels;
  Spec: TaskSpec;
  SpecVersion?: Version;
  ServiceID: string;
  Slot: number;
  NodeID: string;
  Status: TaskStatus;
  DesiredState: TaskState;
  ServiceAnnotations: { Name: string; Labels: Labels };
  /** A copy of the service's endpoint when the task was created (swarmkit Task.Endpoint). */
  Endpoint?: Service['Endpoint'];
  /** One address per attached network, set by the allocator (ingress first when the service publishes ingress ports). */
  NetworksAttachments?: NetworkAttachment[];
  /** Console-only, set while PENDING and unschedulable. */
  Scheduling?: SchedulingExplain;
  /** Job tasks only: the service's JobStatus.JobIteration when the task was created. */
  JobIteration?: Version;
}

// ---------- services ----------
// The spec types follow moby's api/types/swarm field for field (the schemas in
// ./schemas decode into exactly these; ./schemas/types-agree.ts checks it).
// Durations are int64 nanoseconds; optional fields are Go's omitempty ones.

export interface PortConfig {
  Name?: string;
  Protocol?: 'tcp' | 'udp' | 'sctp';
  TargetPort?: number;
  PublishedPort?: number;
  PublishMode?: 'ingress' | 'host';
}

export interface RestartPolicy {
  Condition?: 'none' | 'on-failure' | 'any';
  /** nanoseconds */
  Delay?: number;
  MaxAttempts?: number;
  /** nanoseconds */
  Window?: number;
}

/** `--generic-resource kind=value`: a named resource or a count of a discrete one. */
export interface GenericResource {
  NamedResourceSpec?: { Kind?: string; Value?: string };
  DiscreteResourceSpec?: { Kind?: string; Value?: number };
}

/** Resources.Limits (swarm.Limit). */
export interface ResourceSpec {
  NanoCPUs?: number;
  MemoryBytes?: number;
  Pids?: number;
}

/** Resources.Reservations (swarm.Resources). */
export interface ResourceReservations {
  NanoCPUs?: number;
  MemoryBytes?: number;
  GenericResources?: GenericResource[];
}

export interface Platform {
  Architecture?: string;
  OS?: string;
}

export interface Placement {
  Constraints?: string[];
  /** Only spread preferences exist; the descriptor is `node.labels.<key>` or `engine.labels.<key>`. */
  Preferences?: { Spread?: { SpreadDescriptor: string } }[];
  MaxReplicas?: number;
  Platforms?: Platform[];
}

export interface Driver {
  Name?: string;
  Options?: Record<string, string>;
}

export interface DNSConfig {
  Nameservers?: string[];
  Search?: string[];
  Options?: string[];
}

export interface Privileges {
  CredentialSpec?: { Config?: string; File?: string; Registry?: string };
  SELinuxContext?: { Disable?: boolean; User?: string; Role?: string; Type?: string; Level?: string };
  Seccomp?: { Mode?: 'default' | 'unconfined' | 'custom'; /** base64 */ Profile?: string };
  AppArmor?: { Mode?: 'default' | 'disabled' };
  NoNewPrivileges?: boolean;
}

export interface FileTarget {
  Name?: string;
  UID?: string;
  GID?: string;
  Mode?: number;
}

export interface SecretReference {
  File?: FileTarget;
  SecretID?: string;
  SecretName?: string;
}

export interface ConfigReference {
  File?: FileTarget;
  Runtime?: Record<string, never>;
  ConfigID?: string;
  ConfigName?: string;
}

export interface Ulimit {
  Name?: string;
  Hard?: number;
  Soft?: number;
}

export type MountType = 'bind' | 'volume' | 'tmpfs' | 'npipe' | 'cluster' | 'image';

export interface Mount {
  Type?: MountType;
  Source?: string;
  Target?: string;
  ReadOnly?: boolean;
  Consistency?: 'default' | 'consistent' | 'cached' | 'delegated';
  BindOptions?: {
    Propagation?: 'rprivate' | 'private' | 'rshared' | 'shared' | 'rslave' | 'slave';
    NonRecursive?: boolean;
    CreateMountpoint?: boolean;
    ReadOnlyNonRecursive?: boolean;
    ReadOnlyForceRecursive?: boolean;
  };
  VolumeOptions?: { NoCopy?: boolean; Labels?: Labels; Subpath?: string; DriverConfig?: Driver };
  ImageOptions?: { Subpath?: string };
  TmpfsOptions?: { SizeBytes?: number; Mode?: number; Options?: string[][] };
  ClusterOptions?: Record<string, never>;
}

export interface ContainerSpec {
  Image: string;
  Labels?: Labels;
  Command?: string[];
  Args?: string[];
  Hostname?: string;
  Env?: string[];
  Dir?: string;
  User?: string;
  Groups?: string[];
  Privileges?: Privileges;
  Init?: boolean;
  StopSignal?: string;
  TTY?: boolean;
  OpenStdin?: boolean;
  ReadOnly?: boolean;
  Mounts?: Mount[];
  /** nanoseconds */
  StopGracePeriod?: number;
  Healthcheck?: HealthConfig;
  Hosts?: string[];
  DNSConfig?: DNSConfig;
  Secrets?: SecretReference[];
  Configs?: ConfigReference[];
  Isolation?: 'default' | 'process' | 'hyperv';
  Sysctls?: Record<string, string>;
  CapabilityAdd?: string[];
  CapabilityDrop?: string[];
  Ulimits?: Ulimit[];
  OomScoreAdj?: number;
  /** swarmkit's, from the X-Registry-Auth header, never from a posted spec (the schemas drop it). */
  PullOptions?: { RegistryAuth?: string };
}

/**
 * `docker service create --health-*`. Test: `[]` inherits from the image,
 * `["NONE"]` disables, `["CMD", …]` / `["CMD-SHELL", cmd]` runs. Durations
 * are nanoseconds, 0 meaning the default.
 */
export interface HealthConfig {
  Test?: string[];
  Interval?: number;
  Timeout?: number;
  Retries?: number;
  StartPeriod?: number;
  StartInterval?: number;
}

export interface NetworkAttachmentConfig {
  Target: string;
  Aliases?: string[];
  DriverOpts?: Record<string, string>;
}

export interface TaskSpec {
  ContainerSpec: ContainerSpec;
  Resources?: { Limits?: ResourceSpec; Reservations?: ResourceReservations };
  RestartPolicy?: RestartPolicy;
  Placement?: Placement;
  Networks?: NetworkAttachmentConfig[];
  LogDriver?: Driver;
  ForceUpdate: number;
  Runtime?: string;
}

export interface UpdateConfig {
  Parallelism?: number;
  Delay?: number;
  FailureAction?: 'pause' | 'continue' | 'rollback';
  Monitor?: number;
  MaxFailureRatio?: number;
  Order?: 'stop-first' | 'start-first';
}

export interface EndpointSpec {
  Mode?: 'vip' | 'dnsrr';
  Ports?: PortConfig[];
}

export interface ServiceMode {
  Replicated?: { Replicas?: number };
  Global?: Record<string, never>;
  ReplicatedJob?: { MaxConcurrent?: number; TotalCompletions?: number };
  GlobalJob?: Record<string, never>;
}

export interface ServiceSpec {
  Name: string;
  Labels: Labels;
  TaskTemplate: TaskSpec;
  Mode: ServiceMode;
  UpdateConfig?: UpdateConfig;
  RollbackConfig?: UpdateConfig;
  /** Deprecated by Docker in favour of TaskTemplate.Networks; kept as sent. */
  Networks?: NetworkAttachmentConfig[];
  EndpointSpec?: EndpointSpec;
}

export type UpdateState =
  'updating' | 'paused' | 'completed' | 'rollback_started' | 'rollback_paused' | 'rollback_completed';

export interface UpdateStatus {
  State: UpdateState;
  StartedAt?: string;
  CompletedAt?: string;
  Message: string;
}

export interface JobStatus {
  /** Which run of the job the current tasks belong to: 0 at create, +1 on every update. */
  JobIteration: Version;
  /** When the current iteration was started (informational; never re-runs the job). */
  LastExecution?: string;
}

export interface Service extends Meta {
  Spec: ServiceSpec;
  SpecVersion: Version;
  PreviousSpec?: ServiceSpec;
  PreviousSpecVersion?: Version;
  Endpoint: { Spec: EndpointSpec; Ports?: PortConfig[]; VirtualIPs?: { NetworkID: string; Addr: string }[] };
  UpdateStatus?: UpdateStatus;
  /** Job services only (swarmkit JobStatus): every spec update starts a new iteration. */
  JobStatus?: JobStatus;
  /** Console-only: control loops that could not work on this service, one per loop. */
  Faults?: ControlFault[];
  /**
   * Swarmdeck-only, filled in at read time from the nodes' heartbeats: the published ports of this
   * service that a node's routing mesh cannot bind (raw `docker service inspect`, the console).
   */
  MeshErrors?: ServiceMeshError[];
}

/** Swarmdeck-only: a published port a node's routing mesh cannot bind (reported on its heartbeats). */
export interface MeshPortError {
  ServiceID: string;
  PublishedPort: number;
  Protocol: 'tcp' | 'udp';
  PublishMode: 'ingress' | 'host';
  /** e.g. `routing mesh: cannot listen on 127.0.0.2:80/tcp for service web: EADDRINUSE` */
  Message: string;
}

/** A MeshPortError as the service shows it: which node. */
export interface ServiceMeshError extends Omit<MeshPortError, 'ServiceID'> {
  NodeID: string;
  Hostname: string;
}

// ---------- control-loop faults (console-only) ----------

/** The leader's control loops, as a fault names them. */
export type ControlLoop = 'orchestrator' | 'restart' | 'updater' | 'scheduler' | 'allocator' | 'reaper';

/**
 * A control loop's pass threw on this object: the loop went on with every
 * other object and marked this one. Written only when it changes; the loop
 * removes it once the object reconciles again.
 */
export interface ControlFault {
  Loop: ControlLoop;
  Message: string;
  /** When the loop first failed with this message. */
  Since: string;
}

/** Starts the UpdateStatus message a service-wide fault shows the CLI (not one of the updater's own). */
export const FAULT_STATUS_PREFIX = 'fault: ';

/** The UpdateStatus a fault wrote: `paused` with a "fault: …" message (server/manager/fault-policy.ts). */
export function isFaultStatus(st: UpdateStatus | undefined): boolean {
  return (
    !!st && (st.State === 'paused' || st.State === 'rollback_paused') && st.Message.startsWith(FAULT_STATUS_PREFIX)
  );
}

// ---------- nodes ----------

export type NodeRole = 'manager' | 'worker';
export type NodeAvailability = 'active' | 'pause' | 'drain';
export type NodeState = 'unknown' | 'down' | 'ready' | 'disconnected';

export interface NodeSpec {
  Name?: string;
  Labels: Labels;
  Role: NodeRole;
  Availability: NodeAvailability;
}

export interface NodeDescription {
  Hostname: string;
  Platform: { Architecture: string; OS: string };
  /** GenericResources: what `--generic-resource` (dockerd's node-generic-resources) says the node has. */
  Resources: { NanoCPUs: number; MemoryBytes: number; GenericResources?: GenericResource[] };
  Engine: { EngineVersion: string; Labels?: Labels; Plugins?: { Type: string; Name: string }[] };
  TLSInfo?: TLSInfo;
}

export interface NodeStatus {
  State: NodeState;
  Message?: string;
  Addr: string;
}

export interface ManagerStatus {
  Leader?: boolean;
  Reachability: 'unknown' | 'unreachable' | 'reachable';
  Addr: string;
}

export interface Node extends Meta {
  Spec: NodeSpec;
  /** Observed role (swarmkit Node.Role); Spec.Role is the desired one. */
  Role: NodeRole;
  Description: NodeDescription;
  Status: NodeStatus;
  /** Filled in at read time from the manager membership, never stored. */
  ManagerStatus?: ManagerStatus;
  /** Console-only: control loops that could not work on this node. */
  Faults?: ControlFault[];
  /**
   * NotAfter (RFC 3339) of the last certificate the CA issued this node: what `node rm` blacklists it
   * until (swarmkit reads it from Node.Certificate). Stored, never shown by the Engine API.
   */
  CertificateNotAfter?: string;
  /** swarmkit Node.Attachments: the node's load-balancer addresses, one per network it serves (ingress and task networks). */
  Attachments?: NetworkAttachment[];
  /** `swarm init/join --data-path-addr`: the address this node's node-to-node (data path) traffic uses. */
  DataPathAddr?: string;
  /** Published ports this node's routing mesh cannot bind, from its heartbeats. Stored; shown on the service. */
  MeshErrors?: MeshPortError[];
}

// ---------- cluster, networks, secrets, configs ----------

/** `docker swarm update --external-ca`: a CA that signs node certificates. */
export interface ExternalCA {
  Protocol: 'cfssl';
  URL: string;
  Options?: Record<string, string>;
  CACert: string;
}

/** The swarm spec (moby's swarm.Spec), as `GET /swarm` returns it. */
export interface ClusterSpec {
  Name: string;
  Labels: Labels;
  Orchestration: { TaskHistoryRetentionLimit?: number };
  Raft: {
    SnapshotInterval?: number;
    KeepOldSnapshots?: number;
    LogEntriesForSlowFollowers?: number;
    ElectionTick?: number;
    HeartbeatTick?: number;
    /** Swarmdeck: raft tick length in nanoseconds (swarm's fixed 1 s; default 75 ms). */
    TickInterval?: number;
  };
  Dispatcher: { HeartbeatPeriod?: number };
  CAConfig: CAConfig;
  TaskDefaults: { LogDriver?: Driver };
  EncryptionConfig: { AutoLockManagers: boolean };
}

/**
 * `Spec.CAConfig`. `ForceRotate` is bumped by `docker swarm ca --rotate`; the signing cert and key are
 * only ever sent in (`--ca-cert/--ca-key`), never stored in the spec or returned.
 */
export interface CAConfig {
  /** nanoseconds; 0 or absent: 90 days */
  NodeCertExpiry?: number;
  ExternalCAs?: ExternalCA[];
  SigningCACert?: string;
  /** Accepted for `docker swarm ca --rotate`; never stored in the spec, never returned (swarm redacts it). */
  SigningCAKey?: string;
  ForceRotate?: number;
}

/** A node's view of its TLS identity (swarmkit NodeTLSInfo): the subject and key are base64 DER. */
export interface TLSInfo {
  TrustRoot: string;
  CertIssuerSubject: string;
  CertIssuerPublicKey: string;
}

/**
 * The swarm's certificate authority (swarmkit api.RootCA), replicated to managers only. `CAKey` is the
 * root's private key: it never leaves the store (no Engine API, console or log path returns it).
 */
export interface RootCA {
  /** The trust root: PEM bundle every node trusts; its sha256 is the join tokens' digest. */
  CACert: string;
  CAKey: string;
  /** `sha256:<hex>` of CACert. */
  CACertHash: string;
  /** During `docker swarm ca --rotate`: the next root, and it cross-signed by the current one. */
  RootRotation?: { CACert: string; CAKey: string; CrossSignedCACert: string };
  /** The Spec.CAConfig.ForceRotate this root (or rotation) answers. */
  LastForcedRotation: number;
}

export interface Cluster extends Meta {
  Spec: ClusterSpec;
  JoinTokens: { Worker: string; Manager: string };
  DefaultAddrPool: string[];
  SubnetSize: number;
  DataPathPort: number;
  RootRotationInProgress: boolean;
  /** Absent only in stores written before the swarm had a CA (the first leader creates one). */
  RootCA?: RootCA;
  /** Node ID → when its last certificate expires: removed nodes, whose certificates are refused. */
  BlacklistedCertificates?: Record<string, { Expiry?: string }>;
  /**
   * With autolock (Spec.EncryptionConfig.AutoLockManagers): the managers' `SWMKEY-1-` unlock key (swarmkit's
   * UnlockKeys for the manager subsystem). Kept only in the encrypted raft store; never in an API answer
   * but `GET /swarm/unlockkey` (admins).
   */
  ManagerUnlockKey?: string;
}

/** swarm.IPAMConfig: `--subnet`, `--ip-range` (Range) and `--gateway`. */
export interface IPAMConfig {
  Subnet: string;
  Range?: string;
  Gateway?: string;
}

export interface IPAMOptions {
  Driver?: Driver;
  Configs?: IPAMConfig[];
}

export interface Network extends Meta {
  Spec: {
    Name: string;
    Labels: Labels;
    DriverConfiguration?: { Name: string; Options?: Record<string, string> };
    Internal?: boolean;
    Ingress?: boolean;
    Attachable?: boolean;
    IPAMOptions?: IPAMOptions;
  };
  /** Set by the allocator: the overlay driver's state (`com.docker.network.driver.overlay.vxlanid_list`). */
  DriverState?: Driver;
  /** Set by the allocator: the subnets and gateways actually in use. */
  IPAMOptions?: IPAMOptions;
}

/** swarm.NetworkAttachment: a full copy of the network and this holder's addresses on it (CIDR text). */
export interface NetworkAttachment {
  Network: Network;
  Aliases?: string[];
  Addresses?: string[];
}

/** swarm.SecretSpec. `Data` is base64 (Go's []byte); it is stored, never returned by any API. */
export interface SecretSpec {
  Name: string;
  Labels: Labels;
  Data?: string;
  /** An external secret store's driver (refused: Swarmdeck has no secret driver plugins). */
  Driver?: Driver;
  /** `--template-driver golang`: the payload is a Go template rendered per task. */
  Templating?: Driver;
}

/** swarm.ConfigSpec. `Data` is base64 and, unlike a secret's, returned by the API. */
export interface ConfigSpec {
  Name: string;
  Labels: Labels;
  Data?: string;
  Templating?: Driver;
}

export interface Secret extends Meta {
  Spec: SecretSpec;
}

export interface Config extends Meta {
  Spec: ConfigSpec;
}

// ---------- spec history (console-only, beside the Engine API objects) ----------

/** How a spec became the service's current one. */
export type SpecCause = 'create' | 'update' | 'reapply' | 'rollback' | 'auto-rollback' | 'restore';

/** One step of a rolling update, for the console's timeline. */
export interface UpdateEvent {
  At: string;
  /** e.g. 'started', 'slot-started', 'slot-running', 'task-failed', 'paused', 'rollback-started', 'completed' */
  Kind: string;
  Slot?: number;
  NodeID?: string;
  TaskID?: string;
  Message: string;
}

/**
 * One spec a service has had, kept (bounded per service) so the console can
 * diff any two and roll back to any of them. Replicated like every object;
 * deleted with its service. The update that rolled it out is recorded on it.
 */
export interface ServiceVersion extends Meta {
  ServiceID: string;
  /** 1, 2, 3…: this service's version number, stable while older ones are pruned (the console's "v3"). */
  Seq: number;
  /** The service's Version.Index when this spec became current (the tasks' SpecVersion.Index). */
  SpecIndex: number;
  Spec: ServiceSpec;
  Cause: SpecCause;
  /** For a restore: the SpecIndex of the version it restored. */
  RestoredFrom?: number;
  /** The rollout of this spec, once the updater started one: its last status and bounded event log. */
  Update?: UpdateStatus & { Events: UpdateEvent[] };
}

// ---------- console accounts (console-only, never in an Engine API answer, event or socket frame) ----------

/** A person who logs in to the console. Only the password's argon2id hash is kept. */
export interface Account extends Meta {
  Name: string;
  Role: Role;
  PasswordHash: string;
}

/** A console login. The cookie carries `<ID>.<secret>`; only the secret's SHA-256 is kept. */
export interface Session extends Meta {
  AccountID: string;
  /** hex SHA-256 of the 256-bit secret */
  TokenHash: string;
  ExpiresAt: string;
}

/** A read-only link for a wall display: `/share/<ID>.<secret>`, viewer rights, no login. */
export interface ShareLink extends Meta {
  Name: string;
  TokenHash: string;
  ExpiresAt: string;
  /** the account name that made it */
  CreatedBy: string;
  LastUsedAt?: string;
}

export interface ObjectByKind {
  cluster: Cluster;
  node: Node;
  service: Service;
  task: Task;
  network: Network;
  secret: Secret;
  config: Config;
  serviceVersion: ServiceVersion;
  account: Account;
  session: Session;
  shareLink: ShareLink;
}
export type Kind = keyof ObjectByKind;
export const KINDS: readonly Kind[] = [
  'cluster',
  'node',
  'service',
  'task',
  'network',
  'secret',
  'config',
  'serviceVersion',
  'account',
  'session',
  'shareLink',
];
/** The console's own credentials: kept in raft like the rest, shown by no API, stream, event or log. */
export const AUTH_KINDS = ['account', 'session', 'shareLink'] as const satisfies readonly Kind[];
export type AuthKind = (typeof AUTH_KINDS)[number];
export function isAuthKind(k: string): k is AuthKind {
  return (AUTH_KINDS as readonly string[]).includes(k);
}
export type AnyObject = ObjectByKind[Kind];
