// The console port: the console's JSON API and socket.io stream beside the
// Next.js app that renders the pages.
import type { IncomingMessage, Server, ServerResponse } from 'node:http';
import { fileURLToPath } from 'node:url';
import type { Config } from './config';
import { ConsoleAuth } from './auth/console-auth';
import { startAuthHousekeeping } from './auth/housekeeping';
import { SetupToken } from './auth/setup-token';
import { handleConsoleApi } from './http/console/api';
import { gatePage } from './http/console/page-gate';
import { HttpError } from './http/http-error';
import { parseRequestTarget } from './http/request-target';
import { warmConsolePages } from './console-warmup';
import { listen } from './listen';
import type { ManagerContext } from './manager/context';
import { createHttpListener, type HttpListenerLimits } from './net/http-listener';
import { LISTENER_LIMITS } from './net/listener-limits';
import { attachRealtime, type SampleFeed } from './realtime/gateway';
import { guardSocketMethods, refuseOtherUpgrades, SOCKET_PATH } from './realtime/socket-path-guard';

const ROOT = fileURLToPath(new URL('..', import.meta.url));

export interface ConsoleServer {
  server: Server;
  /** Console sockets connected now. */
  socketClients(): number;
  close(): Promise<void>;
}

function sendFailure(res: ServerResponse, status: number, message: string): void {
  if (res.headersSent) {
    res.destroy();
    return;
  }
  res.writeHead(status, { 'Content-Type': 'application/json' });
  res.end(JSON.stringify({ message }));
}

export async function startConsole(
  cfg: Config,
  ctx: ManagerContext,
  limits: HttpListenerLimits = LISTENER_LIMITS.console,
  /** The metric sampler whose samples the live charts draw. */
  samples?: SampleFeed,
): Promise<ConsoleServer> {
  const { default: next } = await import('next');
  const app = next({ dev: cfg.dev, dir: ROOT, hostname: cfg.listenHost, port: cfg.consolePort });
  await app.prepare();
  const handle = app.getRequestHandler();
  const setup = new SetupToken(cfg.dataDir);
  const auth = new ConsoleAuth(ctx, setup);
  const linkHost = ['0.0.0.0', '::', '127.0.0.1', 'localhost'].includes(cfg.listenHost) ? '127.0.0.1' : cfg.listenHost;
  const housekeeping = startAuthHousekeeping(ctx, auth, setup, {
    consoleUrl: `http://${linkHost.includes(':') ? `[${linkHost}]` : linkHost}:${cfg.consolePort}`,
    adminName: process.env.SWARMDECK_ADMIN_NAME,
    adminPassword: process.env.SWARMDECK_ADMIN_PASSWORD,
  });
  // a leader that starts its console has made its first admin (or printed the setup link) before it serves
  await housekeeping.firstTick;
  const { server } = createHttpListener('console', limits, (req: IncomingMessage, res: ServerResponse) => {
    // nothing a request carries may throw out of here (a throw would end the process)
    Promise.resolve()
      .then(() => {
        const target = parseRequestTarget(req.url);
        if (target instanceof HttpError) {
          req.resume();
          sendFailure(res, target.status, target.message);
          return;
        }
        return handleConsoleApi(req, res, ctx, auth).then(async (handled) => {
          if (!handled && !(await gatePage(req, res, auth))) return handle(req, res);
        });
      })
      .catch((err: unknown) => {
        console.error('console request failed', err);
        sendFailure(res, 500, 'internal error');
      });
  });
  const realtime = attachRealtime(server, ctx, auth, {
    maxClients: limits.maxConnections,
    maxClientsPerPeer: limits.maxPerPeer,
    ...(samples ? { samples } : {}),
  });
  guardSocketMethods(server);
  if (cfg.dev) {
    const upgrade = app.getUpgradeHandler();
    server.on('upgrade', (req, socket, head) => {
      if (!req.url?.startsWith(SOCKET_PATH)) void upgrade(req, socket, head);
    });
  } else {
    refuseOtherUpgrades(server);
  }
  await listen(server, cfg.consolePort, cfg.listenHost);
  if (!cfg.dev) await warmConsolePages(cfg.listenHost, cfg.consolePort);
  return {
    server,
    socketClients: () => realtime.clientCount(),
    async close() {
      housekeeping.stop();
      await realtime.close();
      await new Promise<void>((r) => server.close(() => r()));
      await app.close?.();
    },
  };
}
