// Browsers cannot drive the Engine API. In real Chromium: a page on another
// site tries to create a service (no-cors fetch and a plain form post) and to
// read the swarm's join tokens; a DNS-rebinding page (its name re-pointed at
// 127.0.0.1, so its requests are same-origin to it) tries the same. Every
// request reaches the engine and is refused, nothing changes, nothing is read.
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { chromium, expect, test, type Browser, type Page } from '@playwright/test';
import { E2E_ENGINE, E2E_PORTS } from './ports';

const ENGINE = E2E_ENGINE;
const SPEC = { Name: 'csrf-e2e', TaskTemplate: { ContainerSpec: { Image: 'nginx:alpine' } } };

async function serviceNames(): Promise<string[]> {
  const res = await fetch(`${ENGINE}/v1.50/services`);
  expect(res.status).toBe(200);
  return ((await res.json()) as { Spec: { Name: string } }[]).map((s) => s.Spec.Name).sort();
}

/** What the attacking page does; it reports to window.outcome. `base` is where it sends requests ('' = its own origin). */
function attackPage(base: string): string {
  const spec = JSON.stringify(SPEC);
  return `<!doctype html><html><body>
<form id="f" method="POST" enctype="text/plain" target="sink" action="${base}/v1.50/services/create">
  <input name='${spec.slice(0, -1)},"x":"' value='"}'>
</form>
<iframe name="sink"></iframe>
<script>
window.outcome = (async () => {
  const out = {};
  // a write that needs no CORS preflight
  await fetch('${base}/v1.50/services/create', { method: 'POST', mode: 'no-cors', body: ${JSON.stringify(spec)} })
    .then((r) => { out.noCors = r.type === 'opaque' ? 'opaque' : r.status; }, (e) => { out.noCors = 'error: ' + e.message; });
  // a JSON write (a preflight cross-site; a plain request same-origin)
  await fetch('${base}/v1.50/services/create', { method: 'POST', headers: { 'Content-Type': 'application/json' }, body: ${JSON.stringify(spec)} })
    .then(async (r) => { out.json = r.status + ' ' + (await r.text()); }, (e) => { out.json = 'error: ' + e.message; });
  // the join tokens
  await fetch('${base}/v1.50/swarm')
    .then(async (r) => { out.read = r.status + ' ' + (await r.text()); }, (e) => { out.read = 'error: ' + e.message; });
  document.getElementById('f').submit();
  return out;
})();
</script></body></html>`;
}

interface Outcome {
  noCors: string | number;
  json: string;
  read: string;
}

/**
 * Run the attack page at `url`; what it saw, and the engine's answer to each of its requests: the
 * three fetches (and a preflight) as the page's network saw them, CORS-blocked ones included, plus the
 * form post, which navigates the iframe (a frame of its own, possibly another process: Playwright
 * follows it where the page's own network session may not).
 */
async function attack(
  page: Page,
  url: string,
  fetches: number,
): Promise<{ outcome: Outcome; answers: [string, number][] }> {
  const cdp = await page.context().newCDPSession(page);
  // the two events of one request come in either order: join them by request ID at the end
  const sent = new Map<string, string>();
  const status = new Map<string, number>();
  cdp.on(
    'Network.requestWillBeSent',
    (e: { requestId: string; type?: string; request: { url: string; method: string } }) => {
      const u = new URL(e.request.url);
      if (e.type !== 'Document' && u.port === String(E2E_PORTS.engine) && u.pathname.startsWith('/v1.50/'))
        sent.set(e.requestId, `${e.request.method} ${u.pathname}`);
    },
  );
  cdp.on('Network.responseReceivedExtraInfo', (e: { requestId: string; statusCode: number }) =>
    status.set(e.requestId, e.statusCode),
  );
  await cdp.send('Network.enable');
  const formPost = page.waitForResponse(
    (r) => r.request().method() === 'POST' && r.request().resourceType() === 'document',
    { timeout: 10_000 },
  );
  await page.goto(url);
  const outcome = (await page.evaluate(() => (window as unknown as { outcome: Promise<Outcome> }).outcome)) as Outcome;
  const answered = () =>
    [...sent].filter(([id]) => status.has(id)).map(([id, what]): [string, number] => [what, status.get(id)!]);
  await expect.poll(() => answered().length, { timeout: 10_000 }).toBe(fetches);
  const answers = answered();
  // the form post navigates the iframe after the page's script is done
  const form = await formPost;
  answers.push([`POST ${new URL(form.url()).pathname}`, form.status()]);
  answers.sort(([a], [b]) => a.localeCompare(b));
  return { outcome, answers };
}

