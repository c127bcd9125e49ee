// The fuzzer's valid bodies are the docker CLI's own: capture them again
// from the real CLI and compare with test/fuzz/corpus/cli-bodies.json
// (`npm run fuzz -- --capture` rewrites it when the CLI or the server moved).

import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { dockerBinary, dockerCli, tempDir } from '../integration/harness';
import { captureCorpus, type Corpus } from './capture';
import { CLI_BODIES } from './corpus';
import { pathText, paths, type Json } from './json-tree';
import { startTarget, type Target } from './target';

if (!dockerBinary()) throw new Error('the docker CLI is required for the fuzz corpus test (.ci/run installs it)');

/** Field paths and their JSON types: the shape of a body, whatever its values. */
const shape = (v: unknown) =>
  paths(v as Json)
    .map((p) => `${pathText(p)}`)
    .sort();

describe('fuzz corpus', () => {
  let t: Target;
  let captured: Corpus;
  const config = tempDir('swarmdeck-fuzz-corpus-');

  beforeAll(async () => {
    t = await startTarget({ console: false, heapMb: 512 });
    captured = await captureCorpus(t.ports.engine, (port) => dockerCli(port, config.path), 'sim-worker-1');
  }, 120_000);
  afterAll(async () => {
    await t?.dispose();
    config.remove();
  });

  it('holds exactly the service specs docker service create sends', () => {
    expect(captured.serviceSpecs).toEqual(CLI_BODIES.serviceSpecs);
  });

  it('holds node, swarm, init and join bodies of the shape the CLI sends', () => {
    for (const k of ['nodeSpec', 'swarmSpec', 'swarmInit', 'swarmJoin'] as const)
      expect(shape(captured[k]), k).toEqual(shape(CLI_BODIES[k]));
  });
});
