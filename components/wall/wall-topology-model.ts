// The network topology as the wall draws it: a lane per network (ingress
// first) holding the services attached to it, with their VIP there, their
// published ports and how many nodes their tasks run on. Built from the
// console's topology model (topology-model.ts); a graph of edges does not read
// from across the room, lanes do, and they fit any screen without a canvas.

import { bareAddr, UNASSIGNED_NODE, type ServiceCard, type Tone, type TopologyModel } from '../topology/topology-model';
import { CHROME_EM } from './density-model';

export interface LaneService {
  id: string;
  name: string;
  hue: number;
  running: number;
  desired: number;
  tone: Tone;
  /** the service's VIP on this lane's network */
  vip?: string;
  /** its published ports, on the first lane it shows in only (ingress sorts first) */
  ports: string[];
  /** nodes its tasks are on */
  nodes: number;
}

export interface TopologyLane {
  id: string;
  name: string;
  /** `overlay · 10.0.1.0/24 · VXLAN 4097` */
  detail: string;
  ingress: boolean;
  inUse: number;
  capacity?: number;
  services: LaneService[];
  /** attached services left out for want of room ("+N more") */
  more: number;
}

export interface WallTopology {
  lanes: TopologyLane[];
  networks: number;
  services: number;
  tasks: number;
  nodes: number;
}

/** The services attached to no network: a lane of their own, so every service shows somewhere. */
export const NO_NETWORK_LANE = 'lane:none';

/** Sizes in em of the wall's base font (wall.css: .wall-topo-*). */
export const LANE_MIN_EM = 16;
/** the lane's head (4.6em) with its frame and paddings */
export const LANE_HEAD_EM = 6;
export const LANE_ROW_EM = 3.2;
const LANE_GAP_EM = 0.6;

export interface LanePlan {
  /** lanes across and down */
  columns: number;
  rows: number;
  /** service rows one lane holds */
  servicesPerLane: number;
}

/** How `lanes` lanes fill a `width`×`height` screen with a base font of `fontPx`: as few lane rows as the width allows. */
export function lanePlan(lanes: number, width: number, height: number, fontPx: number): LanePlan {
  const n = Math.max(1, lanes);
  const across = Math.max(1, Math.floor((width - 2 * fontPx) / ((LANE_MIN_EM + LANE_GAP_EM) * fontPx)));
  const columns = Math.min(n, across);
  const rows = Math.ceil(n / columns);
  const laneH = (height - CHROME_EM * fontPx) / rows - LANE_GAP_EM * fontPx;
  const servicesPerLane = Math.max(1, Math.floor((laneH - LANE_HEAD_EM * fontPx) / (LANE_ROW_EM * fontPx)));
  return { columns, rows, servicesPerLane };
}

const MAX_SCALE = 2;

/**
 * How much larger than their least size the service rows are drawn (1..2): a
 * few services fill their lanes rather than leaving them empty. `rows` is the
 * longest lane's row count ("+N more" and "no services" are rows too).
 */
export function laneScale(servicesPerLane: number, rows: number): number {
  const s = Math.floor((servicesPerLane / Math.max(1, rows)) * 10) / 10;
  return Math.min(MAX_SCALE, Math.max(1, s));
}

/** The rows a lane draws: its services, and a line for "+N more" or for none at all. */
export const laneRows = (l: TopologyLane): number => Math.max(1, l.services.length + (l.more > 0 ? 1 : 0));

const plural = (n: number, one: string) => `${n} ${one}${n === 1 ? '' : 's'}`;

/**
 * The lanes: every network, ingress first then by name, each with its services
 * (by name), at most `servicesPerLane` of them, the rest counted. Services on
 * no network get a lane at the end.
 */
export function wallTopology(
  model: TopologyModel,
  hues: ReadonlyMap<string, number>,
  servicesPerLane: number,
): WallTopology {
  const byKey = new Map<string, ServiceCard>(model.services.map((s) => [s.id, s]));
  const nodesOf = new Map<string, number>();
  const attachedTo = new Map<string, ServiceCard[]>();
  const attached = new Set<string>();
  for (const e of model.edges) {
    if (e.kind === 'backend' && e.target !== UNASSIGNED_NODE) nodesOf.set(e.source, (nodesOf.get(e.source) ?? 0) + 1);
    if (e.kind !== 'attachment') continue;
    const s = byKey.get(e.target);
    if (!s) continue;
    attached.add(s.id);
    const list = attachedTo.get(e.source) ?? [];
    list.push(s);
    attachedTo.set(e.source, list);
  }

  const portsShown = new Set<string>();
  const row = (s: ServiceCard, networkID?: string): LaneService => {
    const vip = networkID ? s.vips.find((v) => v.networkID === networkID) : undefined;
    const first = !portsShown.has(s.id);
    portsShown.add(s.id);
    return {
      id: s.serviceID,
      name: s.name,
      hue: hues.get(s.serviceID) ?? 0,
      running: s.running,
      desired: s.desired,
      tone: s.tone,
      ...(vip ? { vip: bareAddr(vip.addr) } : {}),
      ports: first ? s.ports : [],
      nodes: nodesOf.get(s.id) ?? 0,
    };
  };
  const cap = Math.max(1, servicesPerLane);
  const lane = (base: Omit<TopologyLane, 'services' | 'more'>, members: ServiceCard[], networkID?: string) => {
    const shown = members.slice(0, cap);
    return { ...base, services: shown.map((s) => row(s, networkID)), more: members.length - shown.length };
  };

  const networks = [...model.networks].sort((a, b) => Number(b.ingress) - Number(a.ingress));
  const lanes: TopologyLane[] = networks.map((n) => {
    // the edges come in service order (by name), so the lane's services do too
    const members = attachedTo.get(n.id) ?? [];
    const subnet = n.subnets.map((s) => s.subnet).join(', ');
    const detail = [n.driver, subnet, n.vxlan ? `VXLAN ${n.vxlan}` : ''].filter(Boolean).join(' · ');
    return lane(
      {
        id: n.id,
        name: n.name,
        detail,
        ingress: n.ingress,
        inUse: n.inUse,
        ...(n.capacity !== undefined ? { capacity: n.capacity } : {}),
      },
      members,
      n.networkID,
    );
  });
  const loose = model.services.filter((s) => !attached.has(s.id));
  if (loose.length) {
    lanes.push(
      lane(
        {
          id: NO_NETWORK_LANE,
          name: 'No network',
          detail: `${plural(loose.length, 'service')} on no overlay`,
          ingress: false,
          inUse: 0,
        },
        loose,
      ),
    );
  }
  return {
    lanes,
    networks: model.networks.length,
    services: model.services.length,
    // built without task cards (the wall's): the backend edges count them
    tasks: model.edges.reduce((n, e) => n + (e.kind === 'backend' ? (e.tasks ?? 0) : 0), 0),
    nodes: model.nodes.filter((n) => n.id !== UNASSIGNED_NODE).length,
  };
}
