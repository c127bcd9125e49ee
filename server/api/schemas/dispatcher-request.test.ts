import { describe, expect, it } from 'vitest';
import { SwarmError } from '../errors';
import { dispatcherRequestSchema } from './dispatcher-request';
import { parseWire } from './wire';

const parse = (p: unknown) => parseWire(dispatcherRequestSchema, p, 'dispatcher');
const refusal = (p: unknown) => {
  try {
    parse(p);
  } catch (e) {
    if (e instanceof SwarmError) return [e.status, e.message];
    throw e;
  }
  throw new Error('accepted');
};
const description = {
  Hostname: 'edge-1',
  Platform: { Architecture: 'x86_64', OS: 'linux' },
  Resources: { NanoCPUs: 4e9, MemoryBytes: 8 << 30 },
  Engine: { EngineVersion: '28.2.2', Labels: { zone: 'a' } },
};
const status = { Timestamp: '2026-01-02T03:04:05.678Z', State: 'running', Message: 'started' };

describe('dispatcher session requests', () => {
  it('take what an agent sends', () => {
    expect(parse({ dispatcher: 'register', req: { nodeID: 'n1', description } })).toEqual({
      dispatcher: 'register',
      req: { nodeID: 'n1', description, addr: '' },
    });
    expect(parse({ dispatcher: 'updateTaskStatus', sessionID: 's', updates: [{ taskID: 't', status }] })).toMatchObject(
      {
        updates: [{ status }],
      },
    );
    expect(parse({ dispatcher: 'assignments', sessionID: 's', cursor: null })).toEqual({
      dispatcher: 'assignments',
      sessionID: 's',
      cursor: null,
      waitMs: 0,
    });
  });

  it.each<[unknown, string]>([
    [{ dispatcher: 'heartbeat' }, 'dispatcher: sessionID: a session ID is required'],
    [
      { dispatcher: 'assignments', sessionID: 's', cursor: null, waitMs: 'soon' },
      'dispatcher: waitMs: Invalid input: expected number, received string',
    ],
    [{ dispatcher: 'register', req: { description } }, 'dispatcher: req.nodeID: a node ID is required'],
    [
      { dispatcher: 'register', req: { nodeID: 'n1', description: { ...description, Hostname: 7 } } },
      'dispatcher: req.description.Hostname: Invalid input: expected string, received number',
    ],
    [
      {
        dispatcher: 'register',
        req: { nodeID: 'n1', description: { ...description, Resources: { NanoCPUs: -1, MemoryBytes: 0 } } },
      },
      'dispatcher: req.description.Resources.NanoCPUs: Too small: expected number to be >=0',
    ],
    [{ dispatcher: 'updateTaskStatus', sessionID: 's', updates: {} }, 'dispatcher: updates: updates must be a list'],
    [
      {
        dispatcher: 'updateTaskStatus',
        sessionID: 's',
        updates: [{ taskID: 't', status: { ...status, State: 'exploded' } }],
      },
      'dispatcher: updates.0.status.State: Invalid option: expected one of "new"|"pending"|"assigned"|"accepted"|"preparing"|"ready"|"starting"|"running"|"complete"|"shutdown"|"failed"|"rejected"|"remove"|"orphaned"',
    ],
    [
      {
        dispatcher: 'updateTaskStatus',
        sessionID: 's',
        updates: [{ taskID: 't', status: { ...status, Timestamp: 'yesterday' } }],
      },
      'dispatcher: updates.0.status.Timestamp: expected an RFC 3339 time',
    ],
  ])('refuses %j naming the field', (payload, desc) => {
    expect(refusal(payload)).toEqual([400, `rpc error: code = InvalidArgument desc = ${desc}`]);
  });
});