let browser: Browser;
let attacker: Server;
let attackerPort = 0;

test.beforeAll(async () => {
  // made-up names for the attacker's site and for the rebinding page, both resolving to 127.0.0.1
  browser = await chromium.launch({
    executablePath: '/usr/bin/chromium',
    args: [
      '--host-resolver-rules=MAP attacker.test 127.0.0.1, MAP rebind.test 127.0.0.1',
      // the engine as if it listened on a public address: Chromium's own local-network checks (which older
      // browsers and a manager on a LAN address do not get) must not be what stops the rebinding page
      `--ip-address-space-overrides=127.0.0.1:${E2E_PORTS.engine}=public`,
      '--disable-background-networking',
      '--disable-component-update',
    ],
  });
  attacker = createServer((_req, res) => {
    res.writeHead(200, { 'Content-Type': 'text/html' });
    res.end(attackPage(ENGINE));
  });
  await new Promise<void>((r) => attacker.listen(0, '127.0.0.1', () => r()));
  attackerPort = (attacker.address() as AddressInfo).port;
});

test.afterAll(async () => {
  await browser?.close();
  await new Promise<void>((r) => attacker?.close(() => r()));
});

test.setTimeout(60_000);

test('a page on another site can neither create a service nor read the join tokens', async () => {
  const before = await serviceNames();
  const page = await browser.newPage();
  const { outcome, answers } = await attack(page, `http://attacker.test:${attackerPort}/`, 3);
  // every request the page could send reached the engine and was refused: the no-cors POST, the JSON
  // POST's preflight (so the POST itself was never sent), the read, and the form post
  expect(answers).toEqual([
    ['GET /v1.50/swarm', 403],
    ['OPTIONS /v1.50/services/create', 403],
    ['POST /v1.50/services/create', 403],
    ['POST /v1.50/services/create', 403],
  ]);
  expect(outcome).toEqual({ noCors: 'opaque', json: 'error: Failed to fetch', read: 'error: Failed to fetch' });
  expect(await serviceNames()).toEqual(before);
  await page.close();
});

test('a DNS-rebinding page (same origin to itself) can neither create a service nor read the join tokens', async () => {
  const before = await serviceNames();
  const page = await browser.newPage();
  // the page as the attacker served it before re-pointing rebind.test at 127.0.0.1
  const origin = `http://rebind.test:${E2E_PORTS.engine}`;
  await page.route(`${origin}/attack.html`, (route) =>
    route.fulfill({ status: 200, contentType: 'text/html', body: attackPage('') }),
  );
  const { outcome, answers } = await attack(page, `${origin}/attack.html`, 3);
  // same-origin now: the browser sends everything and lets the page read the answers, which are refusals
  expect(answers).toEqual([
    ['GET /v1.50/swarm', 403],
    ['POST /v1.50/services/create', 403],
    ['POST /v1.50/services/create', 403],
    ['POST /v1.50/services/create', 403],
  ]);
  const refusal =
    '403 {"message":"the Engine API does not answer to host \\"rebind.test\\"; add it to SWARMDECK_HOSTS to allow it"}\n';
  expect(outcome).toEqual({ noCors: 403, json: refusal, read: refusal });
  expect(await serviceNames()).toEqual(before);

  // control: the same page at the engine's own address is answered (so the refusals above are the Host check)
  const control = await browser.newPage();
  await control.route(`${ENGINE}/attack.html`, (route) =>
    route.fulfill({ status: 200, contentType: 'text/html', body: '<!doctype html><title>control</title>' }),
  );
  await control.goto(`${ENGINE}/attack.html`);
  const read = await control.evaluate(async () => {
    const r = await fetch('/v1.50/swarm');
    return `${r.status} ${await r.text()}`;
  });
  expect(read).toMatch(/^200 .*SWMTKN-1-/);
  await page.close();
  await control.close();
});
