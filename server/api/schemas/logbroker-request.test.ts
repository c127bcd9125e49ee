import { describe, expect, it } from 'vitest';
import { SwarmError } from '../errors';
import { logBrokerRequestSchema } from './logbroker-request';
import { parseWire } from './wire';

const parse = (p: unknown) => parseWire(logBrokerRequestSchema, p, 'logbroker');
const refusal = (p: unknown) => {
  try {
    parse(p);
  } catch (e) {
    if (e instanceof SwarmError) return e.message;
    throw e;
  }
  throw new Error('accepted');
};

describe('log broker requests', () => {
  it('take what nodes and managers send, with the old defaults for absent waits and cursors', () => {
    expect(parse({ logbroker: 'subscriptions', nodeID: 'n' })).toEqual({
      logbroker: 'subscriptions',
      nodeID: 'n',
      stream: null,
      version: 0,
      waitMs: 0,
    });
    const line = { taskID: 't', time: '2026-01-02T03:04:05.000000001Z', stream: 'stderr', line: 'x' };
    expect(parse({ logbroker: 'publish', nodeID: 'n', batch: { subscriptionID: 's', lines: [line] } })).toMatchObject({
      batch: { lines: [line] },
    });
    expect(parse({ logbroker: 'open', options: { tail: 10 } })).toEqual({
      logbroker: 'open',
      selector: {},
      options: { follow: false, tail: 10 },
    });
  });

  it.each<[unknown, string]>([
    [{ logbroker: 'subscriptions' }, 'logbroker: nodeID: a node ID is required'],
    [{ logbroker: 'publish', nodeID: 'n' }, 'logbroker: batch: a subscription ID and lines are required'],
    [
      {
        logbroker: 'publish',
        nodeID: 'n',
        batch: { subscriptionID: 's', lines: [{ taskID: 't', time: 'now', stream: 'stdout', line: '' }] },
      },
      'logbroker: batch.lines.0.time: expected an RFC 3339 time',
    ],
    [{ logbroker: 'open', options: { tail: -1 } }, 'logbroker: options.tail: Too small: expected number to be >=0'],
    [{ logbroker: 'poll' }, 'logbroker: session: a session ID is required'],
    [{ logbroker: 'poll', session: 's'.repeat(129) }, 'logbroker: session: a session ID is at most 128 characters'],
    [
      {
        logbroker: 'publish',
        nodeID: 'n',
        batch: {
          subscriptionID: 's',
          lines: [{ taskID: 't', time: '2026-01-01T00:00:00Z', stream: 'stdout', line: 'x'.repeat(65_537) }],
        },
      },
      'logbroker: batch.lines.0.line: Too big: expected string to have <=65536 characters',
    ],
  ])('refuses %j naming the field', (payload, desc) => {
    expect(refusal(payload)).toBe(`rpc error: code = InvalidArgument desc = ${desc}`);
  });
});
