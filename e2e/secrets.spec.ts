import { mkdirSync } from 'node:fs';
import { expect, test, type APIRequestContext, type Page } from '@playwright/test';
import { E2E_ENGINE } from './ports';

// Secrets and configs in the console: created through the Engine API as
// `docker secret create` / `docker config create` send them, listed live
// with their labels and the services using them, a config's data on its
// page, and a secret's value nowhere in what the browser receives.
// Screenshots (laptop, light and dark) go to artifacts/.

const ARTIFACTS = 'artifacts';
const ENGINE = `${E2E_ENGINE}/v1.50`;
const VALUE = 'e2e-secret-value-never-in-the-page';
const CONFIG = 'server {\n  listen 80;\n}\n';
const b64 = (s: string) => Buffer.from(s).toString('base64');

async function shoot(page: Page, name: string): Promise<void> {
  mkdirSync(ARTIFACTS, { recursive: true });
  for (const scheme of ['light', 'dark'] as const) {
    await page.emulateMedia({ colorScheme: scheme });
    await expect(page.locator('.conn')).toHaveAttribute('data-status', 'live');
    await page.screenshot({ path: `${ARTIFACTS}/${name}-${scheme}-laptop.png`, fullPage: true });
  }
  await page.emulateMedia({ colorScheme: 'light' });
}

async function create(request: APIRequestContext, kind: 'secrets' | 'configs', body: object): Promise<string> {
  const r = await request.post(`${ENGINE}/${kind}/create`, { data: body });
  expect(r.status(), await r.text()).toBe(201);
  return ((await r.json()) as { ID: string }).ID;
}

test.use({ viewport: { width: 1366, height: 768 } });

test('secrets and configs: listed live with their users; config data shown, secret value never', async ({
  page,
  request,
}) => {
  // every byte the browser receives (pages, API answers, socket frames)
  const received: string[] = [];
  page.on(
    'response',
    (r) =>
      void r.text().then(
        (t) => received.push(t),
        () => undefined,
      ),
  );
  page.on('websocket', (ws) => ws.on('framereceived', (f) => received.push(String(f.payload))));

  await page.goto('/');
  await page.getByRole('navigation', { name: 'Main' }).getByRole('link', { name: 'Secrets' }).click();
  await expect(page).toHaveURL(/\/secrets$/);
  await expect(page.getByRole('heading', { name: 'Secrets and configs' })).toBeVisible();

  const secretID = await create(request, 'secrets', {
    Name: 'e2e_db_pass',
    Labels: { tier: 'db', 'com.docker.stack.namespace': 'shop' },
    Data: b64(VALUE),
  });
  const configID = await create(request, 'configs', {
    Name: 'e2e-nginx.conf',
    Labels: { tier: 'web' },
    Data: b64(CONFIG),
    Templating: { Name: 'golang' },
  });
  const svc = await request.post(`${ENGINE}/services/create`, {
    data: {
      Name: 'e2e-payload-web',
      TaskTemplate: {
        ContainerSpec: {
          Image: 'nginx:alpine',
          Secrets: [
            {
              SecretID: secretID,
              SecretName: 'e2e_db_pass',
              File: { Name: '/etc/db/pass', UID: '100', GID: '101', Mode: 0o400 },
            },
          ],
          Configs: [
            {
              ConfigID: configID,
              ConfigName: 'e2e-nginx.conf',
              File: { Name: '/etc/nginx/conf.d/default.conf', UID: '0', GID: '0', Mode: 0o444 },
            },
          ],
        },
      },
      Mode: { Replicated: { Replicas: 2 } },
    },
  });
  expect(svc.status(), await svc.text()).toBe(201);

  // live, without a reload
  const secretRow = page.locator('table[data-kind="secret"] tr[data-name="e2e_db_pass"]');
  const configRow = page.locator('table[data-kind="config"] tr[data-name="e2e-nginx.conf"]');
  await expect(secretRow).toBeVisible();
  await expect(secretRow.getByRole('link', { name: 'e2e-payload-web' })).toBeVisible();
  await expect(secretRow.getByText('tier=db')).toBeVisible();
  await expect(configRow.getByText('template')).toBeVisible();
  await shoot(page, 'secrets');

  await secretRow.getByRole('link', { name: 'e2e_db_pass' }).click();
  await expect(page).toHaveURL(new RegExp(`/secrets/${secretID}$`));
  const use = page.locator('tr[data-service="e2e-payload-web"]');
  await expect(use).toContainText('/etc/db/pass');
  await expect(use).toContainText('0400');
  await expect(page.getByTestId('secret-value-note')).toBeVisible();
  await shoot(page, 'secret-detail');

  await page.goto(`/configs/${configID}`);
  await expect(page.getByTestId('config-data')).toHaveText(CONFIG);
  await expect(page.getByRole('navigation', { name: 'Main' }).getByRole('link', { name: 'Secrets' })).toHaveAttribute(
    'aria-current',
    'page',
  );
  await shoot(page, 'config-detail');

  // a removal shows at once
  expect((await request.delete(`${ENGINE}/services/e2e-payload-web`)).status()).toBe(200);
  expect((await request.delete(`${ENGINE}/secrets/${secretID}`)).status()).toBe(204);
  await page.goto('/secrets');
  await expect(configRow).toContainText('unused');
  await expect(page.locator('tr[data-name="e2e_db_pass"]')).toHaveCount(0);

  for (const text of received) {
    expect(text).not.toContain(VALUE);
    expect(text).not.toContain(b64(VALUE));
  }
  expect(received.length).toBeGreaterThan(3);
});
