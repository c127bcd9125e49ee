// Runs before every spec (the config's setup project): logs the admin in and
// keeps its cookie for the browser and request fixtures of all specs.
import { mkdirSync } from 'node:fs';
import { test as setup } from '@playwright/test';
import { ADMIN_STATE, E2E_ADMIN, logIn } from './auth';

setup('log the admin in', async ({ request }) => {
  await logIn(request, E2E_ADMIN);
  mkdirSync('.tmp', { recursive: true });
  await request.storageState({ path: ADMIN_STATE });
});
