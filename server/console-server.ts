// The console port: the console's JSON API and socket.io stream beside the
// Next.js app that renders the pages.
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import { fileURLToPath } from 'node:url';
import type { Config } from './config';
import { handleConsoleApi } from './http/console/api';
import { listen } from './listen';
import type { ManagerContext } from './manager/context';
import { attachRealtime } from './realtime/gateway';

const ROOT = fileURLToPath(new URL('..', import.meta.url));

export interface ConsoleServer {
  server: Server;
  close(): Promise<void>;
}

export async function startConsole(cfg: Config, ctx: ManagerContext): Promise<ConsoleServer> {
  const { default: next } = await import('next');
  const app = next({ dev: cfg.dev, dir: ROOT, hostname: cfg.listenHost, port: cfg.consolePort });
  await app.prepare();
  const handle = app.getRequestHandler();
  const server = createServer((req: IncomingMessage, res: ServerResponse) => {
    handleConsoleApi(req, res, ctx)
      .then((handled) => {
        if (!handled) return handle(req, res);
      })
      .catch((err: unknown) => {
        console.error('console request failed', err);
        if (!res.headersSent) {
          res.writeHead(500, { 'Content-Type': 'application/json' });
          res.end(JSON.stringify({ message: 'internal error' }));
        }
      });
  });
  const realtime = attachRealtime(server, ctx);
  if (cfg.dev) {
    const upgrade = app.getUpgradeHandler();
    server.on('upgrade', (req, socket, head) => {
      if (!req.url?.startsWith('/socket.io')) void upgrade(req, socket, head);
    });
  }
  await listen(server, cfg.consolePort, cfg.listenHost);
  return {
    server,
    async close() {
      await realtime.close();
      await new Promise<void>((r) => server.close(() => r()));
      await app.close?.();
    },
  };
}
