// Which network mode a node runs its tasks in, decided once at agent start:
// netns when a rootless user+net+mount namespace with a bridge, a veth and a
// bind mount can be made here, host mode otherwise (or when asked for).
import { execFile } from 'node:child_process';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { createHash } from 'node:crypto';
import type { NodeNetworkMode } from '../../../api/network-view';
import { DEFAULT_TOOLS, NetnsRouter, type RouterTools } from './router-client';

export interface NetworkModeChoice {
  mode: NodeNetworkMode;
  /** Why host mode was chosen (shown in the agent's start-up line). */
  reason?: string;
}

/** What `--network-mode` (SWARMDECK_NETWORK_MODE) may say. */
export type NetworkModeRequest = 'auto' | 'host';

const PROBE_TIMEOUT_MS = 10_000;

/** The trial: everything netns mode does, once, in a throw-away namespace. */
const PROBE_SCRIPT =
  'set -e; ip link set lo up; ip link add sdprobe-br type bridge; ' +
  'ip link add sdprobe-a type veth peer name sdprobe-b; ip link set sdprobe-a master sdprobe-br; ' +
  'ip addr add 10.255.0.1/24 dev sdprobe-br; ip link set sdprobe-br up; ' +
  'echo 0 > /proc/sys/net/ipv4/ip_forward; mount --bind "$1" "$2"; [ "$(cat "$2")" = probe ]';

/** Tries the rootless namespace set-up once; netns if it works, host mode (with why) if not. */
export async function detectNetworkMode(
  request: NetworkModeRequest = 'auto',
  tools: RouterTools = DEFAULT_TOOLS,
): Promise<NetworkModeChoice> {
  if (request === 'host') return { mode: 'host', reason: 'asked for host mode' };
  if (process.platform !== 'linux')
    return { mode: 'host', reason: `namespaces need Linux (this is ${process.platform})` };
  const dir = await mkdtemp(join(tmpdir(), 'swarmdeck-netprobe-'));
  try {
    const src = join(dir, 'src');
    const dst = join(dir, 'dst');
    await writeFile(src, 'probe');
    await writeFile(dst, 'host');
    // the probe's commands come from PATH; `ip` is named through it so a tools override applies
    const script = PROBE_SCRIPT.replaceAll('ip ', `${tools.ip} `);
    await new Promise<void>((resolve, reject) => {
      execFile(
        tools.unshare,
        ['--user', '--map-root-user', '--net', '--mount', '--', '/bin/sh', '-c', script, 'sh', src, dst],
        { timeout: PROBE_TIMEOUT_MS },
        (err, _out, stderr) => (err ? reject(new Error((stderr || err.message).trim())) : resolve()),
      );
    });
    return { mode: 'netns' };
  } catch (err) {
    return {
      mode: 'host',
      reason: `rootless namespaces unavailable: ${err instanceof Error ? err.message : String(err)}`,
    };
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}

export interface TaskNetworking extends NetworkModeChoice {
  /** Netns mode: the router the executor starts tasks behind. */
  router?: NetnsRouter;
}

/**
 * Detects the mode and, in netns mode, opens the agent's router in `runDir`
 * (reusing one an earlier agent process left). A router that cannot start
 * means host mode.
 */
export async function startTaskNetworking(
  runDir: string,
  request: NetworkModeRequest = 'auto',
  tools: RouterTools = DEFAULT_TOOLS,
): Promise<TaskNetworking> {
  const choice = await detectNetworkMode(request, tools);
  if (choice.mode === 'host') return choice;
  try {
    return { mode: 'netns', router: await NetnsRouter.open(runDir, tools) };
  } catch (err) {
    return { mode: 'host', reason: `netns router: ${err instanceof Error ? err.message : String(err)}` };
  }
}

/** `--network-mode` / SWARMDECK_NETWORK_MODE: auto (default) or host. */
export function parseNetworkModeRequest(value: string | undefined): NetworkModeRequest | undefined {
  if (value === undefined || value === '' || value === 'auto') return 'auto';
  if (value === 'host') return 'host';
  return undefined;
}

/**
 * Where a node's router keeps its sockets: a private directory in tmp named
 * for the user and the data directory. Not inside the data directory: that
 * holds only private files and directories, and its path may be too long for
 * a Unix socket name (108 bytes).
 */
export function routerRunDir(dataDir: string): string {
  const hash = createHash('sha256').update(resolve(dataDir)).digest('hex').slice(0, 16);
  return join(tmpdir(), `swarmdeck-net-${process.getuid?.() ?? 0}-${hash}`);
}
