// The role matrix in the browser: a viewer sees no action anywhere and cannot
// act through the API; an operator sees scale and drain but not remove.
import { mkdirSync } from 'node:fs';
import { expect, test, type APIRequestContext, type Browser, type Page } from '@playwright/test';
import type { ConsoleState } from '../server/api/realtime';
import { logIn, makeAccount } from './auth';
import { E2E_ENGINE } from './ports';
import { expectNoActions, waitLive } from './roles';

const ARTIFACTS = 'artifacts';
const NOBODY = { cookies: [], origins: [] };

// names of this run: a spec's beforeAll runs again after a failure
const run = Date.now().toString(36);
const SERVICE = `roles-web-${run}`;
const SECRET = `roles-secret-${run}`;
const CONFIG = `roles-config-${run}`;
let serviceID = '';
let nodeID = '';
let secretID = '';
let configID = '';
const viewer = { name: 'e2e-viewer', password: 'viewer-password' };
const operator = { name: 'e2e-operator', password: 'operator-password' };

test.use({ viewport: { width: 1366, height: 768 } });

async function engine(request: APIRequestContext, path: string, data: unknown): Promise<string> {
  const r = await request.post(`${E2E_ENGINE}/v1.50${path}`, { data });
  expect(r.status(), await r.text()).toBe(201);
  return ((await r.json()) as { ID: string }).ID;
}

test.beforeAll(async ({ request }) => {
  // `request` carries the admin's session (the setup project's)
  await makeAccount(request, viewer.name, 'viewer', viewer.password);
  await makeAccount(request, operator.name, 'operator', operator.password);
  const created = await request.post('/api/services', {
    data: { name: SERVICE, image: 'nginx:alpine', mode: 'replicated', replicas: 2 },
  });
  expect(created.status(), await created.text()).toBe(201);
  serviceID = ((await created.json()) as { ID: string }).ID;
  // an update, so the service has a previous spec (a roll back button) and a spec history to restore from
  expect((await request.post(`/api/services/${serviceID}/image`, { data: { image: 'nginx:1.27' } })).status()).toBe(
    200,
  );
  secretID = await engine(request, '/secrets/create', {
    Name: SECRET,
    Data: Buffer.from('s3cret').toString('base64'),
  });
  configID = await engine(request, '/configs/create', {
    Name: CONFIG,
    Data: Buffer.from('x=1').toString('base64'),
  });
  const state = (await (await request.get('/api/state')).json()) as ConsoleState;
  nodeID = state.objects.node.find((n) => !n.ManagerStatus)!.ID;
});

/** A fresh browser context logged in as `who`. */
async function as(browser: Browser, who: { name: string; password: string }): Promise<Page> {
  const context = await browser.newContext({ storageState: NOBODY, viewport: { width: 1366, height: 768 } });
  const page = await context.newPage();
  await logIn(page.request, who, test.info().project.use.baseURL);
  return page;
}

const base = () => test.info().project.use.baseURL!;

