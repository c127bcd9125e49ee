// Built-in stand-in for web images (nginx, httpd, caddy, traefik/whoami) under
// the process executor: listens on every TCP port the executor assigned
// (SWARMDECK_PORT_<target>_TCP, else PORT, else 80) and answers every request
// with the task's identity, as text or as JSON (`Accept: application/json`
// or `?format=json`). `?sleep=<ms>` (at most 60 s) answers after that long, a
// slow request for drain tests and benchmarks. On SIGTERM/SIGINT it shuts down
// gracefully, like nginx's `quit`: it stops accepting, closes idle keep-alive
// connections, answers the requests in flight with `Connection: close`, and
// exits 0 once they have ended (the executor's stop grace period bounds the
// wait with SIGKILL); a second signal exits at once.
import { createServer } from 'node:http';

const env = process.env;
const identity = {
  service: env.SWARMDECK_SERVICE_NAME ?? '',
  serviceID: env.SWARMDECK_SERVICE_ID ?? '',
  slot: env.SWARMDECK_TASK_SLOT ?? '',
  task: env.SWARMDECK_TASK_ID ?? '',
  taskName: env.SWARMDECK_TASK_NAME ?? '',
  node: env.SWARMDECK_NODE_HOSTNAME ?? '',
  nodeID: env.SWARMDECK_NODE_ID ?? '',
  hostname: env.HOSTNAME ?? '',
  image: env.SWARMDECK_IMAGE ?? '',
};

const ports = new Set();
for (const [k, v] of Object.entries(env)) {
  if (/^SWARMDECK_PORT_\d+_TCP$/.test(k) && v) ports.add(Number(v));
}
if (ports.size === 0) ports.add(Number(env.PORT || 80));

const MAX_SLEEP_MS = 60_000;
let stopping = false;

const servers = [...ports].map((port) => {
  const server = createServer(async (req, res) => {
    const url = new URL(req.url ?? '/', 'http://localhost');
    const sleep = Math.min(Number(url.searchParams.get('sleep')) || 0, MAX_SLEEP_MS);
    if (sleep > 0) {
      console.log(`http: holding "${req.method} ${req.url}" for ${sleep} ms`);
      await new Promise((r) => setTimeout(r, sleep));
    }
    // shutting down: this is the connection's last answer
    if (stopping) res.setHeader('connection', 'close');
    const json = url.searchParams.get('format') === 'json' || (req.headers.accept ?? '').includes('application/json');
    // the address the request came in on: the task's own in netns mode
    const address = (req.socket.localAddress ?? '').replace(/^::ffff:/, '');
    const body = { ...identity, port, address, method: req.method, path: url.pathname };
    console.log(`${req.socket.remoteAddress ?? '-'} "${req.method} ${req.url}" 200`);
    if (json) {
      res.writeHead(200, { 'content-type': 'application/json' });
      res.end(JSON.stringify(body) + '\n');
      return;
    }
    res.writeHead(200, { 'content-type': 'text/plain; charset=utf-8' });
    res.end(
      `service: ${identity.service}\nslot: ${identity.slot}\ntask: ${identity.task}\n` +
        `node: ${identity.node}\nhostname: ${identity.hostname}\naddress: ${address}\nport: ${port}\n`,
    );
  });
  server.on('error', (err) => {
    console.error(`http: cannot listen on port ${port}: ${err.message}`);
    process.exit(1);
  });
  server.listen(port, () => console.log(`http: listening on port ${port} for ${identity.taskName || identity.task}`));
  return server;
});

const stop = () => {
  if (stopping) process.exit(0);
  stopping = true;
  console.log('http: shutting down, finishing requests in flight');
  let open = servers.length;
  for (const s of servers) {
    // stops accepting and (Node 19+) closes idle keep-alive sockets; calls back when the last connection ends
    s.close(() => {
      if (--open === 0) process.exit(0);
    });
    s.closeIdleConnections();
  }
};
process.on('SIGTERM', stop);
process.on('SIGINT', stop);
