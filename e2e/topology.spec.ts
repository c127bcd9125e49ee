import { mkdirSync } from 'node:fs';
import { expect, test, type APIRequestContext, type Page } from '@playwright/test';
import type { Node, Service, Task } from '../server/api/types';
import { E2E_ENGINE, extraPort } from './ports';
import { allocatedState } from './topology-fixture';

// The live topology: an overlay network and a service on it created through
// the Engine API (as `docker network create` / `docker service create
// --network name=appnet,alias=… -p …` send them) show up without a reload,
// with what the allocator gave them: subnets and gateways, VIPs on ingress and
// on the overlay, an address per task per network, the nodes' load-balancer
// addresses. Draining a node moves its tasks into the other nodes' groups, and
// the network's page lists the same allocation. Screenshots (laptop and 4K,
// light and dark) go to artifacts/.

const ARTIFACTS = 'artifacts';
const ENGINE = `${E2E_ENGINE}/v1.50`;
const VIEWPORTS = { laptop: { width: 1366, height: 768 }, wall4k: { width: 3840, height: 2160 } } as const;
const NAME = 'topo-web';
const NET = 'topo-appnet';
const ALIAS = 'topo-www';
// published by the routing mesh once it lands: off the shared ports, per checkout
const PUBLISHED = extraPort(5, 18080);

const tasksOf = (page: Page, service = NAME) => page.locator(`[data-topo-task^="${service}."]`);

async function shoot(page: Page, name: string, graph = true): Promise<void> {
  mkdirSync(ARTIFACTS, { recursive: true });
  for (const scheme of ['light', 'dark'] as const) {
    await page.emulateMedia({ colorScheme: scheme });
    for (const [vp, size] of Object.entries(VIEWPORTS)) {
      await page.setViewportSize(size);
      if (graph) {
        await page.getByRole('button', { name: 'Fit View' }).click();
        // fitView animates nothing here, but let React Flow apply the viewport
        await expect(page.locator('.react-flow__viewport')).toHaveAttribute('style', /scale/);
      }
      await page.screenshot({ path: `${ARTIFACTS}/${name}-${scheme}-${vp}.png`, fullPage: !graph });
    }
  }
  await page.emulateMedia({ colorScheme: 'light' });
  await page.setViewportSize(VIEWPORTS.laptop);
  if (graph) {
    // back at laptop size, the graph still has the last size's viewport: fit it again and let React Flow apply
    // it before the test clicks a card (a click right after the resize once landed on a graph still moving)
    await page.getByRole('button', { name: 'Fit View' }).click();
    await expect(page.locator('.react-flow__viewport')).toHaveAttribute('style', /scale/);
    await page.evaluate(() => new Promise((r) => requestAnimationFrame(() => requestAnimationFrame(r))));
  }
}

async function nodes(request: APIRequestContext): Promise<Node[]> {
  return (await (await request.get(`${ENGINE}/nodes`)).json()) as Node[];
}

async function setAvailability(request: APIRequestContext, node: Node, availability: Node['Spec']['Availability']) {
  const fresh = (await (await request.get(`${ENGINE}/nodes/${node.ID}`)).json()) as Node;
  const r = await request.post(`${ENGINE}/nodes/${node.ID}/update?version=${fresh.Version.Index}`, {
    data: { ...fresh.Spec, Availability: availability },
  });
  expect(r.status(), await r.text()).toBe(200);
}

interface ApiNetwork {
  Id: string;
  Name: string;
  IPAM: { Config: { Subnet: string; Gateway?: string }[] };
}

async function network(request: APIRequestContext, ref: string): Promise<ApiNetwork> {
  const r = await request.get(`${ENGINE}/networks/${ref}`);
  expect(r.status(), await r.text()).toBe(200);
  return (await r.json()) as ApiNetwork;
}

const bare = (cidr: string) => cidr.split('/')[0]!;
const esc = (s: string) => s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');

test.use({ viewport: VIEWPORTS.laptop });

