// axe-core on every page of the console (#13 §2): each route loads once per size (1366×768 and
// 3840×2160) and is checked in the light, dark and contrast themes, switched on the loaded page the
// way the theme toggle does it. WCAG 2.0/2.1 A and AA rules; a serious or critical violation fails
// the test and is printed with its rule, impact, the elements it hit and what to fix.
import { mkdirSync } from 'node:fs';
import AxeBuilder from '@axe-core/playwright';
import { expect, test, type APIRequestContext, type Page } from '@playwright/test';
import { E2E_ADMIN, logIn, makeAccount, makeShareLink } from './auth';
import { WALL_VIEWS } from '../components/wall/rotation-model';
import { E2E_ENGINE } from './ports';

const ENGINE = `${E2E_ENGINE}/v1.50`;
const ARTIFACTS = 'artifacts';
const SIZES = { laptop: { width: 1366, height: 768 }, uhd: { width: 3840, height: 2160 } } as const;
const THEMES = ['light', 'dark', 'contrast'] as const;
const TAGS = ['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa'];
/**
 * The rules of those tags whose outcome a theme can change: the others read the DOM, which a theme
 * switch leaves as it is, so they run once per page (in the first theme) and the other themes run
 * only these. Saves two thirds of the axe time on every page.
 */
const COLOUR_RULES = ['color-contrast', 'link-in-text-block'];

/** The objects the pages with an id show: made once, through the Engine API as the docker CLI would. */
interface Fixture {
  service: string;
  crashy: string;
  rolling: string;
  node: string;
  network: string;
  secret: string;
  config: string;
}

/**
 * Make an object, or find the one a previous worker made (a worker starts again after a failure and
 * runs beforeAll anew; the names are fixed, the server's data is fresh for each run).
 */
async function ensure(request: APIRequestContext, kind: string, data: { Name: string }): Promise<string> {
  const r = await request.post(`${ENGINE}/${kind}/create`, { data });
  if (r.status() === 409) {
    const list = (await (await request.get(`${ENGINE}/${kind}`)).json()) as {
      ID?: string;
      Id?: string;
      Name?: string;
      Spec?: { Name: string };
    }[];
    const found = list.find((o) => (o.Spec?.Name ?? o.Name) === data.Name);
    expect(found, `${kind} ${data.Name}`).toBeDefined();
    return (found!.ID ?? found!.Id)!;
  }
  expect(r.status(), await r.text()).toBe(201);
  const body = (await r.json()) as { ID?: string; Id?: string };
  return (body.ID ?? body.Id)!;
}

const NAMES = {
  web: 'a11y-web',
  network: 'a11y-net',
  secret: 'a11y_secret',
  config: 'a11y-config',
  viewer: 'a11y-viewer',
  link: 'a11y-link',
};

async function makeFixture(request: APIRequestContext): Promise<Fixture> {
  // a spec may start logged out (the login page's tests): the API calls below need the admin
  await logIn(request, E2E_ADMIN);
  const b64 = (s: string) => Buffer.from(s).toString('base64');
  const network = await ensure(request, 'networks', { Name: NAMES.network, Driver: 'overlay' } as { Name: string });
  const secret = await ensure(request, 'secrets', {
    Name: NAMES.secret,
    Labels: { tier: 'db' },
    Data: b64('never shown'),
  } as { Name: string });
  const config = await ensure(request, 'configs', {
    Name: NAMES.config,
    Labels: { tier: 'web' },
    Data: b64('listen 80;\n'),
  } as { Name: string });
  const service = await ensure(request, 'services', {
    Name: NAMES.web,
    Labels: { team: 'a11y' },
    TaskTemplate: {
      ContainerSpec: {
        Image: 'nginx:alpine',
        Secrets: [
          { SecretID: secret, SecretName: NAMES.secret, File: { Name: 'db', UID: '0', GID: '0', Mode: 0o400 } },
        ],
        Configs: [
          {
            ConfigID: config,
            ConfigName: NAMES.config,
            File: { Name: '/etc/app.conf', UID: '0', GID: '0', Mode: 0o444 },
          },
        ],
      },
      Networks: [{ Target: network }],
    },
    Mode: { Replicated: { Replicas: 3 } },
  } as { Name: string });
  // states the badges and the alert strip have to show legibly too: a crash loop and tasks nowhere to go
  const crashy = await ensure(request, 'services', {
    Name: 'a11y-crashy',
    TaskTemplate: {
      ContainerSpec: { Image: 'busybox:latest', Env: ['SWARMDECK_SIM_EXIT_CODE=3'] },
      RestartPolicy: { Condition: 'on-failure', Delay: 1_000_000_000 },
    },
    Mode: { Replicated: { Replicas: 1 } },
  } as { Name: string });
  await ensure(request, 'services', {
    Name: 'a11y-stuck',
    TaskTemplate: {
      ContainerSpec: { Image: 'nginx:alpine' },
      Placement: { Constraints: ['node.labels.a11y-nowhere==yes'] },
    },
    Mode: { Replicated: { Replicas: 1 } },
  } as { Name: string });
  // an update that stays in progress for the whole run: one slot, then a 10 minute pause between slots
  const rolling = await ensure(request, 'services', {
    Name: 'a11y-rolling',
    TaskTemplate: { ContainerSpec: { Image: 'nginx:1.27' } },
    Mode: { Replicated: { Replicas: 3 } },
    UpdateConfig: { Parallelism: 1, Delay: 600_000_000_000, Order: 'stop-first' },
  } as { Name: string });
  const svc = (await (await request.get(`${ENGINE}/services/${rolling}`)).json()) as {
    Version: { Index: number };
    Spec: { TaskTemplate: { ContainerSpec: { Image: string } } };
    UpdateStatus?: unknown;
  };
  if (!svc.UpdateStatus) {
    svc.Spec.TaskTemplate.ContainerSpec.Image = 'nginx:1.28';
    const r = await request.post(`${ENGINE}/services/${rolling}/update?version=${svc.Version.Index}`, {
      data: svc.Spec,
    });
    expect(r.status(), await r.text()).toBe(200);
  }
  const nodes = (await (await request.get(`${ENGINE}/nodes`)).json()) as { ID: string }[];
  expect(nodes.length).toBeGreaterThan(0);
  // rows for the accounts and share-links tables
  await makeAccount(request, NAMES.viewer, 'viewer');
  const links = (await (await request.get('/api/share-links')).json()) as { Name: string }[];
  if (!links.some((l) => l.Name === NAMES.link)) await makeShareLink(request, NAMES.link);
  return { service, crashy, rolling, node: nodes[0]!.ID, network, secret, config };
}

