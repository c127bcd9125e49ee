// ContainerSpec (moby api/types/swarm/container.go) with moby's converter
// checks (containerToGRPC) and swarmkit's (validateContainerSpec,
// validateSecretRefsSpec, validateConfigRefsSpec), in that order.

import type { ConfigReference, Mount, Privileges, SecretReference } from '../types';
import { goBool, goBytes, goEnum, goInt, goSlice, goString, goStruct } from './go-json';
import { expandTemplate, taskTemplateContext, TemplateError } from '../templates';
import { isValidImageRef } from './image-ref';
import { goLabels } from './labels';
import { rpcText, rules, type Refuse } from './issues';

const strings = () => goSlice(goString()).optional();
const labels = (field: string) => goLabels(field).optional();
const duration = () => goInt('time.Duration').optional();

export const driverSchema = goStruct('Driver', { Name: goString().optional(), Options: labels('Driver.Options') });

export const healthConfigSchema = goStruct(
  'HealthcheckConfig',
  {
    Test: strings(),
    Interval: duration(),
    Timeout: duration(),
    StartPeriod: duration(),
    StartInterval: duration(),
    Retries: goInt('int').optional(),
  },
  { pkg: 'v1' },
).transform(
  rules((hc, no) => {
    // swarmkit validateHealthCheck: 0 is the default, anything else at least 1 ms
    for (const field of ['Interval', 'Timeout', 'StartPeriod', 'StartInterval'] as const) {
      const ns = hc[field] ?? 0;
      if (ns !== 0 && ns < 1e6) no(rpcText(`ContainerSpec: ${field} in HealthConfig cannot be less than 1ms`));
    }
    if ((hc.Retries ?? 0) < 0) no(rpcText('ContainerSpec: Retries in HealthConfig cannot be negative'));
    return hc;
  }),
);

const fileTarget = () =>
  goStruct('SecretReferenceFileTarget', {
    Name: goString().optional(),
    UID: goString().optional(),
    GID: goString().optional(),
    Mode: goInt('fs.FileMode').optional(),
  }).optional();

const secretReference = goStruct('SecretReference', {
  File: fileTarget(),
  SecretID: goString().optional(),
  SecretName: goString().optional(),
});

const configReference = goStruct('ConfigReference', {
  File: fileTarget(),
  Runtime: goStruct('ConfigReferenceRuntimeTarget', {}).optional(),
  ConfigID: goString().optional(),
  ConfigName: goString().optional(),
});

const privileges = goStruct('Privileges', {
  CredentialSpec: goStruct('CredentialSpec', {
    Config: goString().optional(),
    File: goString().optional(),
    Registry: goString().optional(),
  }).optional(),
  SELinuxContext: goStruct('SELinuxContext', {
    Disable: goBool().optional(),
    User: goString().optional(),
    Role: goString().optional(),
    Type: goString().optional(),
    Level: goString().optional(),
  }).optional(),
  Seccomp: goStruct('SeccompOpts', {
    // moby leaves an unknown mode at swarmkit's default; refused here as a typo
    Mode: goEnum('swarm.SeccompMode', ['default', 'unconfined', 'custom'], {
      empty: 'default',
      exactCase: true,
      refusal: (v) =>
        `invalid Seccomp mode ${JSON.stringify(v)} in ContainerSpec.Privileges: default, unconfined or custom`,
    }).optional(),
    Profile: goBytes().optional(),
  }).optional(),
  AppArmor: goStruct('AppArmorOpts', {
    Mode: goEnum('swarm.AppArmorMode', ['default', 'disabled'], {
      empty: 'default',
      exactCase: true,
      refusal: (v) => `invalid AppArmor mode ${JSON.stringify(v)} in ContainerSpec.Privileges: default or disabled`,
    }).optional(),
  }).optional(),
  NoNewPrivileges: goBool().optional(),
});

const mountDriver = goStruct(
  'Driver',
  { Name: goString().optional(), Options: labels('Mounts.VolumeOptions.DriverConfig.Options') },
  { pkg: 'mount' },
);

