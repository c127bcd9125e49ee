// The invariant of the schemas, property-based against a real manager
// process: any spec the Engine API accepts can be read back and rendered by
// the unmodified docker CLI, and any spec it refuses gets a 4xx JSON message
// that names a field. Service, swarm and node specs are generated from a
// seed (printed on failure; SPEC_SEED=n replays it, SPEC_CASES=n sets how
// many service specs), posted one by one, and the CLI's reads run every 25
// accepted specs; a failing batch is bisected down to the spec that broke it.

import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  dockerBinary,
  dockerCli,
  freePorts,
  startServer,
  tempDir,
  type DockerResult,
  type RunningServer,
} from './integration/harness';
import { Gen } from './spec-invariant/gen';
import { serviceCase, type SpecCase } from './spec-invariant/service-specs';
import { nodeCase, swarmCase } from './spec-invariant/swarm-node-specs';

const bin = dockerBinary();
if (!bin) throw new Error('the docker CLI is required for the spec invariant test (.ci/run installs it)');

const SEED = Number(process.env.SPEC_SEED ?? '') || Math.floor(Math.random() * 2 ** 31);
const SERVICE_CASES = Number(process.env.SPEC_CASES ?? '') || 150;
const SWARM_CASES = Math.ceil(SERVICE_CASES / 4);
const NODE_CASES = Math.ceil(SERVICE_CASES / 4);
const BATCH = 25;
/** Lowered for the test so boundary replica counts stay cheap to run. */
const REPLICA_LIMIT = 20;

const replay = `seed ${SEED} (replay: SPEC_SEED=${SEED} npx vitest run test/spec-invariant.test.ts)`;

interface Answer {
  status: number;
  contentType: string | null;
  json: unknown;
}