interface Route {
  path: (f: Fixture) => string;
  /** What shows once the page has its data (a text on the page). */
  ready?: (f: Fixture) => string | RegExp;
  /** Put the page in a state worth checking too (a menu open). */
  prepare?: (page: Page) => Promise<void>;
  /** Screenshots at laptop size in each theme, to look at after a colour change (artifacts/). */
  shoot?: boolean;
}

const ROUTES: Record<string, Route> = {
  overview: {
    path: () => '/',
    ready: () => NAMES.web,
    shoot: true,
    prepare: async (page) => {
      await page.locator('.user-button').click();
      await expect(page.locator('.user-panel')).toBeVisible();
    },
  },
  services: { path: () => '/services', ready: () => NAMES.web },
  'service detail': { path: (f) => `/services/${f.service}`, ready: () => NAMES.web, shoot: true },
  'crash-looping service': { path: (f) => `/services/${f.crashy}`, ready: () => /restart/ },
  'service mid-update': { path: (f) => `/services/${f.rolling}`, ready: () => 'nginx:1.28', shoot: true },
  'service logs': { path: (f) => `/services/${f.service}/logs`, shoot: true },
  'create service': { path: () => '/services/new' },
  nodes: { path: () => '/nodes' },
  'node detail': { path: (f) => `/nodes/${f.node}` },
  'network detail': { path: (f) => `/networks/${f.network}`, ready: () => NAMES.network },
  secrets: { path: () => '/secrets', ready: () => NAMES.secret },
  'secret detail': { path: (f) => `/secrets/${f.secret}`, ready: () => NAMES.web },
  'config detail': { path: (f) => `/configs/${f.config}`, ready: () => 'listen 80;' },
  topology: { path: () => '/topology', ready: () => NAMES.network },
  raft: { path: () => '/raft' },
  accounts: { path: () => '/accounts', ready: () => NAMES.viewer },
  'share links': { path: () => '/share-links', ready: () => NAMES.link },
  audit: {
    path: () => '/audit',
    // 300 rows alike cost axe most of a minute per theme: the few about this spec's account say as much
    prepare: async (page) => {
      await page.getByLabel('Search the audit log').fill(NAMES.viewer);
      await expect(page.locator('.audit-count')).toHaveText(/^\d{1,2} records?$/);
      await expect(page.locator('.audit-table tbody tr').first()).toContainText(NAMES.viewer);
    },
  },
  // every view the wall rotates through, pinned (the list grows as views land)
  ...Object.fromEntries(WALL_VIEWS.map((v) => [`wall ${v}`, { path: () => `/wall?view=${v}` }])),
};