const mountSchema = goStruct(
  'Mount',
  {
    Type: goEnum('mount.Type', ['bind', 'volume', 'tmpfs', 'npipe', 'cluster', 'image'], {
      empty: 'bind',
      refusal: (v) => `invalid MountType: ${JSON.stringify(v)}`,
    }).optional(),
    Source: goString().optional(),
    Target: goString().optional(),
    ReadOnly: goBool().optional(),
    Consistency: goEnum('mount.Consistency', ['default', 'consistent', 'cached', 'delegated'], {
      empty: 'default',
      exactCase: true,
      refusal: (v) => `invalid Consistency: ${JSON.stringify(v)}: default, consistent, cached or delegated`,
    }).optional(),
    BindOptions: goStruct(
      'BindOptions',
      {
        Propagation: goEnum('mount.Propagation', ['rprivate', 'private', 'rshared', 'shared', 'rslave', 'slave'], {
          empty: 'rprivate',
          refusal: (v) => `invalid MountPropagation: ${JSON.stringify(v)}`,
        }).optional(),
        NonRecursive: goBool().optional(),
        CreateMountpoint: goBool().optional(),
        ReadOnlyNonRecursive: goBool().optional(),
        ReadOnlyForceRecursive: goBool().optional(),
      },
      { pkg: 'mount' },
    ).optional(),
    VolumeOptions: goStruct(
      'VolumeOptions',
      {
        NoCopy: goBool().optional(),
        Labels: labels('Mounts.VolumeOptions.Labels'),
        Subpath: goString().optional(),
        DriverConfig: mountDriver.optional(),
      },
      { pkg: 'mount' },
    ).optional(),
    ImageOptions: goStruct('ImageOptions', { Subpath: goString().optional() }, { pkg: 'mount' }).optional(),
    TmpfsOptions: goStruct(
      'TmpfsOptions',
      {
        SizeBytes: goInt('int64').optional(),
        Mode: goInt('fs.FileMode').optional(),
        Options: goSlice(goSlice(goString())).optional(),
      },
      { pkg: 'mount' },
    ).optional(),
    ClusterOptions: goStruct('ClusterOptions', {}, { pkg: 'mount' }).optional(),
  },
  { pkg: 'mount' },
);

const ulimit = goStruct(
  'Ulimit',
  { Name: goString().optional(), Hard: goInt('int64').optional(), Soft: goInt('int64').optional() },
  { pkg: 'units' },
);

/** swarmkit validateMounts: one mount per target. */
function checkMounts(mounts: Mount[] | undefined, no: Refuse): void {
  const targets = new Set<string>();
  for (const m of mounts ?? []) {
    const target = m.Target ?? '';
    if (targets.has(target)) no(rpcText(`ContainerSpec: duplicate mount point: ${target}`));
    targets.add(target);
  }
}

/** moby credentialSpecToGRPC: exactly one source. */
function checkCredentialSpec(p: Privileges | undefined, no: Refuse): void {
  const cs = p?.CredentialSpec;
  if (!cs) return;
  const set = (['config', 'file', 'registry'] as const).filter(
    (k) => ({ config: cs.Config, file: cs.File, registry: cs.Registry })[k],
  );
  const quoted = set.map((k) => `"${k}"`);
  if (set.length === 0)
    no('invalid CredentialSpec: must either provide "file", "registry", or "config" for credential spec');
  if (set.length === 2)
    no(`invalid CredentialSpec: cannot specify both ${quoted[0]} and ${quoted[1]} credential specs`);
  if (set.length > 2)
    no(
      `invalid CredentialSpec: cannot specify both ${quoted.slice(0, -1).join(', ')}, and ${quoted.at(-1)} credential specs`,
    );
}

/** moby configReferencesToGRPC: each reference has exactly one target. */
function checkConfigTargets(refs: ConfigReference[] | undefined, no: Refuse): void {
  for (const r of refs ?? []) {
    if (!r.Runtime && !r.File) no('invalid Config: either File or Runtime should be set');
    if (r.Runtime && r.File) no('invalid Config: cannot specify both File and Runtime');
  }
}

interface Reference {
  id?: string;
  name?: string;
  file?: { Name?: string };
  runtime?: object;
}

/** swarmkit validateSecretRefsSpec / validateConfigRefsSpec. */
function checkReferences(kind: 'secret' | 'config', refs: Reference[], no: Refuse): void {
  const targets = new Map<string, string>();
  for (const r of refs) {
    if (!r.id || !r.name) no(rpcText(`malformed ${kind} reference`));
    if (!r.file && !r.runtime) no(rpcText(`malformed ${kind} reference, no target provided`));
    if (!r.file) continue;
    const file = r.file.Name ?? '';
    if (!file) no(rpcText(`malformed file ${kind} reference, invalid target file name provided`));
    const prev = targets.get(file);
    if (prev !== undefined)
      no(rpcText(`${kind} references '${prev}' and '${r.name}' have a conflicting target: '${file}'`));
    targets.set(file, r.name!);
  }
}

const secretRefs = (refs: SecretReference[] = []): Reference[] =>
  refs.map((r) => ({ id: r.SecretID, name: r.SecretName, file: r.File }));
const configRefs = (refs: ConfigReference[] = []): Reference[] =>
  refs.map((r) => ({ id: r.ConfigID, name: r.ConfigName, file: r.File, runtime: r.Runtime }));

