// The audit log on a real manager (issue #12 §2): a console scale, a docker CLI
// `service update` and a control-loop restart each appear with the right actor;
// refused requests are noted; the export is JSON lines; a flood of refused
// requests stays bounded, in the log and in the raft entries it costs.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { AuditListBody, AuditRecordBody } from '../../server/api/audit';
import { consoleLogin, TEST_ADMIN } from '../manager-http';
import { dockerBinary, dockerCli, freePorts, startServer, tempDir, waitFor, type RunningServer } from './harness';

if (!dockerBinary()) throw new Error('the docker CLI is required for the audit tests (.ci/run installs it)');

describe('audit log', () => {
  const data = tempDir('swarmdeck-audit-data-');
  const config = tempDir('swarmdeck-audit-config-');
  let server: RunningServer | undefined;
  let docker: ReturnType<typeof dockerCli>;
  let consoleURL = '';
  let engineURL = '';
  /** The test admin's console session */
  let cookie = '';
  let selfNodeID = '';

  const consoleCall = async (method: string, path: string, body?: unknown) => {
    const r = await fetch(consoleURL + path, {
      method,
      headers: {
        ...(body === undefined ? {} : { 'content-type': 'application/json' }),
        cookie,
      },
      body: body === undefined ? undefined : JSON.stringify(body),
    });
    return { status: r.status, headers: r.headers, text: await r.text() };
  };
  const audit = async (query = ''): Promise<AuditListBody> => {
    const r = await consoleCall('GET', `/api/audit?limit=5000${query ? `&${query}` : ''}`);
    expect(r.status, r.text).toBe(200);
    return JSON.parse(r.text) as AuditListBody;
  };
  const findRecord = (what: string, match: (r: AuditRecordBody) => boolean, query = '') =>
    waitFor(what, async () => (await audit(query)).records.find(match), { timeoutMs: 30_000, intervalMs: 200 });

  beforeAll(async () => {
    const ports = await freePorts();
    server = await startServer({
      dataDir: data.path,
      ports,
      simWorkers: 0,
      console: true,
      extraArgs: ['--executor', 'process'],
      readyTimeoutMs: 90_000,
    });
    consoleURL = `http://127.0.0.1:${ports.console}`;
    engineURL = `http://127.0.0.1:${ports.engine}`;
    docker = dockerCli(ports.engine, config.path);
    cookie = await consoleLogin(consoleURL);
    const nodes = (await (await fetch(`${engineURL}/v1.50/nodes`)).json()) as { ID: string }[];
    selfNodeID = nodes[0]!.ID;
  }, 120_000);
  afterAll(async () => {
    await server?.stop();
    data.remove();
    config.remove();
  });

  it('records a docker CLI service update as its Engine API client', async () => {
    const created = await docker(['service', 'create', '-d', '--name', 'web', 'alpine', '/bin/sh', '-c', 'sleep 3600']);
    expect(created.code, created.stderr).toBe(0);
    const r = await docker(['service', 'update', '-d', '--label-add', 'team=blue', 'web']);
    expect(r.code, r.stderr).toBe(0);
    const rec = await findRecord('the CLI update', (x) => /^POST \/services\/\w+\/update$/.test(x.action));
    expect(rec).toMatchObject({
      actor: { kind: 'engine-client', subject: 'local (no TLS)', peer: expect.stringMatching(/^127\.0\.0\.1:\d+$/) },
      target: 'service web',
      changes: expect.stringContaining('update service'),
      result: 'ok',
    });
    expect(Date.parse(rec.time)).toBeGreaterThan(Date.now() - 60_000);
    // the create before it, the same way
    const create = (await audit('action=/services/create')).records;
    expect(create).toEqual([expect.objectContaining({ target: 'service web', result: 'ok' })]);
  }, 60_000);

  it('records a console scale as the account that made it', async () => {
    const id = (await docker(['service', 'inspect', '-f', '{{.ID}}', 'web'])).stdout.trim();
    const r = await consoleCall('POST', `/api/services/${id}/scale`, { replicas: 2 });
    expect(r.status, r.text).toBe(200);
    const rec = await findRecord(
      'the console scale',
      (x) => x.target === 'service web' && x.actor.kind !== 'engine-client' && x.actor.kind !== 'control-loop',
    );
    // the console API runs each request as its principal
    expect(rec.actor).toMatchObject({ kind: 'account', name: TEST_ADMIN.name, role: 'admin' });
    expect(rec).toMatchObject({
      action: `POST /api/services/${id}/scale`,
      changes: expect.stringContaining('update service'),
      result: 'ok',
    });
  }, 60_000);

  it('records a failed task, reported by its agent, and its restart, by a control loop', async () => {
    const r = await docker([
      'service',
      'create',
      '-d',
      '--name',
      'crash',
      '--restart-delay',
      '200ms',
      'alpine',
      '/bin/sh',
      '-c',
      'sleep 1; exit 3',
    ]);
    expect(r.code, r.stderr).toBe(0);
    // the manager's own agent reports the exit…
    const failed = await findRecord(
      'the agent reporting task crash.1',
      (x) => x.actor.kind === 'agent' && x.target === 'task crash.1',
      `actor=${selfNodeID}`,
    );
    expect(failed.actor).toEqual({ kind: 'agent', nodeID: selfNodeID });
    // …and a control loop replaces the task: a second task of slot 1 created after the report
    const restart = await findRecord(
      'a control loop restarting crash.1',
      (x) =>
        x.actor.kind === 'control-loop' &&
        x.index > failed.index &&
        /create task/.test(x.changes ?? '') &&
        (x.target ?? '').includes('task crash.1'),
      'actor=control-loop',
    );
    expect(restart.actor).toMatchObject({ kind: 'control-loop', name: expect.stringMatching(/orchestrator|restart/) });
    expect(restart.result).toBe('ok');
    const ps = await docker(['service', 'ps', '--format', '{{.Name}} {{.CurrentState}}', 'crash']);
    expect(ps.stdout).toMatch(/Failed/);
    expect((await docker(['service', 'rm', 'crash'])).code).toBe(0);
  }, 90_000);

  it('notes refused requests at both doors, and exports the log as JSON lines', async () => {
    const rm = await docker(['service', 'rm', 'nope']);
    expect(rm.code).not.toBe(0);
    const engineNote = await findRecord('the refused rm', (x) => x.action === 'DELETE /services/nope');
    expect(engineNote).toMatchObject({
      actor: { kind: 'engine-client', subject: 'local (no TLS)' },
      result: 'refused (404): service nope not found',
    });
    expect(engineNote.changes).toBeUndefined();
    const c = await consoleCall('POST', '/api/services/nope/scale', { replicas: 1 });
    expect(c.status).toBe(404);
    const consoleNote = await findRecord(
      'the refused console scale',
      (x) => x.action === 'POST /api/services/nope/scale',
    );
    expect(consoleNote).toMatchObject({
      actor: { kind: 'account', name: TEST_ADMIN.name },
      result: expect.stringMatching(/^refused \(404\)/),
    });
    // a failed login, noted by the login itself (once)
    const bad = await fetch(`${consoleURL}/api/session`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ name: TEST_ADMIN.name, password: 'not-the-password' }),
    });
    expect(bad.status).toBe(401);
    await findRecord('the failed login', (x) => x.action === 'login' && x.result === 'wrong name or password');
    expect((await audit('action=login&result=failed')).records).toHaveLength(1);
    // reads are neither written nor noted
    expect((await audit('q=GET')).records.filter((x) => x.action.startsWith('GET '))).toEqual([]);

    const before = (await audit()).total;
    const e = await consoleCall('GET', '/api/audit/export');
    const after = (await audit()).total;
    expect(e.status).toBe(200);
    expect(e.headers.get('content-type')).toMatch(/^application\/x-ndjson/);
    expect(e.headers.get('content-disposition')).toBe('attachment; filename="swarmdeck-audit.jsonl"');
    const lines = e.text.split('\n');
    expect(lines.pop()).toBe('');
    const records = lines.map((l) => JSON.parse(l) as AuditRecordBody);
    // everything the log held at that moment (the control loops may write meanwhile)
    expect(records.length).toBeGreaterThanOrEqual(before);
    expect(records.length).toBeLessThanOrEqual(after);
    for (const r of records)
      expect(Object.keys(r)).toEqual(expect.arrayContaining(['index', 'time', 'actor', 'action', 'result']));
    // oldest first, as a log file reads
    expect(records.map((r) => r.index)).toEqual([...records.map((r) => r.index)].sort((a, b) => a - b));
    // secrets' and tasks' data never reach it
    expect(e.text).not.toMatch(/SWMTKN|SWMKEY|sleep 3600/);
  }, 60_000);

  it('keeps a flood of refused requests bounded, in the log and in raft entries', async () => {
    const before = await audit();
    const startIndex = Math.max(0, ...before.records.map((r) => r.index));
    const started = Date.now();
    const FLOOD = 1200;
    const statuses = new Map<number, number>();
    for (let i = 0; i < FLOOD; i += 100) {
      await Promise.all(
        Array.from({ length: 100 }, (_, j) =>
          fetch(`${engineURL}/v1.50/services/flood-${i + j}/update?version=1`, {
            method: 'POST',
            headers: { 'content-type': 'application/json' },
            body: '{}',
          }).then(async (r) => {
            statuses.set(r.status, (statuses.get(r.status) ?? 0) + 1);
            await r.text();
          }),
        ),
      );
    }
    // each got its 404, or was shed under the load (503: not a refusal, not noted)
    expect((statuses.get(404) ?? 0) + (statuses.get(503) ?? 0)).toBe(FLOOD);
    expect(statuses.get(404)).toBeGreaterThan(FLOOD / 2);
    // every refused request is a note or counted in a drop note ("N notes dropped"), once the buffer drains
    const floodNotes = (records: AuditRecordBody[]) =>
      records.filter((x) => x.index > startIndex && /^POST \/services\/flood-\d+\/update$/.test(x.action));
    const droppedCount = (records: AuditRecordBody[]) =>
      records
        .filter((x) => x.index > startIndex && x.action === 'drop audit notes')
        .reduce((n, x) => n + Number(/^(\d+) notes dropped/.exec(x.result)?.[1] ?? NaN), 0);
    const after = await waitFor(
      'every refused request noted or counted',
      async () => {
        const l = await audit();
        return floodNotes(l.records).length + droppedCount(l.records) === statuses.get(404) ? l : undefined;
      },
      { timeoutMs: 30_000, intervalMs: 250 },
    );
    const flood = floodNotes(after.records);
    // the buffer holds at most 200: a flood of 1200 drops some, and says so
    expect(droppedCount(after.records)).toBeGreaterThan(0);
    expect(flood.length).toBeGreaterThan(0);
    expect(flood[0]).toMatchObject({
      actor: { kind: 'engine-client' },
      result: expect.stringMatching(/^refused \(404\)/),
    });
    // at most one entry per coalescing interval (250 ms) while it lasted, 50 notes each
    const entries = new Set(flood.map((x) => x.index)).size;
    expect(entries).toBeLessThanOrEqual(Math.ceil((Date.now() - started) / 250) + 2);
    expect(flood.length).toBeLessThanOrEqual(entries * 50);
    // the notes ring is bounded; the people's writes before the flood are all still there
    expect(after.records.filter((x) => x.changes === undefined).length).toBeLessThanOrEqual(1000);
    expect(after.records.filter((x) => /^POST \/services\/\w+\/update$/.test(x.action))).toHaveLength(1);
    expect(after.records.filter((x) => x.action === 'POST /services/create')).toHaveLength(2);
  }, 120_000);
});