describe(`spec invariant (${replay})`, () => {
  const data = tempDir('swarmdeck-invariant-data-');
  const config = tempDir('swarmdeck-invariant-config-');
  let server: RunningServer | undefined;
  let engine = '';
  let docker: ReturnType<typeof dockerCli>;
  const g = new Gen(SEED);

  const call = async (method: string, path: string, body?: unknown): Promise<Answer> => {
    const res = await fetch(`${engine}${path}`, {
      method,
      headers: body === undefined ? {} : { 'Content-Type': 'application/json' },
      body: body === undefined ? undefined : JSON.stringify(body),
      signal: AbortSignal.timeout(15_000),
    });
    const text = await res.text();
    let json: unknown = text;
    try {
      json = text ? JSON.parse(text) : undefined;
    } catch {
      // kept as text for the report
    }
    return { status: res.status, contentType: res.headers.get('content-type'), json };
  };

  const fail = (what: string, c: SpecCase, detail: string): never => {
    throw new Error(
      `${what}\n${replay}\nchanges: ${c.notes.join('; ') || 'none'}\nbody: ${JSON.stringify(c.body).slice(0, 3000)}\n${detail}\nserver:\n${server?.output().slice(-2000)}`,
    );
  };

  /** A refusal must be a 4xx, JSON exactly, with a message that names one of the fields changed. */
  const checkRefusal = (c: SpecCase, r: Answer): void => {
    if (r.status >= 500) fail(`a ${r.status} for a spec`, c, JSON.stringify(r.json));
    if (r.status < 400) fail(`unexpected status ${r.status}`, c, JSON.stringify(r.json));
    if (r.contentType !== 'application/json') fail(`Content-Type ${r.contentType}`, c, JSON.stringify(r.json));
    const message = (r.json as { message?: unknown } | undefined)?.message;
    if (typeof message !== 'string' || message === '') fail('no message', c, JSON.stringify(r.json));
    // dockerd names some fields in words ("signing CA key" for SigningCAKey): compare without spaces too
    const text = (message as string).toLowerCase();
    const squeezed = text.replace(/[\s_-]+/g, '');
    if (c.words.length > 0 && !c.words.some((w) => text.includes(w) || squeezed.includes(w)))
      fail(`the message names none of [${c.words.join(', ')}]`, c, message as string);
  };

  const run = async (args: string[]): Promise<DockerResult> => docker(args, 30_000);

  /** The CLI's reads over `ids` (undefined: everything); the first failure, or undefined. */
  const serviceReads = async (ids?: string[]): Promise<string | undefined> => {
    const filter = ids ? ids.flatMap((id) => ['--filter', `id=${id}`]) : [];
    const all = ids ?? ((await call('GET', '/v1.50/services')).json as { ID: string }[] | string[]);
    const list = (all as ({ ID: string } | string)[]).map((s) => (typeof s === 'string' ? s : s.ID));
    const commands = [
      ['service', 'ls', ...filter],
      ...(list.length
        ? [
            ['service', 'ps', ...list],
            ['service', 'inspect', '--pretty', ...list],
          ]
        : []),
      ['node', 'ls'],
      ['info'],
    ];
    for (const args of commands) {
      const r = await run(args);
      if (r.code !== 0) return `docker ${args.slice(0, 3).join(' ')} → exit ${r.code}: ${r.stderr || r.stdout}`;
    }
    return undefined;
  };

  /** Halves a failing set of services until one spec is left that fails the reads on its own. */
  const culprit = async (ids: string[]): Promise<{ id: string; why: string }> => {
    let suspects = ids;
    let why = (await serviceReads(ids)) ?? '';
    while (suspects.length > 1) {
      const half = suspects.slice(0, Math.ceil(suspects.length / 2));
      const failed = await serviceReads(half);
      if (failed) {
        suspects = half;
        why = failed;
      } else suspects = suspects.slice(half.length);
    }
    return { id: suspects[0]!, why };
  };

  beforeAll(async () => {
    const ports = await freePorts();
    engine = `http://127.0.0.1:${ports.engine}`;
    server = await startServer({ dataDir: data.path, ports, simWorkers: 2 });
    docker = dockerCli(ports.engine, config.path, bin);
    const swarm = (await call('GET', '/v1.50/swarm')).json as { Version: { Index: number }; Spec: { Labels: object } };
    const set = await call('POST', `/v1.50/swarm/update?version=${swarm.Version.Index}`, {
      ...swarm.Spec,
      Labels: { ...swarm.Spec.Labels, 'swarmdeck.max-replicas': String(REPLICA_LIMIT) },
    });
    expect(set.status).toBe(200);
  }, 120_000);

  afterAll(async () => {
    await server?.stop();
    data.remove();
    config.remove();
  });

  it('every accepted service spec reads back through the CLI and round-trips; every refused one is a named 4xx', async () => {
    const accepted = new Map<string, SpecCase>();
    let batch: string[] = [];
    let refused = 0;
    const flush = async () => {
      if (batch.length === 0) return;
      const broken = await serviceReads(batch);
      if (broken) {
        const { id, why } = await culprit(batch);
        fail('the docker CLI cannot read an accepted spec', accepted.get(id)!, why);
      }
      batch = [];
    };
    for (let n = 0; n < SERVICE_CASES; n++) {
      const c = serviceCase(g, n);
      const r = await call('POST', '/v1.50/services/create', c.body);
      if (r.status !== 201) {
        checkRefusal(c, r);
        refused++;
        continue;
      }
      const id = (r.json as { ID: string }).ID;
      accepted.set(id, c);
      // what the CLI does on `service update`: read the spec, post it back unchanged. The allocator
      // writes a new service (its Endpoint) once after create, as swarmkit's does: a write between the
      // read and the update is refused as out of sequence, and read again, as a user would
      let got: { Version: { Index: number }; Spec: unknown };
      let back: Answer;
      for (let tries = 0; ; tries++) {
        got = (await call('GET', `/v1.50/services/${id}`)).json as { Version: { Index: number }; Spec: unknown };
        back = await call('POST', `/v1.50/services/${id}/update?version=${got.Version.Index}`, got.Spec);
        if (back.status !== 409 || tries === 3) break;
      }
      if (back.status !== 200) fail('the spec read back was refused', c, JSON.stringify(back.json));
      const again = (await call('GET', `/v1.50/services/${id}`)).json as { Spec: unknown };
      if (JSON.stringify(again.Spec) !== JSON.stringify(got.Spec))
        fail('the spec changed on a round trip', c, `${JSON.stringify(got.Spec)}\n→ ${JSON.stringify(again.Spec)}`);
      batch.push(id);
      if (batch.length >= BATCH) await flush();
    }
    await flush();
    const all = await serviceReads();
    if (all) throw new Error(`the CLI's reads fail over every service: ${all}\n${replay}`);
    console.log(`spec invariant: ${accepted.size} service specs accepted, ${refused} refused (${replay})`);
    // the generator must exercise both sides
    expect(accepted.size, replay).toBeGreaterThan(SERVICE_CASES / 10);
    expect(refused, replay).toBeGreaterThan(SERVICE_CASES / 10);
  }, 300_000);

  it('every accepted swarm spec keeps `docker info` and `docker swarm join-token` working', async () => {
    let pending = 0;
    const reads = async (c: SpecCase) => {
      for (const args of [['info'], ['swarm', 'join-token', 'worker']]) {
        const r = await run(args);
        if (r.code !== 0) fail(`docker ${args.join(' ')} fails after a swarm update`, c, r.stderr || r.stdout);
      }
    };
    let last: SpecCase | undefined;
    for (let n = 0; n < SWARM_CASES; n++) {
      const current = (await call('GET', '/v1.50/swarm')).json as {
        Version: { Index: number };
        Spec: Record<string, unknown>;
      };
      // the replica limit stays as the service cases left it
      const c = swarmCase(g, current.Spec);
      const r = await call('POST', `/v1.50/swarm/update?version=${current.Version.Index}`, c.body);
      if (r.status !== 200) {
        checkRefusal(c, r);
        continue;
      }
      last = c;
      if (++pending >= 5) {
        await reads(c);
        pending = 0;
      }
    }
    if (last) await reads(last);
  }, 300_000);

  it('every accepted node spec keeps `docker node ls` and `node inspect --pretty` working', async () => {
    const nodes = ((await call('GET', '/v1.50/nodes')).json as { ID: string; Spec: { Role: string } }[]).filter(
      (n) => n.Spec.Role === 'worker',
    );
    expect(nodes.length).toBeGreaterThan(0);
    for (let n = 0; n < NODE_CASES; n++) {
      const target = g.pick(nodes);
      const current = (await call('GET', `/v1.50/nodes/${target.ID}`)).json as {
        Version: { Index: number };
        Spec: Record<string, unknown>;
      };
      const c = nodeCase(g, current.Spec);
      const r = await call('POST', `/v1.50/nodes/${target.ID}/update?version=${current.Version.Index}`, c.body);
      if (r.status === 409) continue; // the node's agent moved its version on between the GET and the POST
      if (r.status !== 200) {
        checkRefusal(c, r);
        continue;
      }
      for (const args of [
        ['node', 'ls'],
        ['node', 'inspect', '--pretty', target.ID],
      ]) {
        const out = await run(args);
        if (out.code !== 0) fail(`docker ${args.join(' ')} fails after a node update`, c, out.stderr || out.stdout);
      }
    }
  }, 300_000);
});
