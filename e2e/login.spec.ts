// Logging in and out, and the first admin from the setup link a fresh manager prints.
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdirSync, rmSync } from 'node:fs';
import { expect, test, type Page } from '@playwright/test';
import { E2E_ADMIN, logInWithForm } from './auth';
import { extraPort } from './ports';

const ARTIFACTS = 'artifacts';
const VIEWPORTS = { laptop: { width: 1366, height: 768 }, wall: { width: 2560, height: 1440 } } as const;

async function shoot(page: Page, name: string): Promise<void> {
  mkdirSync(ARTIFACTS, { recursive: true });
  for (const scheme of ['light', 'dark'] as const) {
    await page.emulateMedia({ colorScheme: scheme });
    for (const [vp, size] of Object.entries(VIEWPORTS)) {
      await page.setViewportSize(size);
      await page.screenshot({ path: `${ARTIFACTS}/${name}-${scheme}-${vp}.png`, fullPage: true });
    }
  }
  await page.emulateMedia({ colorScheme: 'light' });
  await page.setViewportSize(VIEWPORTS.laptop);
}

const setupForm = (page: Page) => page.getByRole('form', { name: 'Create the first admin' });

test.describe('without a session', () => {
  test.use({ storageState: { cookies: [], origins: [] }, viewport: VIEWPORTS.laptop });

  test('a page sends you to log in and back; a wrong password says so; log out ends the session', async ({ page }) => {
    await page.goto('/services');
    await expect(page).toHaveURL(/\/login\?next=%2Fservices$/);
    await expect(page.getByRole('heading', { name: 'Log in' })).toBeVisible();
    // no console around the login page, and no live stream behind it
    await expect(page.getByRole('navigation', { name: 'Main' })).toHaveCount(0);
    expect((await page.request.get('/api/state')).status()).toBe(401);

    await logInWithForm(page, { name: E2E_ADMIN.name, password: 'not-the-password' });
    await expect(page.getByRole('form', { name: 'Log in' }).getByRole('alert')).toHaveText('wrong name or password');
    await expect(page).toHaveURL(/\/login/);
    await shoot(page, 'login');

    await logInWithForm(page, E2E_ADMIN);
    await expect(page).toHaveURL(/\/services$/);
    await expect(page.locator('.conn')).toHaveAttribute('data-status', 'live');
    const cookie = (await page.context().cookies()).find((c) => c.name === 'swarmdeck_session')!;
    expect(cookie.httpOnly).toBe(true);
    expect(cookie.sameSite).toBe('Strict');

    // the user menu: name and role, then log out
    await page.getByRole('button', { name: `Account ${E2E_ADMIN.name}, admin` }).click();
    await expect(page.getByText('admin account')).toBeVisible();
    await expect(page.getByRole('button', { name: 'Change password' })).toBeVisible();
    await shoot(page, 'user-menu');
    await page.getByRole('button', { name: 'Log out' }).click();
    await expect(page).toHaveURL(/\/login$/);
    expect((await page.request.get('/api/state')).status()).toBe(401);
    await page.goto('/');
    await expect(page).toHaveURL(/\/login\?next=%2F$/);
  });

  test('the login page never sends you off the console', async ({ page }) => {
    await page.goto('/login?next=//example.com/x');
    await logInWithForm(page, E2E_ADMIN);
    await expect(page).toHaveURL(/127\.0\.0\.1:\d+\/$/);
  });
});

test('change your own password from the user menu', async ({ page, browser }) => {
  const name = 'e2e-pw';
  const r = await page.request.post('/api/accounts', { data: { name, role: 'viewer', password: 'first-password' } });
  expect(r.status()).toBe(201);
  const ctx = await browser.newContext({ storageState: { cookies: [], origins: [] } });
  const user = await ctx.newPage();
  await user.goto('/login');
  await logInWithForm(user, { name, password: 'first-password' });
  await expect(user.locator('.conn')).toHaveAttribute('data-status', 'live');
  await user.getByRole('button', { name: `Account ${name}, viewer` }).click();
  await user.getByRole('button', { name: 'Change password' }).click();
  await user.getByLabel('Current password').fill('first-password');
  await user.getByLabel('New password', { exact: true }).fill('second-password');
  await user.getByLabel('New password again').fill('second-password');
  await user.getByRole('button', { name: 'Change password' }).click();
  await expect(user.getByText('Password changed.')).toBeVisible();
  // the new password works, the old one no longer does
  const check = await browser.newContext({ storageState: { cookies: [], origins: [] } });
  const baseURL = test.info().project.use.baseURL;
  expect(
    (await check.request.post(`${baseURL}/api/session`, { data: { name, password: 'first-password' } })).status(),
  ).toBe(401);
  expect(
    (await check.request.post(`${baseURL}/api/session`, { data: { name, password: 'second-password' } })).status(),
  ).toBe(200);
  await check.close();
  await ctx.close();
});

