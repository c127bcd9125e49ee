// The console's pages without a session: a page request is sent to /login
// (with where it was going), and /share/<token> trades a share link for its
// cookie and moves on to the wall. Everything else (Next's assets, the login and
// setup pages themselves) passes.

import type { IncomingMessage, ServerResponse } from 'node:http';
import type { ConsoleAuth } from '../../auth/console-auth';
import { setSessionCookie, sessionCookie } from '../../auth/cookies';
import { peerAddress } from '../../net/connection-gate';
import { isSecure } from './auth-routes';

/** Pages anyone may open. */
const OPEN_PAGES = [/^\/login(\/|$)/, /^\/setup(\/|$)/, /^\/_next\//, /^\/favicon\.ico$/];

const BAD_LINK = 'This share link is not valid: it was revoked, it expired, or it was mistyped.';

function wantsHtml(req: IncomingMessage): boolean {
  return /\btext\/html\b/.test(req.headers.accept ?? '');
}

/** Answers the request (true) when it is a share link or a page that needs a login; false: serve it. */
export async function gatePage(req: IncomingMessage, res: ServerResponse, auth: ConsoleAuth): Promise<boolean> {
  const method = req.method ?? 'GET';
  if (method !== 'GET' && method !== 'HEAD') return false;
  const [path = '/'] = (req.url ?? '/').split('?');
  const share = /^\/share\/([^/]+)\/?$/.exec(path);
  if (share) {
    let token = '';
    try {
      token = decodeURIComponent(share[1]!);
    } catch {
      // a malformed token is just a bad link
    }
    const r = await auth.redeem(token, peerAddress(req.socket));
    if (!r) {
      const html = wantsHtml(req);
      const body = html
        ? `<!doctype html><html><head><meta charset="utf-8"><title>Swarmdeck: link not valid</title></head><body><h1>Link not valid</h1><p>${BAD_LINK}</p></body></html>`
        : JSON.stringify({ message: BAD_LINK });
      res.writeHead(403, {
        'Content-Type': html ? 'text/html; charset=utf-8' : 'application/json',
        'Cache-Control': 'no-store',
        'Referrer-Policy': 'no-referrer',
      });
      res.end(method === 'HEAD' ? undefined : body);
      return true;
    }
    // the link's token becomes the cookie: revoking the link ends every wall that opened it. The answer
    // is a page that moves on to the wall by itself rather than a redirect: a link opened from another
    // site (a chat, a mail) would carry the SameSite=Strict cookie on no request of a redirect chain that
    // site started, while the page's own hop to /wall is same-site and carries it.
    const body =
      '<!doctype html><html><head><meta charset="utf-8"><meta http-equiv="refresh" content="0;url=/wall">' +
      '<title>Swarmdeck: opening the wall</title></head><body><p>Opening the wall…</p></body></html>';
    res.writeHead(200, {
      'Content-Type': 'text/html; charset=utf-8',
      'Set-Cookie': setSessionCookie(token, r.expiresAtMs, auth.now(), isSecure(req)),
      'Cache-Control': 'no-store',
      'Referrer-Policy': 'no-referrer',
      'Content-Length': Buffer.byteLength(body),
    });
    res.end(method === 'HEAD' ? undefined : body);
    return true;
  }
  if (!wantsHtml(req) || OPEN_PAGES.some((p) => p.test(path))) return false;
  if (auth.resolve(sessionCookie(req.headers))) return false;
  res.writeHead(302, { Location: `/login?next=${encodeURIComponent(req.url ?? '/')}`, 'Cache-Control': 'no-store' });
  res.end();
  return true;
}
