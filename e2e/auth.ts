// Console logins for the e2e run. The servers the config starts (and the ones a
// spec starts itself) create their admin from SWARMDECK_ADMIN_PASSWORD; the setup
// project logs in once and every spec's browser and request fixture start from
// that session (storageState). Specs that need another role make an account.
import { expect, type APIRequestContext, type Page } from '@playwright/test';
import type { Role } from '../server/api/access';
import type { AccountBody, CreatedShareLinkBody, SessionBody } from '../server/api/auth';
import { E2E_PORTS } from './ports';

export const E2E_ADMIN = { name: 'admin', password: 'e2e-admin-password' } as const;

/** What the servers need in their environment to start with the admin above. */
export const ADMIN_ENV = { SWARMDECK_ADMIN_NAME: E2E_ADMIN.name, SWARMDECK_ADMIN_PASSWORD: E2E_ADMIN.password };

/** The admin's cookies, written by the setup project (per port base, so two checkouts do not share it). */
export const ADMIN_STATE = `.tmp/e2e-admin-${E2E_PORTS.console}.json`;

/** Log a request context in (its cookie jar keeps the session; a page's `page.request` shares the page's). */
export async function logIn(
  request: APIRequestContext,
  who: { name: string; password: string },
  base = '',
): Promise<SessionBody> {
  const r = await request.post(`${base}/api/session`, { data: who });
  expect(r.status(), await r.text()).toBe(200);
  return (await r.json()) as SessionBody;
}

/**
 * An account made through the admin's API, for a spec that acts as another role. A spec's
 * beforeAll runs again after a failure (a new worker): an account already there is reset instead.
 */
export async function makeAccount(
  admin: APIRequestContext,
  name: string,
  role: Role,
  password = `${name}-password`,
): Promise<{ name: string; password: string; account: AccountBody }> {
  const list = (await (await admin.get('/api/accounts')).json()) as AccountBody[];
  const old = list.find((a) => a.Name === name);
  const r = old
    ? await admin.post(`/api/accounts/${old.ID}`, { data: { role, password } })
    : await admin.post('/api/accounts', { data: { name, role, password } });
  expect(r.status(), await r.text()).toBe(old ? 200 : 201);
  return { name, password, account: (await r.json()) as AccountBody };
}

export async function makeShareLink(
  admin: APIRequestContext,
  name: string,
  ttlHours = 24,
): Promise<CreatedShareLinkBody> {
  const r = await admin.post('/api/share-links', { data: { name, ttlHours } });
  expect(r.status(), await r.text()).toBe(201);
  return (await r.json()) as CreatedShareLinkBody;
}

/** Log in through the login page, as a person would. */
export async function logInWithForm(page: Page, who: { name: string; password: string }): Promise<void> {
  await page.getByLabel('Name').fill(who.name);
  await page.getByLabel('Password').fill(who.password);
  await page.getByRole('button', { name: 'Log in' }).click();
}
