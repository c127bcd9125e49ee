// A share link for a wall screen: made and shown once in the console, it opens
// the wall with no login and nothing writable; revoked, it is refused at once,
// the open wall's live socket included.
import { mkdirSync } from 'node:fs';
import { expect, test, type Page, type WebSocket } from '@playwright/test';
import type { ConsoleState } from '../server/api/realtime';
import { expectNoActions, waitLive } from './roles';

const ARTIFACTS = 'artifacts';
const NOBODY = { cookies: [], origins: [] };
const VIEWPORTS = { laptop: { width: 1366, height: 768 }, wall: { width: 2560, height: 1440 } } as const;

test.use({ viewport: VIEWPORTS.laptop });

test.beforeAll(async ({ request }) => {
  // something to show on the wall (a spec's beforeAll runs again after a failure: a name of this run)
  const r = await request.post('/api/services', {
    data: { name: `wall-web-${Date.now().toString(36)}`, image: 'nginx:alpine', mode: 'replicated', replicas: 3 },
  });
  expect(r.status(), await r.text()).toBe(201);
});

async function shoot(page: Page, name: string): Promise<void> {
  mkdirSync(ARTIFACTS, { recursive: true });
  for (const scheme of ['light', 'dark'] as const) {
    await page.emulateMedia({ colorScheme: scheme });
    for (const [vp, size] of Object.entries(VIEWPORTS)) {
      await page.setViewportSize(size);
      await page.screenshot({ path: `${ARTIFACTS}/${name}-${scheme}-${vp}.png`, fullPage: name !== 'wall' });
    }
  }
  await page.emulateMedia({ colorScheme: 'light' });
  await page.setViewportSize(VIEWPORTS.laptop);
}

test('a share link opens the wall read-only, and revoking it closes the open wall at once', async ({
  page,
  browser,
}) => {
  // the admin makes a link on the share-links page; its URL is shown once
  await page.goto('/share-links');
  await page.getByLabel('Name').fill('e2e wall');
  await page.getByLabel('Expires after').selectOption({ label: '1 day' });
  await page.getByRole('button', { name: 'Create link' }).click();
  const shown = page.getByTestId('new-share-link');
  await expect(shown).toContainText('shown only this once');
  await expect(shown.getByRole('button', { name: 'Copy share link' })).toBeVisible();
  const url = await shown.getByLabel('Share link URL').inputValue();
  expect(url).toMatch(/^http:\/\/127\.0\.0\.1:\d+\/share\/[A-Za-z0-9._-]{20,}$/);
  await shoot(page, 'share-links-created');
  await shown.getByRole('button', { name: 'Done' }).click();
  const row = page.locator('tr[data-link="e2e wall"]');
  await expect(row).toContainText('never');
  await expect(page.getByLabel('Share link URL')).toHaveCount(0); // gone for good

  // the wall screen: a browser with no session opens the link
  const wallContext = await browser.newContext({ storageState: NOBODY, viewport: VIEWPORTS.laptop });
  const wall = await wallContext.newPage();
  const sockets: WebSocket[] = [];
  wall.on('websocket', (ws) => sockets.push(ws));
  // opened from another site, as from a chat or a mail: its SameSite=Strict cookie still gets it to the wall
  await wall.route('http://elsewhere.test/', (route) =>
    route.fulfill({ contentType: 'text/html', body: `<!doctype html><a id="go" href="${url}">the wall</a>` }),
  );
  const visited: string[] = [];
  wall.on('framenavigated', (f) => {
    if (f === wall.mainFrame()) visited.push(new URL(f.url()).pathname);
  });
  await wall.goto('http://elsewhere.test/');
  await wall.locator('#go').click();
  await expect(wall).toHaveURL(/\/wall$/);
  // straight there: the link's page hops to /wall same-site, so the cookie goes along (no login bounce)
  expect(visited.filter((p) => p === '/login')).toEqual([]);
  await waitLive(wall);
  const map = wall.getByTestId('wall');
  await expect(map.locator('.wall-node')).toHaveCount(4);
  await expect(map.locator('.wall-node[data-leader]')).toHaveCount(1);
  await expect(map.locator('.wall-task').first()).toBeVisible();
  // nothing to press, type or follow on the wall
  await expect(wall.locator('button, a, input, select, textarea, [role="button"], [tabindex]')).toHaveCount(0);
  await shoot(wall, 'wall');

  // nothing writable through the API either, and no secret in what it reads
  const api = wall.request;
  const state = (await (await api.get('/api/state')).json()) as ConsoleState;
  expect(state.objects.secret).toEqual([]);
  const svc = state.objects.service[0]!;
  for (const [method, path, data] of [
    ['post', `/api/services/${svc.ID}/scale`, { replicas: 1 }],
    ['delete', `/api/services/${svc.ID}`, undefined],
    ['post', `/api/nodes/${state.objects.node[0]!.ID}/availability`, { availability: 'drain' }],
    ['post', '/api/share-links', { name: 'more', ttlHours: 1 }],
    ['get', '/api/swarm/join-tokens', undefined],
    ['get', '/api/accounts', undefined],
  ] as const) {
    const r = await api[method](path, data === undefined ? {} : { data });
    expect(r.status(), `${method} ${path}`).toBe(403);
    expect(((await r.json()) as { message: string }).message).toMatch(/^permission denied: viewer may not /);
  }
  // the read-only views beyond the wall: no controls there either
  const other = await wallContext.newPage();
  await other.goto('/');
  await waitLive(other);
  await expect(other.getByRole('article', { name: /^Node / })).toHaveCount(4);
  await expectNoActions(other, '/ as a share link');
  await expect(other.getByRole('button', { name: 'Share link e2e wall shared, viewer' })).toBeVisible();
  await other.close();

  // the link's use shows on the admin's page
  await page.reload();
  await expect(row).not.toContainText('never');

  // revoke it: the wall's socket is dropped and the wall gives way at once
  const live = sockets.find((s) => !s.isClosed())!;
  expect(live).toBeDefined();
  const closed = new Promise<void>((resolve) => live.on('close', () => resolve()));
  await row.getByRole('button', { name: 'Revoke…' }).click();
  const revokedAt = Date.now();
  await row.getByRole('button', { name: 'Revoke e2e wall' }).click();
  await expect(row).toHaveCount(0);
  await closed;
  await expect(wall.getByTestId('share-ended')).toContainText('This share link no longer works', { timeout: 5_000 });
  expect(Date.now() - revokedAt).toBeLessThan(5_000);
  await expect(wall.getByTestId('wall')).toHaveCount(0); // nothing of the cluster stays on screen
  mkdirSync(ARTIFACTS, { recursive: true });
  await wall.screenshot({ path: `${ARTIFACTS}/wall-revoked.png` });

  // and refused from then on: its cookie, the link itself, a new socket
  expect((await api.get('/api/state')).status()).toBe(401);
  const again = await api.get(url, { maxRedirects: 0 });
  expect(again.status()).toBe(403);
  await wall.goto('/wall');
  await expect(wall).toHaveURL(/\/login\?next=%2Fwall$/);
  await wallContext.close();
});