// ---- a manager of its own, started without SWARMDECK_ADMIN_PASSWORD: it prints a setup link ----

let proc: ChildProcess | undefined;
test.afterAll(() => {
  if (proc?.exitCode === null) proc.kill('SIGKILL');
});

test('the setup link a fresh manager prints creates the first admin, once', async ({ browser }) => {
  test.setTimeout(180_000);
  const ports = { console: extraPort(20, 3130), engine: extraPort(21, 2490), cluster: extraPort(22, 2491) };
  const dataDir = '.tmp/e2e-setup';
  rmSync(dataDir, { recursive: true, force: true });
  const env: NodeJS.ProcessEnv = { ...process.env, NEXT_TELEMETRY_DISABLED: '1', CHECKPOINT_DISABLE: '1' };
  delete env.SWARMDECK_ADMIN_PASSWORD;
  delete env.SWARMDECK_ADMIN_NAME;
  const args = ['--import', 'tsx', 'server/main.ts', '--console-port', String(ports.console)];
  args.push('--engine-port', String(ports.engine), '--cluster-port', String(ports.cluster), '--data-dir', dataDir);
  args.push('--executor', 'sim');
  proc = spawn(process.execPath, args, { env, stdio: ['ignore', 'pipe', 'pipe'] });
  let out = '';
  const link = await new Promise<string>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`no setup link:\n${out}`)), 120_000);
    const read = (chunk: Buffer) => {
      out += chunk.toString();
      const m = /Open (http:\/\/127\.0\.0\.1:\d+\/setup\?token=\S+) to create the first admin account/.exec(out);
      if (m && out.includes('swarmdeck ready')) {
        clearTimeout(timer);
        resolve(m[1]!);
      }
    };
    proc!.stdout!.on('data', read);
    proc!.stderr!.on('data', read);
    proc!.once('exit', (code) => reject(new Error(`manager exited (${code}):\n${out}`)));
  });
  const origin = new URL(link).origin;
  const ctx = await browser.newContext({ storageState: { cookies: [], origins: [] }, viewport: VIEWPORTS.laptop });
  const page = await ctx.newPage();

  // before setup, the login page points at the link
  await page.goto(`${origin}/`);
  await expect(page).toHaveURL(/\/login\?next=%2F$/);
  await expect(page.getByText('No account exists yet')).toBeVisible();

  // a wrong token is refused
  await page.goto(`${origin}/setup?token=not-the-token`);
  await page.getByLabel('Password', { exact: true }).fill('root-password');
  await page.getByLabel('Password again').fill('root-password');
  await page.getByRole('button', { name: 'Create admin and log in' }).click();
  await expect(setupForm(page).getByRole('alert')).toContainText('This setup link does not work');

  // the printed one makes the admin and logs it in
  await page.goto(link);
  await expect(page.getByRole('heading', { name: 'Create the first admin' })).toBeVisible();
  await page.getByLabel('Name').fill('root');
  await page.getByLabel('Password', { exact: true }).fill('root-password');
  await page.getByLabel('Password again').fill('root-password-typo');
  await page.getByRole('button', { name: 'Create admin and log in' }).click();
  await expect(setupForm(page).getByRole('alert')).toHaveText('the two passwords differ');
  await shoot(page, 'setup');
  await page.getByLabel('Password again').fill('root-password');
  await page.getByRole('button', { name: 'Create admin and log in' }).click();
  await expect(page).toHaveURL(`${origin}/`);
  await expect(page.locator('.conn')).toHaveAttribute('data-status', 'live');
  await expect(page.getByRole('button', { name: 'Account root, admin' })).toBeVisible();
  await expect(page.getByRole('link', { name: 'Access' })).toBeVisible();

  // used: the link now says so, and the API refuses it
  await page.goto(link);
  await expect(page.getByRole('heading', { name: 'Already set up' })).toBeVisible();
  const token = new URL(link).searchParams.get('token');
  const again = await page.request.post(`${origin}/api/setup`, {
    data: { token, name: 'other', password: 'other-password' },
  });
  expect([403, 409]).toContain(again.status());
  await ctx.close();
});
