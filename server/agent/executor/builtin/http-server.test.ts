// The built-in HTTP server's graceful stop, with a real process and sockets:
// SIGTERM while a slow request is in flight and a keep-alive connection idles.
import { spawn, type ChildProcess } from 'node:child_process';
import { Agent, request, type IncomingMessage } from 'node:http';
import { connect, createServer } from 'node:net';
import { fileURLToPath } from 'node:url';
import { afterEach, expect, it } from 'vitest';

const SERVER = fileURLToPath(new URL('./http-server.mjs', import.meta.url));

function freePort(): Promise<number> {
  return new Promise((resolve) => {
    const s = createServer().listen(0, '127.0.0.1', () => {
      const port = (s.address() as { port: number }).port;
      s.close(() => resolve(port));
    });
  });
}

let child: ChildProcess | undefined;
afterEach(() => {
  if (child && child.exitCode === null) child.kill('SIGKILL');
});

async function start(port: number): Promise<{ lines: string[]; exited: Promise<number | null> }> {
  child = spawn(process.execPath, [SERVER], {
    env: { ...process.env, SWARMDECK_PORT_80_TCP: String(port), SWARMDECK_TASK_ID: 't1' },
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  const lines: string[] = [];
  const exited = new Promise<number | null>((r) => child!.once('exit', (code) => r(code)));
  await new Promise<void>((resolve, reject) => {
    child!.stdout!.setEncoding('utf8').on('data', (c: string) => {
      lines.push(...c.split('\n').filter(Boolean));
      if (lines.some((l) => l.startsWith('http: listening'))) resolve();
    });
    child!.once('exit', () => reject(new Error('http-server exited before listening')));
  });
  return { lines, exited };
}

/** Polls a condition every 10 ms, at most 10 s. */
async function until(cond: () => boolean): Promise<void> {
  for (const end = Date.now() + 10_000; !cond(); await new Promise((r) => setTimeout(r, 10)))
    if (Date.now() > end) throw new Error('condition not met in 10 s');
}

function get(port: number, path: string, agent: Agent | false): Promise<{ res: IncomingMessage; body: string }> {
  return new Promise((resolve, reject) => {
    const req = request({ host: '127.0.0.1', port, path, agent }, (res) => {
      let body = '';
      res.setEncoding('utf8').on('data', (d: string) => (body += d));
      res.on('end', () => resolve({ res, body }));
    });
    req.on('error', reject);
    req.end();
  });
}

it('on SIGTERM finishes the request in flight with Connection: close, drops idle keep-alive sockets, refuses new ones, then exits 0', async () => {
  const port = await freePort();
  const { lines, exited } = await start(port);
  // an idle keep-alive connection: one request answered, the socket kept open
  const idle = connect({ host: '127.0.0.1', port });
  let idleClosed = false;
  idle.on('close', () => (idleClosed = true));
  idle.on('error', () => {});
  await new Promise<void>((resolve) => {
    idle.once('data', () => resolve());
    idle.write('GET / HTTP/1.1\r\nHost: x\r\nConnection: keep-alive\r\n\r\n');
  });
  const keepAlive = new Agent({ keepAlive: true });
  const slow = get(port, '/?format=json&sleep=800', keepAlive);
  await until(() => lines.some((l) => l.startsWith('http: holding "GET /?format=json&sleep=800"')));
  const sentAt = Date.now();
  child!.kill('SIGTERM');
  const { res, body } = await slow;
  expect(res.statusCode).toBe(200);
  expect(res.headers.connection).toBe('close');
  expect(JSON.parse(body)).toMatchObject({ task: 't1', path: '/' });
  expect(await exited).toBe(0);
  expect(Date.now() - sentAt).toBeGreaterThanOrEqual(500);
  expect(idleClosed).toBe(true);
  expect(lines).toContain('http: shutting down, finishing requests in flight');
  await expect(get(port, '/', false)).rejects.toMatchObject({ code: 'ECONNREFUSED' });
  keepAlive.destroy();
});
