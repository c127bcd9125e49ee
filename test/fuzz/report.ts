// The run's report: failures grouped by cause (phase, kind, route, folded
// message), each group with its examples saved as replayable files; crashes
// with the request that did it; slow pings with what was in flight; the CLI
// reads with the objects that break them; route coverage. report.md is for
// people, report.json and failures/*.json for tools (--replay).

import { mkdirSync, writeFileSync } from 'node:fs';
import { join, relative } from 'node:path';
import { REPO_ROOT } from '../integration/harness';
import { describe } from './json-tree';
import { failureToFile, type Failure, type SentRecord } from './records';
import type { FuzzRequest } from './request';
import type { FuzzResult, PhaseSummary } from './runner';

export interface Group {
  key: string;
  phase: string;
  kind: Failure['kind'];
  route: string;
  cause: string;
  count: number;
  /** Distinct mutations that led here (first few). */
  labels: string[];
  examples: Failure[];
  files: string[];
  minimised?: unknown;
  minimisedNote?: string;
}

export function groupFailures(failures: readonly Failure[]): Group[] {
  const groups = new Map<string, Group>();
  for (const f of failures) {
    let g = groups.get(f.group);
    if (!g) {
      const [phase, kind, route, ...cause] = f.group.split(' | ');
      g = {
        key: f.group,
        phase: phase!,
        kind: kind as Failure['kind'],
        route: route!,
        cause: cause.join(' | '),
        count: 0,
        labels: [],
        examples: [],
        files: [],
      };
      groups.set(f.group, g);
    }
    g.count++;
    if (g.labels.length < 8 && !g.labels.includes(f.request.label)) g.labels.push(f.request.label);
    if (g.examples.length < 3) g.examples.push(f);
  }
  return [...groups.values()].sort((a, b) => kindRank(a.kind) - kindRank(b.kind) || b.count - a.count);
}

function kindRank(k: Failure['kind']): number {
  return ['crash', '5xx', 'no-answer', 'dropped', 'error-shape', 'bad-json'].indexOf(k);
}

export function curlOf(s: SentRecord): string {
  if (s.rawHead !== undefined)
    return `printf '%s\\r\\n\\r\\n' ${JSON.stringify(s.rawHead.replace(/\r\n/g, '\\r\\n'))} | nc 127.0.0.1 ${s.port}`;
  const parts = [`curl -sS -X ${s.method}`];
  for (const [k, v] of s.headers)
    parts.push(`-H ${JSON.stringify(`${k}: ${v.length > 200 ? v.slice(0, 200) + '…' : v}`)}`);
  if (s.body !== undefined)
    parts.push(
      s.body.length > 1_500
        ? `--data-binary @body.json  # ${s.bodyBytes} bytes, in the failure file`
        : `--data-binary ${JSON.stringify(s.body)}`,
    );
  else if (s.bodyBytes) parts.push(`--data-binary @body  # ${s.bodyBytes} bytes, see the failure file`);
  parts.push(
    `--path-as-is ${JSON.stringify(`http://127.0.0.1:${s.port}${s.target.length > 300 ? s.target.slice(0, 300) + '…' : s.target}`)}`,
  );
  return parts.join(' ');
}

function requestLine(r: FuzzRequest): string {
  const what = r.category === 'valid' ? 'valid' : `${r.category}: ${r.label.slice(0, 300)}`;
  return `${r.method} ${r.path.length > 200 ? r.path.slice(0, 200) + '…' : r.path}  [${what}] (stream ${r.stream}, index ${r.index})`;
}

export interface Verdicts {
  generated: number;
  fiveXX: Group[];
  crashes: FuzzResult['crashes'];
  noAnswer: Group[];
  errorShape: Group[];
  slowPing: PhaseSummary[];
  cliFailed: { phase: string; command: string; detail?: string }[];
  uncovered: string[];
}

export function verdicts(
  result: FuzzResult,
  groups = groupFailures(result.failures),
  catalogue: readonly string[] = [],
): Verdicts {
  const sentRoutes = new Set(result.phases.flatMap((p) => Object.keys(p.routes)));
  return {
    generated: result.phases.reduce((n, p) => n + p.sent + p.skipped.length, 0),
    fiveXX: groups.filter((g) => g.kind === '5xx'),
    crashes: result.crashes,
    noAnswer: groups.filter((g) => g.kind === 'no-answer' || g.kind === 'dropped'),
    errorShape: groups.filter((g) => g.kind === 'error-shape' || g.kind === 'bad-json'),
    slowPing: result.phases.filter((p) => p.ping.bad.length > 0),
    cliFailed: result.phases.flatMap((p) =>
      p.cli.filter((c) => !c.ok).map((c) => ({ phase: p.name, command: c.command, detail: c.detail })),
    ),
    uncovered: catalogue.filter((id) => !sentRoutes.has(id)),
  };
}