test('a viewer sees no action on any page, no secrets and no logs, and the API refuses its writes', async ({
  browser,
}) => {
  const page = await as(browser, viewer);
  const pages: [string, () => Promise<void>][] = [
    ['/', async () => expect(page.getByRole('article', { name: /^Node / })).toHaveCount(4)],
    ['/services', async () => expect(page.getByRole('link', { name: SERVICE })).toBeVisible()],
    [
      `/services/${serviceID}`,
      async () => {
        await expect(page.locator('tr.task-row.current')).toHaveCount(2);
        await expect(page.getByRole('heading', { name: 'Spec history' })).toBeVisible();
      },
    ],
    [`/nodes/${nodeID}`, async () => expect(page.getByRole('heading', { name: 'Node labels' })).toBeVisible()],
    ['/topology', async () => expect(page.getByTestId('topology')).toHaveAttribute('data-loaded', 'true')],
    ['/configs', async () => expect(page.getByRole('link', { name: CONFIG })).toBeVisible()],
    [`/configs/${configID}`, async () => expect(page.getByRole('heading', { name: CONFIG })).toBeVisible()],
    ['/raft', async () => expect(page.getByRole('table', { name: 'Managers' })).toBeVisible()],
  ];
  for (const [path, loaded] of pages) {
    await page.goto(`${base()}${path}`);
    await waitLive(page);
    await loaded();
    await expectNoActions(page, path);
  }
  // the navigation: configs, no secrets, no access pages
  const nav = page.getByRole('navigation', { name: 'Main' });
  await expect(nav.getByRole('link', { name: 'Configs' })).toBeVisible();
  await expect(nav.getByRole('link', { name: /Secrets|Access|Audit/ })).toHaveCount(0);
  await expect(page.getByRole('button', { name: `Account ${viewer.name}, viewer` })).toBeVisible();
  mkdirSync(ARTIFACTS, { recursive: true });
  await page.goto(`${base()}/services/${serviceID}`);
  await waitLive(page);
  await page.screenshot({ path: `${ARTIFACTS}/viewer-service.png`, fullPage: true });

  // pages of what it may not do say so, and show no secret
  for (const [path, text] of [
    [`/secrets/${secretID}`, 'needs the operator role'],
    [`/services/${serviceID}/logs`, 'needs the operator role'],
    ['/services/new', 'needs the admin role'],
    ['/accounts', 'needs the admin role'],
    ['/share-links', 'needs the admin role'],
  ] as const) {
    await page.goto(`${base()}${path}`);
    await expect(page.getByTestId('not-allowed')).toContainText(text);
    await expectNoActions(page, path);
  }
  await page.goto(`${base()}/secrets`);
  await expect(page.getByRole('heading', { level: 1 })).toHaveText('Configs');
  await expect(page.getByText(SECRET)).toHaveCount(0);

  // and through the API: 403 with the role and what it needs, nothing changed
  const api = page.request;
  const refused = async (method: 'get' | 'post' | 'delete', path: string, data?: unknown) => {
    const r = await api[method](`${base()}${path}`, data === undefined ? {} : { data });
    expect(r.status(), `${method} ${path}`).toBe(403);
    expect(r.headers()['content-type']).toMatch(/^application\/json/);
    return ((await r.json()) as { message: string }).message;
  };
  expect(await refused('post', `/api/services/${serviceID}/scale`, { replicas: 5 })).toBe(
    'permission denied: viewer may not scale a service (needs operator)',
  );
  expect(await refused('post', `/api/services/${serviceID}/rollback`)).toMatch(/^permission denied: viewer may not/);
  expect(await refused('post', `/api/nodes/${nodeID}/availability`, { availability: 'drain' })).toMatch(
    /needs operator/,
  );
  expect(await refused('delete', `/api/services/${serviceID}`)).toMatch(/needs admin/);
  expect(await refused('post', '/api/services', { name: 'nope', image: 'x', mode: 'replicated', replicas: 1 })).toMatch(
    /needs admin/,
  );
  expect(await refused('get', '/api/swarm/join-tokens')).toMatch(/needs admin/);
  expect(await refused('get', `/api/logs?service=${serviceID}`)).toMatch(/needs operator/);
  expect(await refused('get', '/api/accounts')).toMatch(/needs admin/);
  const state = (await (await api.get(`${base()}/api/state`)).json()) as ConsoleState;
  expect(state.objects.secret).toEqual([]);
  const svc = state.objects.service.find((s) => s.ID === serviceID)!;
  expect(svc.Spec.Mode.Replicated?.Replicas).toBe(2);
  await page.context().close();
});