test('topology: a new service and its tasks appear live; draining a node moves its tasks', async ({
  page,
  request,
}) => {
  await page.goto('/');
  await page.getByRole('link', { name: 'Topology' }).click();
  await expect(page).toHaveURL(/\/topology$/);
  await expect(page.locator('.conn')).toHaveAttribute('data-status', 'live');
  const canvas = page.getByTestId('topology');
  await expect(canvas).toHaveAttribute('data-loaded', 'true');
  // every swarm node is a group: the manager and the three simulated workers
  const all = await nodes(request);
  for (const n of all)
    await expect(page.locator(`[data-topo-node="${n.Spec.Name || n.Description.Hostname}"]`)).toBeVisible();
  // from here on nothing may reload the page: everything arrives over the socket
  await page.evaluate(() => ((window as unknown as { __noReload: boolean }).__noReload = true));

  // ingress, made at swarm init: its subnet and gateway as `docker network inspect ingress` shows them
  const ingress = await network(request, 'ingress');
  const ingressCfg = ingress.IPAM.Config[0]!;
  expect(ingressCfg.Gateway).toBeTruthy();
  const ingressCard = page.locator('[data-topo-network="ingress"]');
  await expect(ingressCard).toContainText(ingressCfg.Subnet);
  await expect(ingressCard).toContainText(`gw ${ingressCfg.Gateway}`);
  await expect(ingressCard.locator('.topo-flag', { hasText: 'ingress' })).toBeVisible();

  // an overlay, as `docker network create -d overlay --attachable --label … topo-appnet` sends it
  const netCreated = await request.post(`${ENGINE}/networks/create`, {
    data: {
      Name: NET,
      Driver: 'overlay',
      Attachable: true,
      Labels: { 'com.docker.stack.namespace': 'topo' },
    },
  });
  expect(netCreated.status(), await netCreated.text()).toBe(201);
  const netID = ((await netCreated.json()) as { Id: string }).Id;
  const appnetCard = page.locator(`[data-topo-network="${NET}"]`);
  await expect(appnetCard).toBeVisible({ timeout: 1_000 });
  const appnet = await network(request, netID);
  const appnetCfg = appnet.IPAM.Config[0]!;
  await expect(appnetCard).toContainText(appnetCfg.Subnet);
  await expect(appnetCard).toContainText(`gw ${appnetCfg.Gateway}`);
  await expect(appnetCard).toContainText('attachable');
  await expect(appnetCard).toContainText(/VXLAN \d+/);

  const workers = all.filter((n) => n.Spec.Role === 'worker' && n.Spec.Availability === 'active');
  expect(workers.length).toBeGreaterThanOrEqual(2);
  const spec = {
    Name: NAME,
    Labels: { 'com.docker.stack.namespace': 'topo' },
    TaskTemplate: {
      ContainerSpec: { Image: 'nginx:alpine' },
      Placement: { Constraints: ['node.role==worker'] },
      // `--network name=topo-appnet,alias=topo-www`
      Networks: [{ Target: NET, Aliases: [ALIAS] }],
    },
    Mode: { Replicated: { Replicas: 4 } },
    EndpointSpec: { Ports: [{ Protocol: 'tcp', TargetPort: 80, PublishedPort: PUBLISHED }] },
  };
  const created = await request.post(`${ENGINE}/services/create`, { data: spec });
  expect(created.status(), await created.text()).toBe(201);
  const { ID: serviceID } = (await created.json()) as { ID: string };

  // pushed over the socket: the service card within a second of the create returning
  const card = page.locator(`[data-topo-service="${NAME}"]`);
  await expect(card).toBeVisible({ timeout: 1_000 });
  await expect(card.getByRole('link', { name: NAME })).toHaveAttribute('href', `/services/${serviceID}`);
  await expect(page.getByLabel(`Published port ${PUBLISHED}/tcp`)).toBeVisible();
  // the tasks, running, each inside a worker's group
  await expect(tasksOf(page)).toHaveCount(4);
  await expect(tasksOf(page).and(page.locator('[data-state="running"]'))).toHaveCount(4, { timeout: 60_000 });
  await expect(card.getByLabel('4 of 4 running')).toBeVisible();
  const workerNames = new Set(workers.map((n) => n.Spec.Name || n.Description.Hostname));
  for (const t of await tasksOf(page).all()) expect(workerNames).toContain(await t.getAttribute('data-node'));

  // the allocation: a VIP on ingress (it publishes a port) and one on the overlay, with the alias on the edge
  const svc = (await (await request.get(`${ENGINE}/services/${serviceID}`)).json()) as Service;
  const vipOn = (id: string) => svc.Endpoint.VirtualIPs?.find((v) => v.NetworkID === id)?.Addr;
  const ingressVIP = bare(vipOn(ingress.Id)!);
  const appnetVIP = bare(vipOn(netID)!);
  await expect(card).toContainText(`VIP ingress ${ingressVIP}`);
  await expect(card).toContainText(`VIP ${NET} ${appnetVIP}`);
  await expect(card).toContainText(`${PUBLISHED}:80/tcp`);
  const edgeText = (text: string) =>
    page.locator('.react-flow__edge-text').filter({ hasText: new RegExp(`^${esc(text)}$`) });
  await expect(edgeText(`VIP ${appnetVIP} · aliases ${ALIAS}`)).toBeVisible();
  await expect(edgeText(`VIP ${ingressVIP}`)).toBeVisible();
  // each task card: its address on each network, as the task's NetworksAttachments hold them
  const apiTasks = (
    (await (
      await request.get(`${ENGINE}/tasks?filters=${encodeURIComponent(JSON.stringify({ service: [NAME] }))}`)
    ).json()) as Task[]
  ).filter((t) => t.DesiredState === 'running');
  expect(apiTasks).toHaveLength(4);
  for (const t of apiTasks) {
    const taskCard = page.locator(`[data-topo-task="${NAME}.${t.Slot}"]`);
    const addrOn = (id: string) => t.NetworksAttachments?.find((a) => a.Network.ID === id)?.Addresses?.[0];
    await expect(taskCard.locator('[data-network="ingress"]')).toHaveText(`ingress ${bare(addrOn(ingress.Id)!)}`);
    await expect(taskCard.locator(`[data-network="${NET}"]`)).toHaveText(`${NET} ${bare(addrOn(netID)!)}`);
  }
  // one backend edge per worker holding its tasks, labelled with how many; they add up to 4
  // (this service's edges only: earlier specs leave services of their own in the shared cluster)
  const counts = await page
    .locator(`.react-flow__edge.topo-edge-backend[data-id^="be:${serviceID}:"] .react-flow__edge-text`)
    .allTextContents();
  expect(counts.length).toBeGreaterThan(0);
  expect(counts.reduce((n, c) => n + Number(/^(\d+) tasks?$/.exec(c)![1]), 0)).toBe(4);
  // every node: its load-balancer address on ingress
  for (const n of await nodes(request)) {
    const lb = n.Attachments?.find((a) => a.Network.ID === ingress.Id)?.Addresses?.[0];
    expect(lb, `${n.Description.Hostname} has an ingress address`).toBeTruthy();
    await expect(page.locator(`[data-topo-node="${n.Spec.Name || n.Description.Hostname}"]`)).toContainText(
      `LB ingress ${bare(lb!)}`,
    );
  }

  // filters: by stack, the service alone, its networks (the overlay carries the stack label)
  await page.getByLabel('Stack').selectOption('topo');
  await expect(page).toHaveURL(/\?stack=topo$/);
  await expect(page.locator('[data-topo-service]')).toHaveCount(1);
  await expect(page.locator('[data-topo-network]')).toHaveCount(2);
  await expect(tasksOf(page)).toHaveCount(4);
  await shoot(page, 'topology');

  // drain the worker that holds the most of its tasks
  const byNode = new Map<string, number>();
  for (const t of await tasksOf(page).all()) {
    const n = (await t.getAttribute('data-node'))!;
    byNode.set(n, (byNode.get(n) ?? 0) + 1);
  }
  const [drainedName] = [...byNode].sort((a, b) => b[1] - a[1])[0]!;
  const drained = workers.find((n) => (n.Spec.Name || n.Description.Hostname) === drainedName)!;
  await setAvailability(request, drained, 'drain');
  const group = page.locator(`[data-topo-node="${drainedName}"]`);
  await expect(group).toHaveAttribute('data-availability', 'drain');
  // its tasks leave its group; the replacements run in the other workers' groups
  await expect(page.locator(`[data-topo-task^="${NAME}."][data-node="${drainedName}"]`)).toHaveCount(0, {
    timeout: 30_000,
  });
  await expect(tasksOf(page).and(page.locator('[data-state="running"]'))).toHaveCount(4, { timeout: 60_000 });
  for (const t of await tasksOf(page).all()) {
    const n = await t.getAttribute('data-node');
    expect(n).not.toBe(drainedName);
    expect(workerNames).toContain(n);
  }
  await expect(card.getByLabel('4 of 4 running')).toBeVisible();
  expect(await page.evaluate(() => (window as unknown as { __noReload?: boolean }).__noReload)).toBe(true);

  // click-through: the task opens its service page at its row
  const first = tasksOf(page).first();
  const taskName = (await first.getAttribute('data-topo-task'))!;
  await page.getByLabel('Stack').selectOption('');
  await shoot(page, 'topology-drained');
  // the service alone, fitted to the canvas, so the link is on screen and nothing covers it
  await page.getByLabel('Service', { exact: true }).selectOption({ label: NAME });
  await expect(page).toHaveURL(new RegExp(`\\?service=${serviceID}$`));
  await page.getByRole('button', { name: 'Fit View' }).click();
  await page.locator(`[data-topo-task="${taskName}"]`).getByRole('link', { name: taskName }).click();
  await expect(page).toHaveURL(new RegExp(`/services/${serviceID}#task-`));
  await expect(page.getByRole('heading', { level: 1 })).toHaveText(NAME);

  // the network's page, from its card: the same allocation, listed
  await page.goto('/topology');
  await page.locator(`[data-topo-network="${NET}"]`).getByRole('link', { name: NET }).click();
  await expect(page).toHaveURL(new RegExp(`/networks/${netID}$`));
  await expect(page.getByRole('heading', { level: 1 })).toHaveText(NET);
  const facts = page.getByLabel('Network facts');
  await expect(facts).toContainText(appnetCfg.Subnet);
  await expect(facts).toContainText(appnetCfg.Gateway!);
  await expect(facts).toContainText('attachable');
  const row = page.locator(`tr[data-service="${NAME}"]`);
  await expect(row).toContainText(appnetVIP);
  await expect(row).toContainText(ALIAS);
  // tasks by node: the four running tasks, each with its overlay address, none on the drained node
  await expect(page.locator('.network-node [data-task]').filter({ hasText: 'running' })).toHaveCount(4, {
    timeout: 30_000,
  });
  await expect(page.locator(`.network-node[data-node="${drainedName}"] [data-task]`)).toHaveCount(0);
  for (const li of await page.locator('.network-node [data-task]').all())
    await expect(li).toContainText(new RegExp(`${esc(appnetCfg.Subnet.replace(/\.0\/\d+$/, '.'))}\\d+`));
  await expect(page.getByTestId('network-addresses')).toContainText(/\d+ in use · \d+ available/);
  await shoot(page, 'network-detail', false);

  // leave the cluster as the other specs expect it
  await setAvailability(request, drained, 'active');
  expect((await request.delete(`${ENGINE}/services/${serviceID}`)).status()).toBe(200);
  // the network is in use until the service's tasks are gone
  await expect
    .poll(async () => (await request.delete(`${ENGINE}/networks/${netID}`)).status(), { timeout: 30_000 })
    .toBe(204);
});

