// The fuzz suite's CI run: 10,500 generated requests against real managers
// (8,500 at one with its console: Engine API, console API and pages,
// socket.io; 2,000 at a --no-console one: the Engine API alone), then the
// docker CLI's reads and a canary service. Seeded: the seed is printed, and
//
//   FUZZ_SEED=<n> npx vitest run test/fuzz/fuzz.test.ts
//
// replays the run request for request. Every failure is saved under
// .tmp/fuzz/<run>/failures/ and replays alone with
// `npm run fuzz -- --replay <file>`; report.md groups them by cause.
// The long run (210,000 requests over 4 seeds): `npm run fuzz -- --long`.

import { beforeAll, describe, expect, it } from 'vitest';
import { curlOf, groupFailures, verdicts, type Group, type Verdicts } from './report';
import { CATALOGUE } from './routes';
import { randomSeed, runFuzz, SHORT_RUN, type FuzzResult } from './runner';

const seed = Number(process.env.FUZZ_SEED ?? randomSeed());

function line(g: Group): string {
  const e = g.examples[0]!;
  return `${g.count}× [${g.phase}] ${g.kind} ${g.route}: ${g.cause}\n    e.g. ${e.sent ? curlOf(e.sent).slice(0, 400) : e.request.label}\n    replay: npm run fuzz -- --replay ${g.files[0] ?? '?'}`;
}

describe(`fuzz: a real manager under generated requests (seed ${seed})`, () => {
  let result: FuzzResult;
  let v: Verdicts;
  const where = () => `seed ${seed} (FUZZ_SEED=${seed} replays it); report: ${result.outDir}/report.md`;

  beforeAll(async () => {
    console.log(`fuzz: seed ${seed}; FUZZ_SEED=${seed} npx vitest run test/fuzz/fuzz.test.ts replays this run`);
    result = await runFuzz({ ...SHORT_RUN, seed, log: (l) => console.log(l) });
    v = verdicts(
      result,
      groupFailures(result.failures),
      CATALOGUE.map((r) => r.id),
    );
  }, 30 * 60_000);

  it('sends at least 10,000 generated requests, over every route', () => {
    expect(v.generated, where()).toBeGreaterThanOrEqual(10_000);
    expect(v.uncovered, where()).toEqual([]);
    // requests not sent are those whose family already crashed or hung the manager: each is a failure below
    const skipped = result.phases.reduce((n, p) => n + p.skipped.length, 0);
    if (skipped > 0) expect(result.crashes.length + v.noAnswer.length, where()).toBeGreaterThan(0);
  });

  it('never answers 5xx', () => {
    expect(v.fiveXX.map(line), where()).toEqual([]);
  });

  it('keeps the manager alive (and a restart on its data comes back)', () => {
    const crashes = result.crashes.map(
      (c) =>
        `crash ${c.id} [${c.phase}] ${c.exit}: ${c.signature}; restart: ${c.restart?.split('\n')[0] ?? 'not checked'}; ` +
        (c.culprit
          ? `culprit: ${c.culprit.method} ${c.culprit.path} [${c.culprit.label.slice(0, 200)}]`
          : `not pinned (${c.pinNote})`),
    );
    expect(crashes, where()).toEqual([]);
  });

  it('answers every request', () => {
    expect(v.noAnswer.map(line), where()).toEqual([]);
  });

  it('refuses with JSON errors ({"message"}; exactly application/json on the Engine API)', () => {
    expect(v.errorShape.map(line), where()).toEqual([]);
  });

  it(`answers /_ping within ${SHORT_RUN.pingLimitMs} ms throughout`, () => {
    const stats = result.phases.map(
      (p) =>
        `${p.name}: ${p.ping.count} pings, p50 ${p.ping.p50.toFixed(1)} ms, p99 ${p.ping.p99.toFixed(1)} ms, max ${p.ping.max.toFixed(1)} ms ` +
        `(beyond the control server: p99 ${p.ping.excessP99.toFixed(1)}, max ${p.ping.excessMax.toFixed(1)}); ${p.ping.bad.length} too slow or failed`,
    );
    console.log(`fuzz: /_ping ${stats.join('; ')}`);
    const slow = result.phases.flatMap((p) =>
      p.slowPings
        .slice(0, 5)
        .map(
          (s) =>
            `${p.name} ${new Date(s.at).toISOString()}: ${s.error ?? `${s.ms.toFixed(0)} ms`} (control ${s.controlMs.toFixed(0)} ms) during ${s.during.join('; ') || '-'}`,
        ),
    );
    expect(slow, `${stats.join('\n')}\n${where()}`).toEqual([]);
  });

  it('lets the docker CLI read everything afterwards: service ls/ps/inspect, node ls, info', () => {
    const failed = result.phases.flatMap((p) =>
      p.cli
        .filter((c) => !c.ok && !c.command.startsWith('canary'))
        .map(
          (c) =>
            `[${p.name}] ${c.command}: ${c.detail?.replace(/\n/g, ' / ')}` +
            (c.culprits ?? [])
              .map(
                (x) =>
                  `\n    ${x.object}: ${x.writes.map((w) => `${w.method} ${w.path} [${w.label.slice(0, 160)}]`).join(' then ') || 'no accepted write recorded'}`,
              )
              .join(''),
        ),
    );
    expect(failed, where()).toEqual([]);
  });

  it('still runs a new service afterwards', () => {
    const canary = result.phases.flatMap((p) => p.cli.filter((c) => c.command.startsWith('canary')));
    expect(canary.length, where()).toBeGreaterThan(0);
    expect(
      canary.filter((c) => !c.ok).map((c) => `${c.command}: ${c.detail}`),
      where(),
    ).toEqual([]);
  });
});