/** The serious and critical violations of the page as it is now, one readable paragraph each. */
async function violations(page: Page, theme: string, all: boolean): Promise<string[]> {
  const axe = new AxeBuilder({ page });
  const result = await (all ? axe.withTags(TAGS) : axe.withRules(COLOUR_RULES)).analyze();
  return result.violations
    .filter((v) => v.impact === 'serious' || v.impact === 'critical')
    .map((v) => {
      const nodes = v.nodes
        .slice(0, 6)
        .map((n) => `    ${n.target.join(' ')}\n      ${(n.failureSummary ?? '').replace(/\n\s*/g, ' ')}`);
      const more = v.nodes.length > 6 ? [`    … and ${v.nodes.length - 6} more`] : [];
      return [`[${theme}] ${v.id} (${v.impact}): ${v.help}`, ...nodes, ...more].join('\n');
    });
}

/** Check the loaded page in each theme, switched in place as the toggle does (no reload). */
async function checkThemes(page: Page, shot?: string): Promise<string[]> {
  const found: string[] = [];
  for (const theme of THEMES) {
    await page.evaluate((t) => {
      document.documentElement.dataset.theme = t;
    }, theme);
    // a frame for the new colours to apply
    await page.evaluate(() => new Promise((r) => requestAnimationFrame(() => requestAnimationFrame(r))));
    found.push(...(await violations(page, theme, theme === THEMES[0])));
    if (shot) {
      mkdirSync(ARTIFACTS, { recursive: true });
      await page.screenshot({ path: `${ARTIFACTS}/a11y-${shot}-${theme}.png` });
    }
  }
  return found;
}

// animations (the live pulse, skeleton shimmer, burn-in shift) off: axe must not read a colour mid-fade
test.use({ reducedMotion: 'reduce' });

let fixture: Fixture;
test.beforeAll(async ({ request }) => {
  fixture = await makeFixture(request);
});

// the cluster is shared with the specs after this one: a crash loop left running floods their event
// timelines, its services crowd the overview's "below desired" list, and a11y-stuck matches 'stuck'
test.afterAll(async ({ request }) => {
  const services = (await (await request.get(`${ENGINE}/services`)).json()) as { ID: string; Spec: { Name: string } }[];
  for (const s of services.filter((x) => x.Spec.Name.startsWith('a11y-')))
    await request.delete(`${ENGINE}/services/${s.ID}`);
  // in use until the services' tasks are gone: best effort, a leftover of these disturbs nobody
  for (const [kind, name] of [
    ['secrets', NAMES.secret],
    ['configs', NAMES.config],
    ['networks', NAMES.network],
  ] as const)
    await request.delete(`${ENGINE}/${kind}/${name}`).catch(() => undefined);
});

for (const [size, viewport] of Object.entries(SIZES)) {
  test.describe(`at ${size}`, () => {
    test.use({ viewport });

    for (const [name, route] of Object.entries(ROUTES)) {
      test(`${name}: no serious or critical axe violations`, async ({ page }) => {
        await page.goto(route.path(fixture));
        await expect(page.locator('.conn')).toHaveAttribute('data-status', 'live');
        // the first visible one: a name can also sit in a closed select's options
        if (route.ready)
          await expect(page.getByText(route.ready(fixture)).filter({ visible: true }).first()).toBeVisible();
        await expect(page.locator('[aria-busy="true"]')).toHaveCount(0);
        // what sits folded (rollout settings, history, form sections) is checked unfolded
        await page.evaluate(() => document.querySelectorAll('details').forEach((d) => (d.open = true)));
        await route.prepare?.(page);
        const found = await checkThemes(page, route.shoot && size === 'laptop' ? name.replace(/ /g, '-') : undefined);
        expect(found.length, `axe on ${route.path(fixture)} at ${size}:\n${found.join('\n')}`).toBe(0);
      });
    }

    test.describe('logged out', () => {
      test.use({ storageState: { cookies: [], origins: [] } });

      test('login: no serious or critical axe violations', async ({ page }) => {
        await page.goto('/login');
        await expect(page.getByLabel('Name')).toBeVisible();
        // a failed login shows its error too
        await page.getByLabel('Name').fill(E2E_ADMIN.name);
        await page.getByLabel('Password').fill('not-the-password');
        await page.getByRole('button', { name: 'Log in' }).click();
        await expect(page.locator('.auth-error')).toHaveText(/\w/);
        const found = await checkThemes(page);
        expect(found.length, `axe on /login at ${size}:\n${found.join('\n')}`).toBe(0);
      });

      test('setup: no serious or critical axe violations', async ({ page }) => {
        // the admin exists, so the page says to log in instead; an invite token shows the form
        await page.goto('/setup');
        await expect(page.locator('main')).toBeVisible();
        await expect(page.locator('[aria-busy="true"]')).toHaveCount(0);
        const found = await checkThemes(page);
        expect(found.length, `axe on /setup at ${size}:\n${found.join('\n')}`).toBe(0);
      });
    });
  });
}
