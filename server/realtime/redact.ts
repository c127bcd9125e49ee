import type { Cluster, Config, Kind, ManagerStatus, ObjectByKind, Secret } from '../api/types';
import { publicClusterSpec } from '../api/schemas/cluster-spec';
import { CONSOLE_KINDS, type ConsoleKind, type ConsoleObjects, type ConsoleState } from '../api/realtime';

/**
 * What the console may see of an object: secrets lose their payload, and the
 * cluster its join tokens (anyone holding a token can join the swarm), its unlock key, its
 * root CA's keys (only the public certificates stay) and its blacklist.
 * Configs travel without their data too (up to 1000 KiB each, not a secret):
 * a config's page fetches it (GET /api/configs/:id/data).
 */
export function redactObject<K extends Kind>(kind: K, obj: ObjectByKind[K]): ObjectByKind[K] {
  if (kind === 'secret' || kind === 'config') {
    const s = obj as Secret | Config;
    if (s.Spec.Data === undefined) return obj;
    const { Data: _data, ...spec } = s.Spec;
    return { ...s, Spec: spec } as ObjectByKind[K];
  }
  if (kind === 'cluster') {
    const { RootCA, BlacklistedCertificates: _b, ManagerUnlockKey: _u, ...c } = obj as Cluster;
    const shown: Cluster = { ...c, Spec: publicClusterSpec(c.Spec), JoinTokens: { Worker: '', Manager: '' } };
    if (RootCA) {
      const r = RootCA.RootRotation;
      shown.RootCA = {
        CACert: RootCA.CACert,
        CAKey: '',
        CACertHash: RootCA.CACertHash,
        LastForcedRotation: RootCA.LastForcedRotation,
        ...(r ? { RootRotation: { CACert: r.CACert, CAKey: '', CrossSignedCACert: r.CrossSignedCACert } } : {}),
      };
    }
    return shown as ObjectByKind[K];
  }
  return obj;
}

/** Redact a whole store image (`MemoryStore.image()`), kind by kind. */
export function redactImage(
  image: ConsoleState,
  decorate: <K extends Kind>(kind: K, obj: ObjectByKind[K]) => ObjectByKind[K] = (_k, o) => o,
): ConsoleState {
  const objects = {} as Record<ConsoleKind, unknown[]>;
  // only the console's kinds: a store image also holds spec history, which is fetched over HTTP
  for (const kind of CONSOLE_KINDS) {
    const list = (image.objects[kind] ?? []) as ObjectByKind[ConsoleKind][];
    objects[kind] = list.map((o) => decorate(kind, redactObject(kind, o)));
  }
  return { index: image.index, objects: objects as ConsoleObjects };
}

/**
 * Node objects in the store carry no ManagerStatus (it comes from the raft
 * membership at read time). Fill in what the console shows: this manager is
 * the leader; other managers are reachable while their node is ready.
 */
export function consoleDecorator(
  selfNodeID: string,
  selfAddr: string,
  /** From the live raft membership, when the manager runs raft. */
  managerStatus?: (nodeID: string) => ManagerStatus | undefined,
) {
  return function decorate<K extends Kind>(kind: K, obj: ObjectByKind[K]): ObjectByKind[K] {
    if (kind !== 'node') return obj;
    const n = obj as ObjectByKind['node'];
    if (managerStatus) {
      const status = managerStatus(n.ID);
      return (status ? { ...n, ManagerStatus: status } : n) as ObjectByKind[K];
    }
    if (n.ManagerStatus || n.Role !== 'manager') return obj;
    const self = n.ID === selfNodeID;
    return {
      ...n,
      ManagerStatus: {
        Leader: self || undefined,
        Reachability: self || n.Status.State === 'ready' ? 'reachable' : 'unreachable',
        Addr: self ? selfAddr : n.Status.Addr,
      },
    } as ObjectByKind[K];
  };
}

/** Redact and decorate one object for the console. */
export function consoleObject<K extends Kind>(
  decorate: ReturnType<typeof consoleDecorator>,
  kind: K,
  obj: ObjectByKind[K],
): ObjectByKind[K] {
  return decorate(kind, redactObject(kind, obj));
}
