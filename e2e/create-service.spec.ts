import { mkdirSync } from 'node:fs';
import { expect, test } from '@playwright/test';
import type { ConsoleState } from '../server/api/realtime';
import { E2E_ENGINE, extraPort } from './ports';

// The create form's command, ports, networks and environment: a service made
// through it carries the spec `docker service create` would send, read back
// from GET /api/state. Screenshots (laptop, light and dark) go to artifacts/.

const ARTIFACTS = 'artifacts';
const NET = 'e2e_create_app';
const PUBLISHED = extraPort(40, 30480);

test.use({ viewport: { width: 1366, height: 768 } });

test('create a service with a command, a port, a network and an env var', async ({ page, request }) => {
  const net = await request.post(`${E2E_ENGINE}/v1.50/networks/create`, { data: { Name: NET, Driver: 'overlay' } });
  expect(net.status(), await net.text()).toBe(201);
  const netID = ((await net.json()) as { Id: string }).Id;

  await page.goto('/services/new');
  await page.getByLabel('Image').fill('busybox:1.36');
  await page.getByLabel('Name').fill('e2e-create');
  await page.getByLabel(/Command and args/).fill(`sh -c 'echo up; sleep 3600'`);
  await page.getByRole('button', { name: '+ Add port' }).click();
  await page.getByRole('spinbutton', { name: 'Target port' }).fill('80');
  await page.getByRole('spinbutton', { name: 'Published' }).fill(String(PUBLISHED));
  await page.getByText('Networks, secrets and configs').click();
  // the network arrives live from the cluster view
  await page.getByRole('checkbox', { name: NET }).check();
  await page.getByLabel(/Environment/).fill('GREETING=hello world');
  await page.getByText('Mounts', { exact: true }).click();

  mkdirSync(ARTIFACTS, { recursive: true });
  for (const scheme of ['light', 'dark'] as const) {
    await page.emulateMedia({ colorScheme: scheme });
    await page.screenshot({ path: `${ARTIFACTS}/create-service-${scheme}-laptop.png`, fullPage: true });
  }
  await page.emulateMedia({ colorScheme: 'light' });

  // a bad mount is refused before sending, naming the field
  await page.getByRole('button', { name: '+ Add mount' }).click();
  await page.getByRole('textbox', { name: 'Target', exact: true }).fill('data');
  await page.getByRole('button', { name: 'Create service' }).click();
  await expect(page.locator('.form-error')).toContainText(
    'mounts[0].target: invalid mount target, must be an absolute path',
  );
  await page.getByRole('button', { name: 'Remove mount 1' }).click();

  await page.getByRole('button', { name: 'Create service' }).click();
  await expect(page.getByRole('heading', { level: 1 })).toHaveText('e2e-create');

  const state = (await (await request.get('/api/state')).json()) as ConsoleState;
  const svc = state.objects.service.find((s) => s.Spec.Name === 'e2e-create');
  expect(svc).toBeDefined();
  const spec = svc!.Spec;
  expect(spec.TaskTemplate.ContainerSpec).toMatchObject({
    Image: 'busybox:1.36',
    Args: ['sh', '-c', 'echo up; sleep 3600'],
    Env: ['GREETING=hello world'],
  });
  expect(spec.TaskTemplate.ContainerSpec.Command).toBeUndefined();
  expect(spec.TaskTemplate.Networks).toEqual([{ Target: netID }]);
  expect(spec.EndpointSpec).toEqual({
    Mode: 'vip',
    Ports: [{ Protocol: 'tcp', TargetPort: 80, PublishedPort: PUBLISHED, PublishMode: 'ingress' }],
  });
});
