// The netns router: one per agent, run inside its own user+net+mount namespaces
// (`unshare --user --map-root-user --net --mount -- node router.mjs <runDir> <ip> <nsenter>`).
// It is root in that user namespace, so it can make bridges and veths, put
// addresses in the task namespaces (children of the same user namespace) and
// listen on any port. It holds one bridge per overlay network (the gateway .1
// address on it) and keeps IPv4 forwarding off, so networks stay apart.
//
// The agent talks to it over two pathname Unix sockets in <runDir> (pathname
// sockets follow the filesystem, not the network namespace):
// - control.sock: JSON lines, request {id, op, …} → reply {id, ok, error?, …};
//   the router also sends {op:"dnsQuery", qid, …} to the connection that asked
//   for DNS and expects {op:"dnsAnswer", qid, data}.
// - dial.sock: one line {"ip","port"}, then "ok\n" and raw bytes both ways, or
//   "err <CODE>\n" (the mesh's last hop into a task). With "proto":"udp" the
//   router holds a udp4 socket for the flow and, after "ok\n", carries each
//   datagram as a 4-byte big-endian length and its bytes, both ways; the flow
//   ends when either side closes or after UDP_IDLE_MS without a datagram.
// - vip.sock (the agent listens, the router dials): a connection a task made to a
//   service VIP, as one line {"vip","port","src"} then raw bytes both ways; the
//   agent's mesh picks the backend (op "vips" says which VIP:ports to accept).
// It outlives the agent process while tasks hold veths into it (they outlive the
// agent too), and the next agent reconnects; with no agent connected and no
// task left it exits.
import { execFile } from 'node:child_process';
import { createHash } from 'node:crypto';
import { createSocket } from 'node:dgram';
import { readdirSync, rmdirSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { connect, createServer } from 'node:net';
import { join } from 'node:path';

const [runDir, IP = 'ip', NSENTER = 'nsenter'] = process.argv.slice(2);
if (!runDir) {
  console.error('usage: router.mjs <runDir> [ip] [nsenter]');
  process.exit(2);
}

function run(cmd, args, input) {
  return new Promise((resolve, reject) => {
    const child = execFile(cmd, args, { timeout: 10_000 }, (err, _stdout, stderr) => {
      if (err) reject(new Error(`${[cmd, ...args].join(' ')}: ${(stderr || err.message).trim()}`));
      else resolve();
    });
    if (input !== undefined) child.stdin.end(input);
  });
}

/** bridge name → { gateway: "10.0.1.1", cidr: "10.0.1.1/24" } */
const bridges = new Map();
/** gateway address → [udp socket, tcp server] */
const dnsListeners = new Map();
/** the control connection that serves DNS, and its pending queries */
let dnsPeer;
let nextQid = 1;
const pendingDns = new Map();

/** A locally administered unicast MAC derived from the bridge's name (stable across routers). */
function bridgeMac(name) {
  const h = createHash('sha256').update(name).digest();
  return ['02', ...[...h.subarray(0, 5)].map((b) => b.toString(16).padStart(2, '0'))].join(':');
}

async function ensureBridge(name, gatewayCidr) {
  if (bridges.has(name)) return;
  await run(IP, ['link', 'add', name, 'type', 'bridge']).catch((err) => {
    if (!/File exists/.test(err.message)) throw err;
  });
  // A bridge without a MAC of its own takes its ports' lowest one, and changes it when that
  // port (a stopped task's veth) goes: the other tasks' cached gateway MAC would then be
  // wrong until their neighbour entries expire (DNS and VIPs silent for ~30 s). A fixed one:
  await run(IP, ['link', 'set', name, 'address', bridgeMac(name)]);
  await run(IP, ['addr', 'replace', gatewayCidr, 'dev', name]);
  await run(IP, ['link', 'set', name, 'up']);
  bridges.set(name, { gateway: gatewayCidr.split('/')[0], cidr: gatewayCidr });
  if (dnsPeer) await listenDns(gatewayCidr.split('/')[0]);
}

/** Moves one veth end into the task's namespace (pid), addresses it, and sets its default route. */
async function attach({ pid, links, defaultVia }) {
  const batch = ['link set lo up'];
  for (const l of links) {
    await ensureBridge(l.bridge, l.gatewayCidr);
    await run(IP, ['link', 'add', l.host, 'type', 'veth', 'peer', 'name', l.ifname, 'netns', String(pid)]);
    await run(IP, ['link', 'set', l.host, 'master', l.bridge]);
    await run(IP, ['link', 'set', l.host, 'up']);
    batch.push(`addr add ${l.address} dev ${l.ifname}`, `link set ${l.ifname} up`);
  }
  if (defaultVia) batch.push(`route add default via ${defaultVia}`);
  await run(NSENTER, [`--net=/proc/${pid}/ns/net`, IP, '-batch', '-'], batch.join('\n') + '\n');
}

// ---------- DNS relay: queries to <gateway>:53 go to the agent's handler ----------

function askAgent(data, from, protocol) {
  return new Promise((resolve) => {
    if (!dnsPeer) return resolve(undefined);
    const qid = nextQid++;
    const timer = setTimeout(() => {
      pendingDns.delete(qid);
      resolve(undefined);
    }, 5_000);
    pendingDns.set(qid, (answer) => {
      clearTimeout(timer);
      resolve(answer);
    });
    send(dnsPeer, { op: 'dnsQuery', qid, protocol, from, data: data.toString('base64') });
  });
}

async function listenDns(addr) {
  if (dnsListeners.has(addr)) return;
  const udp = createSocket('udp4');
  udp.on('message', async (msg, rinfo) => {
    const answer = await askAgent(msg, { address: rinfo.address, port: rinfo.port }, 'udp');
    if (answer) udp.send(answer, rinfo.port, rinfo.address);
  });
  const tcp = createServer((sock) => {
    let buf = Buffer.alloc(0);
    sock.on('error', () => sock.destroy());
    sock.on('data', async (chunk) => {
      buf = Buffer.concat([buf, chunk]);
      while (buf.length >= 2 && buf.length >= 2 + buf.readUInt16BE(0)) {
        const msg = buf.subarray(2, 2 + buf.readUInt16BE(0));
        buf = buf.subarray(2 + msg.length);
        const answer = await askAgent(msg, { address: sock.remoteAddress, port: sock.remotePort }, 'tcp');
        if (!answer) return sock.destroy();
        const len = Buffer.alloc(2);
        len.writeUInt16BE(answer.length);
        sock.write(Buffer.concat([len, answer]));
      }
    });
  });
  dnsListeners.set(addr, [udp, tcp]);
  await new Promise((resolve, reject) => {
    udp.once('error', reject);
    udp.bind(53, addr, resolve);
  });
  await new Promise((resolve, reject) => {
    tcp.once('error', reject);
    tcp.listen(53, addr, resolve);
  });
}

// ---------- service VIPs: accepted here, relayed to the agent's mesh ----------

// Rule preferences: the VIP's own subnet reaches it through the local table,
// every other source is dropped (blackhole: silence, as for another network's
// tasks), and the local table's usual rule (pref 0) is moved after both.
const VIP_ALLOW_PREF = '100';
const VIP_DROP_PREF = '150';
const LOCAL_RULE_PREF = '200';
/** "subnet>vip" rules, VIPs routed locally, "vip:port" → listener */
const vipRules = new Set();
const vipLocal = new Set();
const vipServers = new Map();

function relayVip(sock, vip, port) {
  sock.on('error', () => sock.destroy());
  sock.pause();
  const up = connect({ path: join(runDir, 'vip.sock'), allowHalfOpen: true });
  up.once('error', () => sock.destroy());
  up.once('connect', () => {
    up.removeAllListeners('error');
    up.on('error', () => sock.destroy());
    sock.on('close', () => up.destroy());
    up.on('close', () => sock.destroy());
    up.write(JSON.stringify({ vip, port, src: sock.remoteAddress }) + '\n');
    sock.pipe(up);
    up.pipe(sock);
    sock.resume();
  });
}

/**
 * Makes the VIP set exactly `entries` ({vip, port, subnet}): each VIP is a
 * `local` route in the local table (AnyIP: no interface holds it, yet replies
 * may come from it), reached only by packets from its network's subnet; any
 * other source hits a blackhole rule first, so a task on another network gets
 * silence, as for any address there. Each vip:port has a listener (bound before
 * the route exists, hence ip_nonlocal_bind). What cannot be set up is reported.
 */
async function setVips(entries) {
  const wantRules = new Set(entries.map((e) => `${e.subnet}>${e.vip}`));
  const wantLocal = new Set(entries.map((e) => e.vip));
  const wantServers = new Set(entries.map((e) => `${e.vip}:${e.port}`));
  for (const [key, srv] of vipServers)
    if (!wantServers.has(key)) {
      srv.close();
      vipServers.delete(key);
    }
  const batch = [];
  for (const r of vipRules)
    if (!wantRules.has(r)) {
      const [subnet, vip] = r.split('>');
      batch.push(`rule del from ${subnet} to ${vip}/32 lookup local pref ${VIP_ALLOW_PREF}`);
      vipRules.delete(r);
    }
  for (const vip of vipLocal)
    if (!wantLocal.has(vip)) {
      batch.push(
        `rule del to ${vip}/32 blackhole pref ${VIP_DROP_PREF}`,
        `route del local ${vip}/32 dev lo table local`,
      );
      vipLocal.delete(vip);
    }
  for (const vip of wantLocal)
    if (!vipLocal.has(vip)) {
      batch.push(
        `rule add to ${vip}/32 blackhole pref ${VIP_DROP_PREF}`,
        `route replace local ${vip}/32 dev lo table local`,
      );
      vipLocal.add(vip);
    }
  for (const r of wantRules)
    if (!vipRules.has(r)) {
      const [subnet, vip] = r.split('>');
      batch.push(`rule add from ${subnet} to ${vip}/32 lookup local pref ${VIP_ALLOW_PREF}`);
      vipRules.add(r);
    }
  // -force: one stale line (a rule already gone) does not stop the rest
  const errors = [];
  if (batch.length)
    await run(IP, ['-force', '-batch', '-'], batch.join('\n') + '\n').catch((err) => errors.push(err.message));
  for (const e of entries) {
    const key = `${e.vip}:${e.port}`;
    if (vipServers.has(key)) continue;
    const srv = createServer({ allowHalfOpen: true }, (sock) => relayVip(sock, e.vip, e.port));
    await new Promise((resolve) => {
      srv.once('error', (err) => {
        errors.push(`cannot listen on VIP ${key}: ${err.code ?? err.message}`);
        resolve();
      });
      srv.listen(e.port, e.vip, () => {
        srv.removeAllListeners('error');
        srv.on('error', () => {});
        vipServers.set(key, srv);
        resolve();
      });
    });
  }
  return { errors };
}

// ---------- control socket ----------

function send(sock, msg) {
  if (!sock.destroyed) sock.write(JSON.stringify(msg) + '\n');
}

const ops = {
  hello: async () => ({ pid: process.pid }),
  network: async (req) => ensureBridge(req.bridge, req.gatewayCidr),
  attach: async (req) => attach(req),
  vips: async (req) => setVips(req.entries ?? []),
  serveDns: async (req, sock) => {
    dnsPeer = sock;
    for (const { gateway } of bridges.values()) await listenDns(gateway);
  },
  stop: async () => {
    setTimeout(() => exitClean(), 0);
  },
};

let agents = 0;
let idleTimer;

/**
 * Exit after taking back <runDir> (removeRunDir), unless `stillGo()` says otherwise by then. The
 * agent's vip.sock goes too once nothing accepts on it (the agent was killed or has stopped).
 */
function exitClean(stillGo = () => true) {
  const probe = connect({ path: join(runDir, 'vip.sock') });
  let done = false;
  const leave = (stale) => {
    if (done) return;
    done = true;
    probe.destroy();
    if (!stillGo()) return; // an agent came back meanwhile: stay
    if (stale) rmSync(join(runDir, 'vip.sock'), { force: true });
    removeRunDir();
    process.exit(0);
  };
  probe.once('connect', () => leave(false));
  probe.once('error', (e) => leave(e.code === 'ECONNREFUSED'));
  setTimeout(() => leave(false), 1_000).unref();
}
/** The sockets this router made, by inode: a newer router may have replaced them by now. */
const made = new Map();

/**
 * Exiting idle: take back what this router put in <runDir> and the directory once empty, so runs
 * leave no directories behind. A socket another router has since bound (another inode) is left
 * alone, and so is a directory that still holds anything of theirs.
 */
function removeRunDir() {
  try {
    for (const [path, ino] of made) if (statSync(path, { throwIfNoEntry: false })?.ino === ino) rmSync(path);
    rmSync(join(runDir, 'tasks'), { recursive: true, force: true });
    if (readdirSync(runDir).every((f) => f === 'router.log')) {
      rmSync(join(runDir, 'router.log'), { force: true });
      rmdirSync(runDir);
    }
  } catch {
    // best effort: a directory left behind is reused by the next router for the same data dir
  }
}
const IDLE_CHECK_MS = 2_000;

/** No agent connected: exit once no task holds a veth here (a veth goes when its task's namespace goes). */
function checkIdle() {
  clearTimeout(idleTimer);
  if (agents > 0) return;
  execFile(IP, ['-o', 'link', 'show', 'type', 'veth'], (err, stdout) => {
    if (agents > 0) return;
    if (!err && stdout.trim() === '') {
      exitClean(() => agents === 0);
      return;
    }
    idleTimer = setTimeout(checkIdle, IDLE_CHECK_MS);
  });
}

function serveControl(sock) {
  agents++;
  clearTimeout(idleTimer);
  let buf = '';
  sock.setEncoding('utf8');
  sock.on('error', () => sock.destroy());
  // the listener allows half-open streams (for the dial relay); a control peer that hangs up is gone
  sock.on('end', () => sock.end());
  sock.on('close', () => {
    if (dnsPeer === sock) dnsPeer = undefined;
    agents--;
    idleTimer = setTimeout(checkIdle, IDLE_CHECK_MS);
  });
  sock.on('data', (chunk) => {
    buf += chunk;
    let nl;
    while ((nl = buf.indexOf('\n')) >= 0) {
      const line = buf.slice(0, nl);
      buf = buf.slice(nl + 1);
      let req;
      try {
        req = JSON.parse(line);
      } catch {
        continue;
      }
      if (req.op === 'dnsAnswer') {
        pendingDns.get(req.qid)?.(req.data ? Buffer.from(req.data, 'base64') : undefined);
        pendingDns.delete(req.qid);
        continue;
      }
      const op = ops[req.op];
      Promise.resolve()
        .then(() => (op ? op(req, sock) : Promise.reject(new Error(`unknown op ${req.op}`))))
        .then(
          (result) => send(sock, { id: req.id, ok: true, ...(result ?? {}) }),
          (err) => send(sock, { id: req.id, ok: false, error: err instanceof Error ? err.message : String(err) }),
        );
    }
  });
}

/** Datagrams through dial.sock: a flow idle this long is closed (docker-proxy's 90 s). */
const UDP_IDLE_MS = 90_000;
const MAX_DATAGRAM = 65_507;

/** One UDP flow into a task: framed datagrams on `sock`, a connected udp4 socket toward ip:port. */
function relayUdp(sock, target, rest) {
  const udp = createSocket('udp4');
  let idle;
  const close = () => {
    clearTimeout(idle);
    try {
      udp.close();
    } catch {
      /* closed already */
    }
    sock.destroy();
  };
  const touch = () => {
    clearTimeout(idle);
    idle = setTimeout(close, UDP_IDLE_MS);
  };
  // ICMP port unreachable surfaces as an error on a connected socket: the task is not listening yet; keep the flow
  udp.on('error', () => {});
  udp.on('message', (msg) => {
    touch();
    const head = Buffer.allocUnsafe(4);
    head.writeUInt32BE(msg.length, 0);
    sock.write(Buffer.concat([head, msg]));
  });
  sock.on('close', close);
  udp.connect(target.port, target.ip, () => {
    let buf = rest;
    const onData = (chunk) => {
      touch();
      buf = buf.length ? Buffer.concat([buf, chunk]) : chunk;
      while (buf.length >= 4) {
        const len = buf.readUInt32BE(0);
        if (len > MAX_DATAGRAM) return close();
        if (buf.length < 4 + len) break;
        udp.send(buf.subarray(4, 4 + len));
        buf = buf.subarray(4 + len);
      }
    };
    sock.write('ok\n');
    touch();
    onData(Buffer.alloc(0));
    sock.on('data', onData);
    sock.on('end', close);
    sock.resume();
  });
}

function serveDial(sock) {
  let head = Buffer.alloc(0);
  sock.on('error', () => sock.destroy());
  const onData = (chunk) => {
    head = Buffer.concat([head, chunk]);
    const nl = head.indexOf(10);
    if (nl < 0) {
      if (head.length > 1024) sock.destroy();
      return;
    }
    sock.off('data', onData);
    sock.pause();
    const rest = head.subarray(nl + 1);
    let target;
    try {
      target = JSON.parse(head.subarray(0, nl).toString('utf8'));
    } catch {
      return sock.end('err EINVAL\n');
    }
    if (target.proto === 'udp') return relayUdp(sock, target, rest);
    const up = connect({ host: target.ip, port: target.port, allowHalfOpen: true });
    up.once('error', (err) => {
      if (!sock.destroyed) sock.end(`err ${err.code ?? 'ECONNREFUSED'}\n`);
    });
    up.once('connect', () => {
      up.removeAllListeners('error');
      up.on('error', () => sock.destroy());
      sock.on('error', () => up.destroy());
      sock.write('ok\n');
      if (rest.length) up.write(rest);
      sock.pipe(up);
      up.pipe(sock);
      sock.resume();
    });
  };
  sock.on('data', onData);
}

async function main() {
  await run(IP, ['link', 'set', 'lo', 'up']);
  // No routing between the bridges: tasks on different networks cannot reach each other.
  writeFileSync('/proc/sys/net/ipv4/ip_forward', '0\n');
  // VIP listeners are bound before their address is routed here (setVips)
  writeFileSync('/proc/sys/net/ipv4/ip_nonlocal_bind', '1\n');
  // the local table is looked up after the VIP rules (setVips), not first
  await run(IP, ['-batch', '-'], `rule add pref ${LOCAL_RULE_PREF} lookup local\nrule del pref 0\n`);
  const listenOn = (name, handler) =>
    new Promise((resolve, reject) => {
      const path = join(runDir, name);
      rmSync(path, { force: true });
      const srv = createServer({ allowHalfOpen: true }, handler);
      srv.once('error', reject);
      srv.listen(path, () => {
        made.set(path, statSync(path).ino);
        resolve(srv);
      });
    });
  await listenOn('control.sock', serveControl);
  await listenOn('dial.sock', serveDial);
  process.stdout.write(`ready ${process.pid}\n`);
}

process.on('SIGTERM', () => exitClean());
main().catch((err) => {
  console.error(`netns router: ${err instanceof Error ? err.message : String(err)}`);
  process.exit(1);
});
