// `docker events` against one swarmdeck server, with the real docker CLI
// (28.2): the live stream, --since/--until, filters, and both output formats
// exactly as the CLI prints dockerd's events.

import { spawn, type ChildProcess } from 'node:child_process';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { eventMillis } from '../../server/api/events';
import { waitFor } from '../integration/harness';
import { startCliSession, type CliSession } from './cli-session';

interface Ev {
  Type: string;
  Action: string;
  Actor: { ID: string; Attributes: Record<string, string> };
  scope: string;
  time: number;
  timeNano: number;
}

/** A running `docker events …`: its output so far, parsed line by line. */
interface EventStream {
  proc: ChildProcess;
  lines(): string[];
  exited: Promise<number | null>;
  stop(): void;
}

/** `"sec.nanos"`, as the CLI sends --since/--until, from an event's timeNano (a whole number of ms). */
const stamp = (timeNano: number): string => {
  const ms = Math.round(timeNano / 1e6);
  return `${Math.floor(ms / 1000)}.${String((ms % 1000) * 1e6).padStart(9, '0')}`;
};

describe('docker events', () => {
  let cli: CliSession;
  const streams: EventStream[] = [];

  const json = (out: string): Ev[] =>
    out
      .split('\n')
      .filter(Boolean)
      .map((l) => JSON.parse(l) as Ev);

  const stream = (args: string[]): EventStream => {
    const proc = spawn(cli.bin, ['events', ...args], {
      env: cli.env,
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let out = '';
    proc.stdout!.on('data', (c: Buffer) => (out += c.toString()));
    proc.stderr!.on('data', (c: Buffer) => (out += c.toString()));
    const exited = new Promise<number | null>((r) => proc.once('close', (code) => r(code)));
    const s = { proc, lines: () => out.split('\n').filter(Boolean), exited, stop: () => proc.kill('SIGKILL') };
    streams.push(s);
    return s;
  };

  /**
   * A live stream, known to be subscribed: a probe service's label is changed
   * until the stream shows it (bounded), so what follows cannot precede it.
   * The stream's filters must let the probe's service events through.
   */
  const liveStream = async (args: string[]): Promise<EventStream> => {
    const s = stream(['--format', '{{json .}}', ...args]);
    let n = 0;
    await waitFor(
      'the event stream to show a probe event',
      async () => {
        await cli.ok(['service', 'update', '-d', '--label-add', `probe=${++n}`, 'probe']);
        return s.lines().some((l) => l.includes(`"probe":"${n}"`));
      },
      { timeoutMs: 30_000, intervalMs: 200 },
    );
    return s;
  };

  beforeAll(async () => {
    // the CLI prints event times in the local zone: pin it
    cli = await startCliSession('events', { simWorkers: 1, cliEnv: { TZ: 'UTC' } });
    await cli.ok(['service', 'create', '-d', '--name', 'probe', '--replicas', '0', 'busybox', 'true']);
  }, 90_000);

  afterAll(async () => {
    for (const s of streams) s.stop();
    await cli?.stop();
  });

  it('streams a create → update → scale → rm live, in order, and again with --since/--until', async () => {
    const live = await liveStream(['--filter', 'type=service']);
    const before = live.lines().length;
    await cli.ok([
      'service',
      'create',
      '-d',
      '--name',
      'evweb',
      '--label',
      'tier=front',
      '--replicas',
      '1',
      'nginx:alpine',
    ]);
    await cli.ok(['service', 'update', '-d', '--image', 'nginx:1.27', 'evweb']);
    // a scale posted while the updater writes the service would lose the version race, as with dockerd
    await waitFor('the rolling update to complete', async () => {
      const r = await cli.ok(['service', 'inspect', '--format', '{{.UpdateStatus.State}}', 'evweb']);
      return r.trim() === 'completed';
    });
    await cli.ok(['service', 'scale', '-d', 'evweb=3']);
    await cli.ok(['service', 'rm', 'evweb']);
    const seen = await waitFor('the remove event', () => {
      const evs = json(live.lines().slice(before).join('\n')).filter((e) => e.Actor.Attributes.name !== 'probe');
      return evs.some((e) => e.Action === 'remove') ? evs : undefined;
    });
    // every event is the service's; the four steps appear in order (the updater's own updates in between)
    expect(new Set(seen.map((e) => e.Actor.Attributes.name))).toEqual(new Set(['evweb']));
    const steps = [
      seen.findIndex((e) => e.Action === 'create'),
      seen.findIndex((e) => e.Actor.Attributes['image.new'] === 'nginx:1.27'),
      seen.findIndex((e) => e.Actor.Attributes['replicas.new'] === '3'),
      seen.findIndex((e) => e.Action === 'remove'),
    ];
    expect(steps.every((i) => i >= 0)).toBe(true);
    expect([...steps].sort((a, b) => a - b)).toEqual(steps);
    const create = seen[steps[0]!]!;
    expect(create).toEqual({
      Type: 'service',
      Action: 'create',
      Actor: { ID: create.Actor.ID, Attributes: { name: 'evweb', tier: 'front' } },
      scope: 'swarm',
      time: Math.floor(create.timeNano / 1e9),
      timeNano: create.timeNano,
    });
    expect(seen[steps[1]!]!.Actor.Attributes).toMatchObject({ 'image.old': 'nginx:alpine', 'image.new': 'nginx:1.27' });
    expect(seen[steps[2]!]!.Actor.Attributes).toMatchObject({ 'replicas.old': '1', 'replicas.new': '3' });
    const times = seen.map((e) => e.timeNano);
    expect([...times].sort((a, b) => a - b)).toEqual(times);

    // the same events from the log, and the stream ends by itself (until is past)
    const since = stamp(seen[0]!.timeNano);
    const until = stamp(seen.at(-1)!.timeNano);
    const past = await cli.ok([
      'events',
      '--since',
      since,
      '--until',
      until,
      '--filter',
      'service=evweb',
      '--format',
      '{{json .}}',
    ]);
    expect(json(past)).toEqual(seen);

    // the default format: dockerd's time with nanoseconds, type, action, ID, sorted attributes
    const text = await cli.ok([
      'events',
      '--since',
      since,
      '--until',
      until,
      '--filter',
      'service=evweb',
      '--filter',
      'event=create',
    ]);
    const iso = new Date(eventMillis(create)).toISOString().replace(/\.(\d{3})Z$/, '.$1000000Z');
    expect(text).toBe(`${iso} service create ${create.Actor.ID} (name=evweb, tier=front)\n`);

    // --since alone: the past, then live until the client goes away
    const again = stream(['--since', since, '--filter', 'service=evweb', '--format', '{{json .}}']);
    await waitFor('the past events with --since', () => again.lines().length >= seen.length);
    expect(json(again.lines().join('\n'))).toEqual(seen);
    again.stop();
  });

  it('filters by event, label and node, and names node changes as dockerd does', async () => {
    const t0 = stamp((Date.now() - 1) * 1e6);
    await cli.ok([
      'service',
      'create',
      '-d',
      '--name',
      'evapi',
      '--label',
      'team=core',
      '--replicas',
      '1',
      'busybox',
      'sleep',
      '1d',
    ]);
    await cli.ok(['service', 'create', '-d', '--name', 'evdb', '--replicas', '1', 'busybox', 'sleep', '1d']);
    const node = (await cli.ok(['node', 'ls', '--format', '{{.Hostname}}', '--filter', 'role=worker']))
      .trim()
      .split('\n')[0]!;
    await cli.ok(['node', 'update', '--availability', 'pause', node]);
    await cli.ok(['node', 'update', '--availability', 'active', node]);
    const t1 = stamp((Date.now() + 1) * 1e6);
    const past = async (...filters: string[]) =>
      json(
        await cli.ok([
          'events',
          '--since',
          t0,
          '--until',
          t1,
          '--format',
          '{{json .}}',
          ...filters.flatMap((f) => ['--filter', f]),
        ]),
      );

    const labelled = await past('label=team=core');
    expect(labelled.map((e) => `${e.Type} ${e.Action} ${e.Actor.Attributes.name}`)).toEqual(['service create evapi']);
    expect(await past('label=team=other')).toEqual([]);
    const creates = await past('type=service', 'event=create');
    expect(creates.map((e) => e.Actor.Attributes.name)).toEqual(['evapi', 'evdb']);

    const nodeEvents = await past(`node=${node}`, 'type=node');
    expect(nodeEvents.map((e) => e.Actor.Attributes)).toEqual([
      { name: node, zone: 'zone-a', 'availability.old': 'active', 'availability.new': 'pause' },
      { name: node, zone: 'zone-a', 'availability.old': 'pause', 'availability.new': 'active' },
    ]);
    // by default only the types dockerd reports; task events answer a type filter that asks for them
    expect((await past()).some((e) => e.Type === 'task')).toBe(false);
    const tasks = await past('type=task', 'label=com.docker.swarm.service.name=evapi');
    expect(tasks.length).toBeGreaterThan(0);
    expect(tasks[0]).toMatchObject({
      Type: 'task',
      Action: 'create',
      Actor: { Attributes: { 'com.docker.swarm.service.name': 'evapi' } },
    });
  });

  it("refuses bad times and filters with dockerd's 400s", async () => {
    const bad = await cli.docker(['events', '--since', '10', '--until', '5']);
    expect(bad.code).not.toBe(0);
    expect(bad.stderr).toContain('`since` time (10) cannot be after `until` time (5)');
    for (const [q, text] of [
      [
        'since=yesterday',
        `invalid value for 'since': invalid timestamp "yesterday": invalid seconds "yesterday": invalid syntax`,
      ],
      [
        'until=1.x',
        `invalid value for 'until': invalid timestamp "1.x": invalid nanoseconds: invalid character 'x' at position 0`,
      ],
      ['filters=%7Bnope', 'invalid filter'],
    ] as const) {
      const res = await fetch(`http://127.0.0.1:${cli.ports.engine}/v1.50/events?${q}`);
      expect(res.status).toBe(400);
      expect(res.headers.get('content-type')).toBe('application/json');
      expect(((await res.json()) as { message: string }).message).toContain(text);
    }
  });
});