test('topology: networks, VIPs and addresses as the allocator writes them (served state)', async ({ page }) => {
  // until the allocator is merged the live cluster has no IPAM, VIPs or attachments:
  // serve a state that has them, and a socket that connects and sends only the gateway's heartbeat (a quiet
  // one went stale after 5 s, and on a loaded machine the clicks below came after that)
  await page.route('**/api/state', (route) => route.fulfill({ json: allocatedState() }));
  const beats: ReturnType<typeof setInterval>[] = [];
  await page.routeWebSocket(/\/socket\.io\//, (ws) => {
    ws.send('0{"sid":"fx","upgrades":[],"pingInterval":25000,"pingTimeout":60000,"maxPayload":1000000}');
    ws.onMessage((m) => {
      if (!String(m).startsWith('40')) return;
      ws.send('40{"sid":"fx-ns"}');
      const beat = setInterval(() => ws.send(`42["beat",{"index":1,"at":${Date.now()}}]`), 1000);
      beats.push(beat);
      ws.onClose(() => clearInterval(beat));
    });
  });
  page.on('close', () => beats.forEach(clearInterval));
  await page.goto('/topology');
  await expect(page.locator('.conn')).toHaveAttribute('data-status', 'live');

  const appnet = page.locator('[data-topo-network="appnet"]');
  await expect(appnet).toContainText('10.0.1.0/24');
  await expect(appnet).toContainText('gw 10.0.1.1');
  await expect(appnet).toContainText('attachable');
  await expect(appnet).toContainText('VXLAN 4097');
  // web's and api's VIPs, six task addresses (the draining one still holds its own), one node address
  await expect(appnet.getByTestId('network-usage')).toHaveText(/^9 of 253 addresses in use · shop$/);
  await expect(page.locator('[data-topo-network="ingress"]')).toContainText('ingress');
  await expect(page.locator('[data-topo-network="backend"]')).toContainText('internal');

  const web = page.locator('[data-topo-service="web"]');
  await expect(web).toContainText('VIP ingress 10.0.0.2');
  await expect(web).toContainText('VIP appnet 10.0.1.2');
  await expect(web).toContainText('8080:80/tcp');
  await expect(page.locator('[data-topo-service="db"]')).toContainText('DNS round robin: no VIP');
  // attachment edges carry the VIP and the aliases
  await expect(page.locator('.react-flow__edge-text', { hasText: 'VIP 10.0.1.2 · aliases www' })).toBeVisible();
  await expect(
    page.locator('.react-flow__edge-text', { hasText: 'VIP 10.0.1.30 · aliases api.internal' }),
  ).toBeVisible();
  await expect(page.getByLabel('Published port 8080/tcp')).toBeVisible();

  // tasks: an IP per network, in their node; the drained node's task is draining
  const web1 = page.locator('[data-topo-task="web.1"]');
  await expect(web1).toHaveAttribute('data-node', 'alpha');
  await expect(web1.locator('[data-network="appnet"]')).toHaveText(/appnet 10\.0\.1\.3$/);
  await expect(page.locator('[data-topo-task="web.3"][data-draining]')).toHaveAttribute('data-node', 'charlie');
  await expect(page.locator('[data-topo-task="web.3"][data-draining]')).toContainText('draining');
  await expect(page.locator('[data-topo-task="api.2"]')).toHaveAttribute('data-tone', 'bad');
  await expect(page.locator('[data-topo-node="not on a node"]')).toBeVisible();
  await expect(page.locator('[data-topo-node="alpha"]')).toContainText('LB ingress 10.0.0.10');
  await shoot(page, 'topology-allocated');

  // click a network: only it and the services on it
  await page.locator('[data-topo-network="backend"]').click();
  await expect(page).toHaveURL(/\?network=be$/);
  await expect(page.locator('[data-topo-service]')).toHaveCount(2);
  await expect(page.locator('[data-topo-network]')).toHaveCount(1);
  await expect(page.locator('[data-topo-task]')).toHaveCount(4);
});
