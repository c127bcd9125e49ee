// `npm run fuzz`: the fuzz suite from the command line.
//
//   npm run fuzz                          the CI-sized run (10,500 requests), a random seed
//   FUZZ_SEED=123 npm run fuzz            the same run again, request for request
//   npm run fuzz -- --long                4 seeds × 52,500 requests (210,000), a report per seed
//   npm run fuzz -- --seeds 3 --requests 50000 --concurrency 12
//   npm run fuzz -- --replay .tmp/fuzz/<run>/failures/17.json [--minimised]
//   npm run fuzz -- --show 123 main 4711  print request 4711 of stream main under seed 123
//   npm run fuzz -- --capture             re-capture test/fuzz/corpus/cli-bodies.json from the docker CLI
//   npm run fuzz -- --only valid          a diagnosis: only the plan's valid requests (or any categories, comma-separated)
//
// Exit status 1 when any check failed. Reports: .tmp/fuzz/<time>-seed-<n>/report.md

import { spawnSync } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { dockerBinary, dockerCli, tempDir } from '../integration/harness';
import { captureCorpus } from './capture';
import { CORPUS_FILE } from './corpus';
import { generate, STREAMS, type StreamName } from './generator';
import { describe } from './json-tree';
import { replayFile } from './replay';
import type { Category } from './request';
import { LONG_RUN, randomSeed, runFuzz, SHORT_RUN, type FuzzOptions } from './runner';
import { CATALOGUE } from './routes';
import { verdicts } from './report';
import { startTarget } from './target';

function flag(name: string): boolean {
  return process.argv.includes(name);
}
function option(name: string): string | undefined {
  const i = process.argv.indexOf(name);
  return i >= 0 ? process.argv[i + 1] : undefined;
}

async function capture(): Promise<void> {
  const t = await startTarget({ console: false, heapMb: 512 });
  const cfg = tempDir('swarmdeck-fuzz-capture-');
  try {
    const corpus = await captureCorpus(
      t.ports.engine,
      (port) => dockerCli(port, cfg.path, dockerBinary()),
      'sim-worker-1',
    );
    const file = fileURLToPath(CORPUS_FILE);
    writeFileSync(file, JSON.stringify(corpus, null, 2) + '\n');
    spawnSync('npx', ['--no-install', 'prettier', '--write', file], { stdio: 'inherit' });
    console.log(`wrote ${file}`);
  } finally {
    await t.dispose();
    cfg.remove();
  }
}

async function main(): Promise<number> {
  const heapMb = Number(option('--heap') ?? SHORT_RUN.heapMb);
  if (flag('--capture')) {
    await capture();
    return 0;
  }
  const replay = option('--replay');
  if (replay) {
    const r = await replayFile(replay, { heapMb, minimised: flag('--minimised') });
    console.log(r.text);
    return r.reproduced ? 1 : 0;
  }
  const show = option('--show');
  if (show) {
    const i = process.argv.indexOf('--show');
    const [seed, stream, index] = [
      Number(process.argv[i + 1]),
      process.argv[i + 2] as StreamName,
      Number(process.argv[i + 3]),
    ];
    if (!(stream in STREAMS)) throw new Error(`stream must be one of ${Object.keys(STREAMS).join(', ')}`);
    const r = generate(seed, stream, index);
    console.log(
      JSON.stringify({ ...r, body: r.body && 'json' in r.body ? { json: describe(r.body.json) } : r.body }, null, 2),
    );
    return 0;
  }
  const base = flag('--long') ? LONG_RUN : SHORT_RUN;
  const seeds = Number(option('--seeds') ?? (flag('--long') ? 4 : 1));
  const total = option('--requests');
  const perSeed = total ? Number(total) : undefined;
  const first = Number(option('--seed') ?? process.env.FUZZ_SEED ?? randomSeed());
  let failed = false;
  for (let s = 0; s < seeds; s++) {
    const seed = s === 0 ? first : randomSeed();
    const opts: FuzzOptions = {
      ...base,
      ...(perSeed ? { mainRequests: Math.round(perSeed * 0.8), engineRequests: Math.round(perSeed * 0.2) } : {}),
      ...(flag('--long') && !perSeed
        ? {
            mainRequests: Math.round(base.mainRequests / seeds),
            engineRequests: Math.round(base.engineRequests / seeds),
          }
        : {}),
      concurrency: Number(option('--concurrency') ?? base.concurrency),
      heapMb,
      minimise: !flag('--no-minimise'),
      only: option('--only')?.split(',') as Category[] | undefined,
      seed,
      log: (l) => console.log(l),
    };
    const result = await runFuzz(opts);
    const v = verdicts(
      result,
      undefined,
      CATALOGUE.map((r) => r.id),
    );
    const bad =
      v.fiveXX.length +
      v.crashes.length +
      v.noAnswer.length +
      v.errorShape.length +
      v.slowPing.length +
      v.cliFailed.length +
      v.uncovered.length;
    console.log(
      `fuzz: seed ${seed}: ${v.generated} requests in ${(result.durationMs / 1000).toFixed(0)} s; ` +
        `5xx groups ${v.fiveXX.length}, crashes ${v.crashes.length}, unanswered groups ${v.noAnswer.length}, ` +
        `error-shape groups ${v.errorShape.length}, slow-ping phases ${v.slowPing.length}, CLI failures ${v.cliFailed.length}; ` +
        `report: ${result.outDir}/report.md`,
    );
    failed ||= bad > 0;
  }
  return failed ? 1 : 0;
}

main().then(
  (code) => process.exit(code),
  (err: unknown) => {
    console.error(err);
    process.exit(2);
  },
);
