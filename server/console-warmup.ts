// Next loads a page's server code the first time the page is asked for: that
// first render of a dynamic page holds the process for ~150 ms, which a
// manager must not spend while it serves raft and the Engine API. Ask for
// every page once at start, before the manager says it is ready.

import { request } from 'node:http';

/**
 * One of each page (dynamic ones with a made-up ID: the not-found render loads the same code). The
 * requests ask for no text/html, so the login gate lets them through: a page holds no cluster data
 * (that comes over /api and the socket, which check the session), only its code.
 */
export const CONSOLE_PAGES = [
  '/',
  '/services',
  '/services/new',
  '/services/warm-up',
  '/services/warm-up/logs',
  '/nodes',
  '/nodes/warm-up',
  '/raft',
  '/topology',
  '/networks/warm-up',
  '/secrets',
  '/secrets/warm-up',
  '/configs',
  '/configs/warm-up',
  '/wall',
  '/login',
  '/setup',
  '/accounts',
  '/share-links',
  '/audit',
  '/warm-up-not-found',
];

function get(host: string, port: number, path: string, timeoutMs: number): Promise<void> {
  return new Promise((resolve) => {
    const req = request({ host, port, path, agent: false, timeout: timeoutMs }, (res) => {
      res.resume();
      res.on('end', () => resolve());
      res.on('error', () => resolve());
    });
    req.on('timeout', () => req.destroy());
    req.on('error', () => resolve());
    req.end();
  });
}

/** Render every page once; failures are ignored (a page that fails to warm is only slower once). */
export async function warmConsolePages(listenHost: string, port: number, timeoutMs = 10_000): Promise<void> {
  const host = listenHost === '0.0.0.0' || listenHost === '::' ? '127.0.0.1' : listenHost;
  for (const path of CONSOLE_PAGES) await get(host, port, path, timeoutMs);
}