/** swarmkit: a credential spec naming a config needs that config with a runtime target. */
function checkCredentialSpecConfig(spec: { Privileges?: Privileges; Configs?: ConfigReference[] }, no: Refuse): void {
  const config = spec.Privileges?.CredentialSpec?.Config;
  if (!config) return;
  if (!(spec.Configs ?? []).some((c) => c.Runtime && c.ConfigID === config))
    no(
      rpcText(
        `CredentialSpec references config '${config}', but that config isn't in config references with RuntimeTarget`,
      ),
    );
}

/** swarmkit validateContainerSpec expands the templates against a stand-in task and node: a bad one is refused at create. */
const STAND_IN = taskTemplateContext(
  {
    ID: '',
    Slot: 1,
    NodeID: 'nodeid',
    ServiceID: 'serviceid',
    ServiceAnnotations: { Name: 'servicename', Labels: {} },
  },
  { ID: 'nodeid', Description: { Hostname: 'nodeHostname', Platform: { OS: 'os', Architecture: 'architecture' } } },
);

function checkTemplates(c: { Env?: string[]; Hostname?: string; Mounts?: Mount[] }, no: Refuse): void {
  const expand = (text: string, wrap: (why: string) => string) => {
    try {
      expandTemplate(text, STAND_IN);
    } catch (err) {
      if (!(err instanceof TemplateError)) throw err;
      no(rpcText(wrap(err.message)));
    }
  };
  for (const e of c.Env ?? []) {
    const at = e.indexOf('=');
    if (at >= 0) expand(e.slice(at + 1), (why) => `expanding env failed: expanding env ${JSON.stringify(e)}: ${why}`);
  }
  for (const m of c.Mounts ?? []) {
    for (const [what, text] of [
      ['source', m.Source],
      ['target', m.Target],
    ] as const)
      if (text !== undefined)
        expand(text, (why) => `expanding mounts failed: expanding mount ${what} ${JSON.stringify(text)}: ${why}`);
  }
  if (c.Hostname !== undefined) expand(c.Hostname, (why) => `expanding hostname failed: ${why}`);
}

export const containerSpecSchema = goStruct('ContainerSpec', {
  Image: goString().optional(),
  Labels: labels('ContainerSpec.Labels'),
  Command: strings(),
  Args: strings(),
  Hostname: goString().optional(),
  Env: strings(),
  Dir: goString().optional(),
  User: goString().optional(),
  Groups: strings(),
  Privileges: privileges.optional(),
  Init: goBool().optional(),
  StopSignal: goString().optional(),
  TTY: goBool().optional(),
  OpenStdin: goBool().optional(),
  ReadOnly: goBool().optional(),
  Mounts: goSlice(mountSchema).optional(),
  StopGracePeriod: duration(),
  Healthcheck: healthConfigSchema.optional(),
  Hosts: strings(),
  DNSConfig: goStruct('DNSConfig', { Nameservers: strings(), Search: strings(), Options: strings() }).optional(),
  Secrets: goSlice(secretReference).optional(),
  Configs: goSlice(configReference).optional(),
  // moby stores an unknown isolation as "default"; a typo is refused here instead
  Isolation: goEnum('container.Isolation', ['default', 'process', 'hyperv'], {
    empty: 'default',
    refusal: (v) => `invalid isolation ${JSON.stringify(v)} in ContainerSpec: default, process or hyperv`,
  }).optional(),
  Sysctls: labels('ContainerSpec.Sysctls'),
  CapabilityAdd: strings(),
  CapabilityDrop: strings(),
  Ulimits: goSlice(ulimit).optional(),
  OomScoreAdj: goInt('int64').optional(),
}).transform(
  rules((c, no) => {
    // moby's converter first
    checkCredentialSpec(c.Privileges, no);
    checkConfigTargets(c.Configs, no);
    if (c.OomScoreAdj !== undefined && (c.OomScoreAdj < -1000 || c.OomScoreAdj > 1000))
      no(`Invalid value ${c.OomScoreAdj}, range for oom score adj is [-1000, 1000]`);
    // then swarmkit
    checkReferences('secret', secretRefs(c.Secrets), no);
    checkReferences('config', configRefs(c.Configs), no);
    checkCredentialSpecConfig(c, no);
    // swarmkit expands the templates, then checks the image and the mounts
    checkTemplates(c, no);
    checkMounts(c.Mounts, no);
    const image = c.Image ?? '';
    if (image === '') no(rpcText('ContainerSpec: image reference must be provided'));
    if (!isValidImageRef(image)) no(rpcText(`ContainerSpec: ${JSON.stringify(image)} is not a valid repository/tag`));
    return { ...c, Image: image, Isolation: c.Isolation ?? 'default' };
  }),
);
