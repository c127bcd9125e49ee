import { mkdirSync } from 'node:fs';
import { expect, test } from '@playwright/test';
import { E2E_ENGINE } from './ports';

const ARTIFACTS = 'artifacts';
const LIMIT_TEXT =
  /Mode\.Replicated\.Replicas: 1000000000 replicas is more than this swarm's limit of 10000 per service/;

test.use({ viewport: { width: 1366, height: 768 } });

test("the create form refuses a huge replica count with the server's own words, before and without sending", async ({
  page,
}) => {
  const posts: string[] = [];
  page.on('request', (r) => {
    if (r.method() === 'POST' && r.url().endsWith('/api/services')) posts.push(r.url());
  });
  await page.goto('/services/new');
  await expect(page.locator('.conn')).toHaveAttribute('data-status', 'live');
  await expect(page.getByText('at most 10,000')).toBeVisible();
  await page.getByLabel('Image').fill('nginx:alpine');
  await page.getByLabel('Name').fill('huge');
  await page.getByLabel('Replicas').fill('1000000000');
  await page.getByRole('button', { name: 'Create service' }).click();
  const alert = page.locator('.form-error');
  await expect(alert).toHaveText(LIMIT_TEXT);
  await expect(alert).toContainText("raise the limit (up to 100000) in the console's Swarm settings");
  expect(posts).toEqual([]);

  mkdirSync(ARTIFACTS, { recursive: true });
  for (const scheme of ['light', 'dark'] as const) {
    await page.emulateMedia({ colorScheme: scheme });
    await page.screenshot({ path: `${ARTIFACTS}/replica-limit-${scheme}-laptop.png`, fullPage: true });
  }
  await page.emulateMedia({ colorScheme: 'light' });

  // the server says the same to anyone who skips the browser's check
  const direct = await page.request.post('/api/services', {
    data: { image: 'nginx:alpine', name: 'huge', mode: 'replicated', replicas: 1_000_000_000 },
  });
  expect(direct.status()).toBe(400);
  expect(((await direct.json()) as { message: string }).message).toMatch(LIMIT_TEXT);
  const engine = await page.request.post(`${E2E_ENGINE}/v1.50/services/create`, {
    data: {
      Name: 'huge',
      TaskTemplate: { ContainerSpec: { Image: 'nginx' } },
      Mode: { Replicated: { Replicas: 1e9 } },
    },
  });
  expect(engine.status()).toBe(400);
  expect(engine.headers()['content-type']).toBe('application/json');
  expect(((await engine.json()) as { message: string }).message).toMatch(LIMIT_TEXT);
});

test('the swarm settings raise and lower the limit the form checks against', async ({ page }) => {
  mkdirSync(ARTIFACTS, { recursive: true });
  await page.goto('/');
  await expect(page.locator('.conn')).toHaveAttribute('data-status', 'live');
  const settings = page.getByRole('form', { name: 'Swarm settings' });
  await settings.getByLabel('Max replicas per service').fill('0');
  await settings.getByRole('button', { name: 'Save settings' }).click();
  await expect(settings.getByRole('alert')).toHaveText(
    'maxReplicas must be a whole number from 1 to 100000 (cluster label swarmdeck.max-replicas)',
  );
  await settings.scrollIntoViewIfNeeded();
  await page.screenshot({ path: `${ARTIFACTS}/swarm-settings-light-laptop.png`, fullPage: true });
  await settings.getByLabel('Max replicas per service').fill('5');
  await settings.getByRole('button', { name: 'Save settings' }).click();
  await expect(settings.getByRole('alert')).toHaveCount(0);

  await page.goto('/services/new');
  await expect(page.getByText('at most 5', { exact: true })).toBeVisible();
  await page.getByLabel('Image').fill('nginx:alpine');
  await page.getByLabel('Replicas').fill('6');
  await page.getByRole('button', { name: 'Create service' }).click();
  await expect(page.locator('.form-error')).toContainText("replicas is more than this swarm's limit of 5 per service");
  await expect(page.getByLabel('Replicas')).toHaveAttribute('aria-invalid', 'true');

  // back to the default so later specs see the usual limit
  await page.goto('/');
  await page.getByRole('form', { name: 'Swarm settings' }).getByLabel('Max replicas per service').fill('10000');
  await page.getByRole('form', { name: 'Swarm settings' }).getByRole('button', { name: 'Save settings' }).click();
  await expect(page.getByRole('form', { name: 'Swarm settings' }).getByRole('alert')).toHaveCount(0);
});