const ms = (n: number) => `${n.toFixed(1)} ms`;

export function writeReport(result: FuzzResult): Group[] {
  const dir = result.outDir;
  const failDir = join(dir, 'failures');
  mkdirSync(failDir, { recursive: true });
  const groups = groupFailures(result.failures);
  const rel = (p: string) => relative(REPO_ROOT, p);
  const save = (f: Failure, extra: Record<string, unknown> = {}) => {
    const file = join(failDir, `${f.id}.json`);
    writeFileSync(
      file,
      JSON.stringify(
        { ...(failureToFile(f) as object), ...extra, replay: `npm run fuzz -- --replay ${rel(file)}` },
        null,
        2,
      ),
    );
    return rel(file);
  };
  for (const g of groups) {
    const m = result.minimised.find((x) => g.examples.some((e) => e.id === x.failure));
    if (m) {
      g.minimised = describe(m.body);
      g.minimisedNote = `${m.note}; ${m.attempts} attempts`;
    }
    g.files = g.examples.map((f) => save(f, g.minimised ? { minimisedBody: g.minimised } : {}));
  }
  const v = verdicts(result, groups);
  const L: string[] = [];
  const ok = (b: boolean) => (b ? 'ok' : '**FAIL**');
  L.push(`# Fuzz run, seed ${result.seed}`, '');
  L.push(
    `Started ${new Date(result.startedAt).toISOString()}, took ${(result.durationMs / 1000).toFixed(0)} s. Replay the run: \`FUZZ_SEED=${result.seed} npm run fuzz\`; one failure: \`npm run fuzz -- --replay <failure file>\`.`,
    '',
  );
  L.push('## Verdict', '', '| check | result |', '| --- | --- |');
  L.push(
    `| generated requests | ${v.generated} (${result.phases.map((p) => `${p.name}: ${p.sent} sent in ${(p.sendMs / 1000).toFixed(0)} s, ${p.skipped.length} skipped, ${p.support} support`).join('; ')}) |`,
  );
  L.push(
    `| no 5xx | ${ok(v.fiveXX.length === 0)}: ${v.fiveXX.reduce((n, g) => n + g.count, 0)} responses in ${v.fiveXX.length} groups |`,
  );
  L.push(`| the manager stays alive | ${ok(v.crashes.length === 0)}: ${v.crashes.length} crashes |`);
  L.push(
    `| every request answered | ${ok(v.noAnswer.length === 0)}: ${v.noAnswer.reduce((n, g) => n + g.count, 0)} in ${v.noAnswer.length} groups |`,
  );
  L.push(
    `| errors are JSON {"message"} (Engine API: Content-Type exactly application/json) | ${ok(v.errorShape.length === 0)}: ${v.errorShape.reduce((n, g) => n + g.count, 0)} in ${v.errorShape.length} groups |`,
  );
  for (const p of result.phases)
    L.push(
      `| /_ping within ${result.options.pingLimitMs} ms (${p.name}) | ${ok(p.ping.bad.length === 0)}: ${p.ping.count} pings, p50 ${ms(p.ping.p50)}, p99 ${ms(p.ping.p99)}, max ${ms(p.ping.max)}; beyond the control server: p99 ${ms(p.ping.excessP99)}, max ${ms(p.ping.excessMax)}; ${p.ping.bad.length} over the limit, ${p.ping.busy} slow with the control as slow (machine busy) |`,
    );
  for (const p of result.phases) for (const c of p.cli) L.push(`| ${c.command} (${p.name}) | ${ok(c.ok)} |`);
  L.push('');
  if (result.crashes.length) {
    L.push('## Crashes', '');
    for (const c of result.crashes) {
      L.push(`### Crash ${c.id} (${c.phase}): ${c.exit}`, '');
      L.push(`- signature: \`${c.signature || '(none)'}\``);
      if (c.restart) L.push(`- restart on the same data dir: ${c.restart.split('\n')[0]}`);
      L.push(
        `- culprit: ${c.culprit ? '`' + requestLine(c.culprit) + '`' : 'not pinned'} (${c.pinNote}; ${c.trials} trial managers)`,
      );
      if (c.suspects.length) L.push(`- likeliest suspects: ${c.suspects.map((x) => '`' + x + '`').join(', ')}`);
      if (c.inFlight.length)
        L.push(
          `- in flight: ${c.inFlight
            .slice(0, 5)
            .map((x) => '`' + x.slice(0, 200) + '`')
            .join(', ')}`,
        );
      L.push('', '```', c.output.slice(-1_500), '```', '');
    }
  }
  L.push('## Failures by cause', '');
  if (groups.length === 0) L.push('None.', '');
  for (const g of groups.filter((x) => x.kind !== 'crash')) {
    L.push(`### ${g.kind}: ${g.route}: ${g.cause} (${g.phase}, ${g.count}×)`, '');
    const e = g.examples[0]!;
    L.push(`- what: ${g.labels.map((l) => '`' + l.slice(0, 160) + '`').join(', ')}`);
    if (e.sent) L.push('- request:', '', '  ```', `  ${curlOf(e.sent)}`, '  ```');
    if (e.answer)
      L.push(
        `- answer: ${e.answer.status ?? e.answer.error} ${e.answer.contentType ?? ''} \`${e.answer.body.slice(0, 300).replace(/`/g, "'")}\``,
      );
    if (g.minimised !== undefined)
      L.push(`- minimised body: \`${JSON.stringify(g.minimised).slice(0, 600)}\` (${g.minimisedNote})`);
    L.push(`- files: ${g.files.join(', ')}`, '');
  }
  const slow = result.phases.flatMap((p) => p.slowPings.map((s) => ({ phase: p.name, ...s })));
  if (slow.length) {
    L.push('## Slow or failed pings (beyond the control server)', '');
    for (const s of slow.slice(0, 40))
      L.push(
        `- ${new Date(s.at).toISOString()} (${s.phase}): ${s.error ?? ms(s.ms)} (control ${ms(s.controlMs)}); in flight: ${s.during.map((d) => '`' + d + '`').join('; ') || 'nothing of ours'}`,
      );
    L.push('');
  }
  const broken = result.phases.flatMap((p) => p.acceptedBroken.map((a) => ({ phase: p.name, ...a })));
  if (broken.length) {
    L.push(`## Mutated bodies the API accepted (${broken.length})`, '');
    L.push(
      'Writes answered 2xx although a field was given another type, an odd value or went missing. Some odd values are legal; the rest is what a store holds afterwards (and what the CLI reads below trip on).',
      '',
    );
    const byRoute = new Map<string, typeof broken>();
    for (const b of broken) byRoute.set(b.request.route, [...(byRoute.get(b.request.route) ?? []), b]);
    for (const [route, list] of [...byRoute].sort((a, b) => b[1].length - a[1].length)) {
      L.push(`- ${route}: ${list.length}, e.g.`);
      for (const b of list.slice(0, 6))
        L.push(`  - \`${b.request.label.slice(0, 200)}\` → ${b.status} (${b.phase}, index ${b.request.index})`);
    }
    L.push('');
  }
  L.push('## docker CLI afterwards', '');
  for (const p of result.phases)
    for (const c of p.cli) {
      L.push(
        `- ${c.ok ? 'ok' : '**FAIL**'} \`${c.command}\` (${p.name}${p.restartedAfterCrash ? ', a manager restarted after a crash, so only the state since then' : ''})${c.detail ? `: ${c.detail.replace(/\n/g, ' / ').slice(0, 400)}` : ''}`,
      );
      for (const x of c.culprits ?? []) {
        L.push(`  - ${x.object}${x.error ? `: ${x.error.replace(/\n/g, ' / ').slice(0, 300)}` : ''}`);
        for (const w of x.writes) L.push(`    - accepted: \`${requestLine(w)}\``);
      }
    }
  L.push('', '## Coverage', '', '| route | sent | answers |', '| --- | --- | --- |');
  const routes = new Map<string, Record<string, number>>();
  for (const p of result.phases)
    for (const [id, s] of Object.entries(p.routes)) {
      const m = routes.get(id) ?? {};
      for (const [k, n] of Object.entries(s.statuses)) m[k] = (m[k] ?? 0) + n;
      routes.set(id, m);
    }
  for (const [id, m] of [...routes].sort())
    L.push(
      `| ${id} | ${Object.values(m).reduce((a, b) => a + b, 0)} | ${Object.entries(m)
        .map(([k, n]) => `${k}: ${n}`)
        .join(', ')} |`,
    );
  writeFileSync(join(dir, 'report.md'), L.join('\n') + '\n');
  writeFileSync(
    join(dir, 'report.json'),
    JSON.stringify(
      {
        seed: result.seed,
        options: result.options,
        durationMs: result.durationMs,
        phases: result.phases,
        crashes: result.crashes,
        groups: groups.map(({ examples, ...g }) => ({ ...g, example: examples[0] && failureToFile(examples[0]) })),
      },
      null,
      2,
    ),
  );
  return groups;
}
