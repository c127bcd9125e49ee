import { describe, expect, it } from 'vitest';
import { createFormProblem, scaleProblem } from '../console';
import { SwarmError } from '../errors';
import {
  availabilityBodySchema,
  consoleLogsQuerySchema,
  createServiceFormSchema,
  imageBodySchema,
  labelBodySchema,
  parseConsoleBody,
  restoreBodySchema,
  rotateTokenBodySchema,
  scaleBodySchema,
  swarmSettingsBodySchema,
} from './console-bodies';

const refusal = (fn: () => unknown): string => {
  try {
    fn();
  } catch (e) {
    if (e instanceof SwarmError && e.status === 400) return e.message;
    throw e;
  }
  throw new Error('accepted');
};

describe('console API bodies', () => {
  it('names an object that cannot be turned into text (fuzz: a mode with a string toString) in a 400, not a 500', () => {
    const mode = { x: 'replicated', toString: 'Infinity' };
    expect(refusal(() => parseConsoleBody(createServiceFormSchema, { name: 'fz', image: 'nginx', mode }))).toContain(
      'invalid mode {"x":"replicated","toString":"Infinity"}',
    );
    const restartCondition = { toString: 1 };
    expect(
      refusal(() =>
        parseConsoleBody(createServiceFormSchema, { name: 'fz', image: 'nginx', mode: 'replicated', restartCondition }),
      ),
    ).toContain('invalid restart condition {"toString":1}');
  });

  it.each<[string, Parameters<typeof parseConsoleBody>[0], unknown, string]>([
    ['scale', scaleBodySchema, { replicas: -1 }, 'replicas must be a non-negative integer'],
    ['scale', scaleBodySchema, { replicas: '3' }, 'replicas must be a non-negative integer'],
    ['scale', scaleBodySchema, null, 'replicas must be a non-negative integer'],
    ['image', imageBodySchema, { image: ' ' }, 'image must be a non-empty string'],
    ['restore', restoreBodySchema, { versionID: 7 }, 'versionID must be a non-empty string'],
    [
      'availability',
      availabilityBodySchema,
      { availability: 'off' },
      'invalid availability "off": active, pause or drain',
    ],
    ['label', labelBodySchema, { key: 1 }, 'expected {"key": string, "value": string}'],
    ['rotate', rotateTokenBodySchema, { role: 'admin' }, 'invalid role "admin": worker or manager'],
    [
      'settings',
      swarmSettingsBodySchema,
      { maxReplicas: 0 },
      'maxReplicas must be a whole number from 1 to 100000 (cluster label swarmdeck.max-replicas)',
    ],
    [
      'settings',
      swarmSettingsBodySchema,
      { specHistoryLimit: 501 },
      'specHistoryLimit must be a whole number from 2 to 500 (cluster label swarmdeck.spec-history-limit)',
    ],
    ['logs', consoleLogsQuerySchema, { tail: 'ten' }, 'tail must be a non-negative integer or "all"'],
    ['any', scaleBodySchema, 'x', 'expected a JSON object'],
  ])('%s refuses %j naming the field', (_what, schema, body, message) => {
    expect(refusal(() => parseConsoleBody(schema, body))).toBe(message);
  });

  it('keeps the fields it knows and drops the rest', () => {
    expect(parseConsoleBody(labelBodySchema, { key: 'zone', value: 'a', extra: 1 })).toEqual({
      key: 'zone',
      value: 'a',
    });
    expect(parseConsoleBody(swarmSettingsBodySchema, { maxReplicas: 20_000 })).toEqual({ maxReplicas: 20_000 });
  });
});

describe('the create form, checked in the browser as the server checks it', () => {
  const form = { name: 'web', image: 'nginx', mode: 'replicated' as const, replicas: 3 };

  it('passes a good form and refuses past the swarm’s replica limit, naming the field and the limit', () => {
    expect(createFormProblem(form, {})).toBeUndefined();
    expect(createFormProblem({ ...form, replicas: 1_000_000_000 }, {})).toBe(
      "rpc error: code = InvalidArgument desc = Mode.Replicated.Replicas: 1000000000 replicas is more than this swarm's limit of 10000 per service; raise the limit (up to 100000) in the console's Swarm settings, or set the cluster label swarmdeck.max-replicas=<N> with POST /swarm/update",
    );
    expect(createFormProblem({ ...form, replicas: 6 }, { 'swarmdeck.max-replicas': '5' })).toMatch(
      /limit of 5 per service/,
    );
    // a global service is one task per node: not counted
    expect(createFormProblem({ ...form, mode: 'global' }, { 'swarmdeck.max-replicas': '1' })).toBeUndefined();
  });

  it('refuses what the Engine API would: the service name, the image, the constraint syntax', () => {
    expect(createFormProblem({ ...form, name: 'web.1' }, {})).toBe(
      'rpc error: code = InvalidArgument desc = name must be valid as a DNS name component',
    );
    expect(createFormProblem({ ...form, image: 'Nginx' }, {})).toMatch(/is not a valid repository\/tag/);
    expect(createFormProblem({ ...form, constraints: ['node.role=worker'] }, {})).toMatch(/invalid constraint/);
  });

  it('checks a scale the same way', () => {
    expect(scaleProblem(10_000, undefined)).toBeUndefined();
    expect(scaleProblem(10_001, undefined)).toMatch(/Mode\.Replicated\.Replicas: 10001 replicas/);
    expect(scaleProblem(-1, undefined)).toBe('replicas must be a non-negative integer');
  });
});