test('an operator sees scale, update, roll back, drain and logs, but not remove, node admin or access', async ({
  browser,
}) => {
  const page = await as(browser, operator);
  await page.goto(`${base()}/services/${serviceID}`);
  await waitLive(page);
  await expect(page.locator('tr.task-row.current')).toHaveCount(2);
  await expect(page.getByRole('button', { name: 'Scale' })).toBeVisible();
  await expect(page.getByRole('button', { name: 'Update image' })).toBeVisible();
  await expect(page.getByRole('button', { name: 'Roll back', exact: true })).toBeVisible();
  await expect(page.getByRole('link', { name: 'Logs', exact: true })).toBeVisible();
  await expect(page.getByRole('button', { name: /^Remove/ })).toHaveCount(0);
  // scaling works, from the page
  await page.getByRole('spinbutton', { name: 'Replicas' }).fill('3');
  await page.getByRole('button', { name: 'Scale' }).click();
  await expect(page.locator('tr.task-row.current')).toHaveCount(3);

  await page.goto(`${base()}/`);
  await waitLive(page);
  const card = page
    .getByRole('article', { name: /^Node / })
    .filter({ hasNotText: 'Leader' })
    .first();
  await expect(card.getByRole('button', { name: /^Drain / })).toBeVisible();
  await expect(page.getByRole('button', { name: 'Add a node' })).toHaveCount(0);
  await expect(page.getByRole('link', { name: 'Create service' })).toHaveCount(0);
  await expect(page.getByRole('heading', { name: 'Swarm settings' })).toHaveCount(0);
  await page.goto(`${base()}/nodes/${nodeID}`);
  await waitLive(page);
  await expect(page.getByRole('button', { name: /^Drain / })).toBeVisible();
  await expect(page.getByRole('button', { name: /Add label|Remove label|Remove node/ })).toHaveCount(0);
  const nav = page.getByRole('navigation', { name: 'Main' });
  await expect(nav.getByRole('link', { name: 'Secrets' })).toBeVisible();
  await expect(nav.getByRole('link', { name: /Access|Audit/ })).toHaveCount(0);

  // the API agrees: scale yes, remove no
  const r = await page.request.delete(`${base()}/api/services/${serviceID}`);
  expect(r.status()).toBe(403);
  expect(((await r.json()) as { message: string }).message).toBe(
    'permission denied: operator may not remove a service (needs admin)',
  );
  await page.context().close();
});

test('an admin changes a role and the signed-in user gets the new controls without logging in again', async ({
  page,
  browser,
}) => {
  const who = await makeAccount(page.request, `e2e-promoted-${run}`, 'viewer');
  const user = await as(browser, who);
  await user.goto(`${base()}/services/${serviceID}`);
  await waitLive(user);
  await expect(user.locator('tr.task-row.current')).not.toHaveCount(0);
  await expect(user.getByRole('button', { name: 'Scale' })).toHaveCount(0);

  // the admin's accounts page
  await page.goto('/accounts');
  const row = page.locator(`tr[data-account="${who.name}"]`);
  await row.getByLabel(`Role of ${who.name}`).selectOption('operator');
  await expect(row.getByText('Now operator.')).toBeVisible();
  // its socket is dropped for the role change; the page asks who it is again and shows the operator's controls
  await expect(user.getByRole('button', { name: 'Scale' })).toBeVisible({ timeout: 10_000 });
  await expect(user.getByRole('button', { name: `Account ${who.name}, operator` })).toBeVisible();
  await user.context().close();
});

test('the accounts page: create an account with a role, reset its password, delete it (its sessions end)', async ({
  page,
  browser,
}) => {
  const name = `e2e-made-${run}`;
  await page.goto('/accounts');
  const form = page.getByRole('form', { name: 'Create an account' });
  await form.getByLabel('Name').fill(name);
  await form.getByLabel('Role').selectOption('operator');
  await form.getByLabel('Password').fill('short');
  await form.getByRole('button', { name: 'Create account' }).click();
  await expect(form.getByRole('status')).toHaveText('password must be at least 8 characters');
  await form.getByLabel('Password').fill('made-password');
  await form.getByRole('button', { name: 'Create account' }).click();
  await expect(form.getByRole('status')).toHaveText(`Created ${name} (operator).`);
  const row = page.locator(`tr[data-account="${name}"]`);
  await expect(row.getByLabel(`Role of ${name}`)).toHaveValue('operator');
  mkdirSync(ARTIFACTS, { recursive: true });
  await page.screenshot({ path: `${ARTIFACTS}/accounts.png`, fullPage: true });

  // its owner logs in; the admin resets the password, then deletes the account: the open page loses its session
  const user = await as(browser, { name, password: 'made-password' });
  await user.goto(`${base()}/`);
  await waitLive(user);
  await row.getByRole('button', { name: 'Reset password…' }).click();
  await row.getByLabel(`New password for ${name}`).fill('reset-password');
  await row.getByRole('button', { name: 'Set' }).click();
  await expect(row.getByText('Password reset.')).toBeVisible();
  await row.getByRole('button', { name: 'Delete…' }).click();
  await row.getByRole('button', { name: `Delete ${name}` }).click();
  await expect(row).toHaveCount(0);
  // its session ended: the page goes to the login page
  await expect(user).toHaveURL(/\/login$/, { timeout: 10_000 });
  await user.context().close();
});
