// A task's network identity in netns mode (PROCESS.md, "Netns mode"): which
// veths it gets (one per attached network, holding its address from
// NetworksAttachments), its default route and nameserver, the resolv.conf and
// hosts files bind-mounted over /etc in its mount namespace, and the argv
// that runs it inside new net+mount namespaces under the router's user namespace.
import type { ChildProcess } from 'node:child_process';
import { createHash } from 'node:crypto';
import { mkdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { Readable, Writable } from 'node:stream';
import type { Task } from '../../../api/types';
import { NETWORK_MODE_LABEL } from '../../../api/network-view';
import { PRIVATE_DIR_MODE } from '../../../util/private-files';
import { killGroup } from '../proc';
import type { NetnsRouter, RouterLink, RouterTools } from './router-client';

/** What netns mode keeps of a task (also in its durable record). */
export interface TaskNet {
  links: RouterLink[];
  /** The task's address on each link, without the prefix length; the first is its primary address. */
  addresses: string[];
  /** Its default route and nameserver: the gateway of its first non-ingress network. */
  gateway: string;
  resolvConf: string;
  hosts: string;
}

/** How long the task's namespace set-up may take before its start fails. */
const SETUP_TIMEOUT_MS = 15_000;

/**
 * Runs after `unshare` inside the task's new namespaces: says "ready" on fd 3,
 * waits for "go" (the router has put its veths in by then), makes the task's
 * secret and config files (below), bind-mounts resolv.conf and hosts, says
 * "mounted" (so start() returns with the task's files in place), closes fd 3
 * and execs the task. EOF on fd 3 (the agent went away) ends it with 125, like
 * a runtime that failed to set up.
 *
 * The files: a tmpfs of the task's own at the (empty) directory `$m` takes a
 * copy of the staged tree `$t` (in `l/`). Each of the `$n` directories that
 * follow (the deepest existing one above each target, shallowest first) is
 * merged: it becomes a tmpfs holding its own entries bound back in (`--rbind`:
 * an unprivileged user namespace may not bind a directory whose submounts came
 * from the host without them, nor lay an overlay on it) and the tree's new
 * entries copied in. A file directly under / (a config's default target)
 * needs `/` merged: the task then gets a new root, built that way at `$m/r`
 * and pivoted into. What the task writes into an entry of the host's still
 * reaches the host, as before; a new file in a merged directory stays in its
 * tmpfs. Each of the `$k` paths after those (the secrets directory, each config
 * file) is then bound read-only, and the tmpfs at `$m` is detached: the files
 * live in the task's mount namespace only and go with it. The agent removes
 * the staged tree once "mounted" arrives. Every task gets a /dev/shm of its
 * own, so neither the staged trees nor a host-mode task's files are in its
 * sight (root of a user namespace that maps the agent's user could read them).
 */
const SETUP_SCRIPT =
  'echo ready >&3; IFS= read -r go <&3 || exit 125; [ "$go" = go ] || exit 125; umask 022; ' +
  // entering the router's mount namespace put it in /: back to the task's working directory
  'cd "$1" || exit 125; r=$2 h=$3 t=$4 m=$5 n=$6; shift 6; ' +
  'if [ -n "$t" ]; then mount -t tmpfs -o mode=0755 tmpfs "$m" && mkdir "$m/l" "$m/o" && ' +
  'cp -R --preserve=mode "$t/." "$m/l/" || exit 125; fi; i=0; ' +
  // mg SRC AT: AT becomes a tmpfs with SRC's entries bound back in (those the tree replaces left out)
  // and the tree's part for SRC copied over
  'mg() { i=$((i+1)); o="$m/o/$i"; l="$m/l${1%/}"; mkdir "$o" && mount --rbind "$1" "$o" && ' +
  'mount -t tmpfs -o mode=0755 tmpfs "$2" && chmod --reference="$o" "$2" || return 1; ' +
  'for e in "$o"/* "$o"/.[!.]* "$o"/..?*; do [ -e "$e" ] || [ -L "$e" ] || continue; b=${e##*/}; ' +
  'if [ -e "$l/$b" ] && { [ -L "$e" ] || [ ! -d "$e" ] || [ ! -d "$l/$b" ]; }; then continue; fi; ' +
  // (mount itself may have made /run/mount in a new /run: -p and -e leave what is there)
  'if [ -L "$e" ]; then cp -P "$e" "$2/$b"; elif [ -d "$e" ]; then mkdir -p "$2/$b" && mount --rbind "$e" "$2/$b"; ' +
  'else { [ -e "$2/$b" ] || : >"$2/$b"; } && mount --rbind "$e" "$2/$b"; fi || return 1; done; ' +
  'for e in "$l"/* "$l"/.[!.]* "$l"/..?*; do [ -e "$e" ] || continue; b=${e##*/}; [ -e "$2/$b" ] && continue; ' +
  'cp -R --preserve=mode "$e" "$2/$b" || return 1; done; }; ' +
  'if [ "$n" -gt 0 ] && [ "$1" = / ]; then shift; n=$((n-1)); w=$(pwd); ' +
  'mkdir "$m/r" && mg / "$m/r" && cd "$m/r" && pivot_root . . && umount -l . && cd "$w" || exit 125; fi; ' +
  'while [ "$n" -gt 0 ]; do mg "$1" "$1" || exit 125; shift; n=$((n-1)); done; ' +
  'k=$1; shift; while [ "$k" -gt 0 ]; do mount --bind "$1" "$1" && mount -o remount,bind,ro "$1" || exit 125; ' +
  'shift; k=$((k-1)); done; ' +
  'if [ -n "$t" ]; then umount -l "$m" || exit 125; fi; ' +
  'mount --bind "$r" /etc/resolv.conf && mount --bind "$h" /etc/hosts || exit 125; ' +
  // a /dev/shm of its own (as a container has): the node's staged files, and other tasks', are not in sight
  'if [ -d /dev/shm ]; then mount -t tmpfs -o mode=1777,nosuid,nodev tmpfs /dev/shm || exit 125; fi; ' +
  'echo mounted >&3; exec 3<&-; exec "$@"';

/**
 * A task's secret and config files in netns mode: the staged tree, an empty mount point, the
 * directories to merge them into (task-files.ts mergeDirs) and the paths then made read-only.
 */
export interface TaskFilesMount {
  tree: string;
  mnt: string;
  merges: string[];
  readOnly: string[];
}

interface V4 {
  ip: number;
  len: number;
}

function parseV4(cidr: string): V4 | undefined {
  const m = /^(\d{1,3})\.(\d{1,3})\.(\d{1,3})\.(\d{1,3})(?:\/(\d{1,2}))?$/.exec(cidr.trim());
  if (!m) return undefined;
  const parts = m.slice(1, 5).map(Number);
  if (parts.some((n) => n > 255)) return undefined;
  const len = m[5] === undefined ? 32 : Number(m[5]);
  if (len > 32) return undefined;
  return { ip: ((parts[0]! << 24) | (parts[1]! << 16) | (parts[2]! << 8) | parts[3]!) >>> 0, len };
}

const v4Text = (ip: number) => [24, 16, 8, 0].map((s) => (ip >>> s) & 255).join('.');
const mask = (len: number) => (len === 0 ? 0 : (0xffffffff << (32 - len)) >>> 0);

/** The service label that keeps a service's tasks in host mode (e.g. for egress to the host's network). */
export function forcesHostMode(task: Task): boolean {
  return task.ServiceAnnotations?.Labels?.[NETWORK_MODE_LABEL] === 'host';
}

/**
 * The task's links, or undefined when it runs in host mode: no attachment
 * with an IPv4 address, or the service asks for host mode.
 */
export function planTaskNet(task: Task, filesDir: string): TaskNet | undefined {
  if (forcesHostMode(task)) return undefined;
  const links: RouterLink[] = [];
  const addresses: string[] = [];
  let gateway: string | undefined;
  let firstGateway: string | undefined;
  for (const att of task.NetworksAttachments ?? []) {
    const cidr = att.Addresses?.[0];
    const addr = cidr ? parseV4(cidr) : undefined;
    if (!cidr || !addr || addr.len === 32) continue;
    const net = addr.ip & mask(addr.len);
    // the allocator's gateway when it lies in the task's subnet, else .1 as swarmkit picks it
    const configured = (att.Network.IPAMOptions?.Configs ?? [])
      .map((c) => (c.Gateway ? parseV4(c.Gateway) : undefined))
      .find((g) => g && (g.ip & mask(addr.len)) === net);
    const gw = v4Text(configured?.ip ?? (net + 1) >>> 0);
    const id = att.Network.ID;
    links.push({
      bridge: `br-${id.slice(0, 12)}`,
      gatewayCidr: `${gw}/${addr.len}`,
      host: `v${createHash('sha256').update(`${task.ID}/${id}`).digest('hex').slice(0, 13)}`,
      ifname: `eth${links.length}`,
      address: `${v4Text(addr.ip)}/${addr.len}`,
    });
    addresses.push(v4Text(addr.ip));
    firstGateway ??= gw;
    if (!att.Network.Spec.Ingress) gateway ??= gw;
  }
  if (links.length === 0) return undefined;
  return {
    links,
    addresses,
    gateway: gateway ?? firstGateway!,
    resolvConf: join(filesDir, 'resolv.conf'),
    hosts: join(filesDir, 'hosts'),
  };
}

/**
 * The nameserver is the gateway of the task's first (non-ingress) network: an
 * address of the router's namespace, which it can serve on port 53 as root of
 * its user namespace. (Docker's 127.0.0.11 would need a listener inside every
 * task's namespace.)
 */
export async function writeTaskNetFiles(net: TaskNet, hostname: string): Promise<void> {
  await mkdir(join(net.resolvConf, '..'), { recursive: true, mode: PRIVATE_DIR_MODE });
  // world-readable: the task may drop privileges inside its namespace
  await writeFile(net.resolvConf, `nameserver ${net.gateway}\noptions ndots:0\n`, { mode: 0o644 });
  await writeFile(
    net.hosts,
    `127.0.0.1\tlocalhost\n::1\tlocalhost ip6-localhost ip6-loopback\n${net.addresses[0]}\t${hostname}\n`,
    { mode: 0o644 },
  );
}

/** The argv that runs `inner` in new net+mount namespaces under the router's user namespace. */
export function netnsArgv(
  router: { pid: number; tools: RouterTools },
  net: TaskNet,
  inner: string[],
  cwd: string,
  files?: TaskFilesMount,
): string[] {
  return [
    router.tools.nsenter,
    `--target=${router.pid}`,
    '--user',
    '--preserve-credentials',
    '--net',
    '--mount',
    '--',
    router.tools.unshare,
    '--net',
    '--mount',
    '--',
    '/bin/sh',
    '-c',
    SETUP_SCRIPT,
    'sh',
    cwd,
    net.resolvConf,
    net.hosts,
    files?.tree ?? '',
    files?.mnt ?? '',
    String(files?.merges.length ?? 0),
    ...(files?.merges ?? []),
    String(files?.readOnly.length ?? 0),
    ...(files?.readOnly ?? []),
    ...inner,
  ];
}

/** The argv that runs `argv` in a running task's namespaces and working directory (health probes). */
export function inTaskArgv(tools: RouterTools, taskPid: number, argv: string[], cwd?: string): string[] {
  return [
    tools.nsenter,
    `--target=${taskPid}`,
    '--user',
    '--preserve-credentials',
    '--net',
    '--mount',
    ...(cwd ? [`--wd=${cwd}`] : []),
    '--',
    ...argv,
  ];
}

/**
 * After the spawn (with a pipe as fd 3): waits for the task's "ready", has
 * the router put its veths in, and lets it go. On failure the task's group is
 * killed before this rejects.
 */
export async function setUpTaskNet(child: ChildProcess, router: NetnsRouter, net: TaskNet): Promise<void> {
  const pid = child.pid!;
  const chan = child.stdio[3] as (Readable & Writable) | null | undefined;
  try {
    if (!chan) throw new Error('no set-up channel to the task');
    await readLine(child, chan, 'ready');
    await router.attach(pid, net.links, net.gateway);
    chan.write('go\n');
    await readLine(child, chan, 'mounted');
    chan.destroy();
  } catch (err) {
    killGroup(pid, 'SIGKILL');
    chan?.destroy();
    throw new Error(`network: ${err instanceof Error ? err.message : String(err)}`, { cause: err });
  }
}

/** Waits for the set-up shell's next line on fd 3, which must be `want`. */
function readLine(child: ChildProcess, chan: Readable, want: string): Promise<void> {
  return new Promise<void>((resolve, reject) => {
    let text = '';
    const timer = setTimeout(() => finish(new Error('the task namespaces were not ready in time')), SETUP_TIMEOUT_MS);
    const onExit = (code: number | null) => finish(new Error(`entering the namespaces failed (exit ${code})`));
    const finish = (err?: Error) => {
      clearTimeout(timer);
      chan.off('data', onData);
      child.off('exit', onExit);
      if (err) reject(err);
      else resolve();
    };
    const onData = (c: Buffer) => {
      text += c.toString('utf8');
      if (text.includes('\n'))
        finish(text.trim() === want ? undefined : new Error(`set-up said "${text.trim()}", not ${want}`));
    };
    chan.on('data', onData);
    child.once('exit', onExit);
  });
}
