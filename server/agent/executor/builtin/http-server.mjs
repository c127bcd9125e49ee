// Built-in stand-in for web images (nginx, httpd, caddy, traefik/whoami) under
// the process executor: listens on every TCP port the executor assigned
// (SWARMDECK_PORT_<target>_TCP, else PORT, else 80) and answers every request
// with the task's identity, as text or as JSON (`Accept: application/json`
// or `?format=json`). Exits 0 on SIGTERM/SIGINT, like nginx's fast shutdown.
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

const servers = [...ports].map((port) => {
  const server = createServer((req, res) => {
    const url = new URL(req.url ?? '/', 'http://localhost');
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
  for (const s of servers) s.close();
  process.exit(0);
};
process.on('SIGTERM', stop);
process.on('SIGINT', stop);
