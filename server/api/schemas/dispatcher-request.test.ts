import { describe, expect, it } from 'vitest';
import { SwarmError } from '../errors';
import { dispatcherRequestSchema } from './dispatcher-request';
import { boundTaskStatus } from './task-status';
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

  it('bounds what a node may send: descriptions, statuses, IDs', () => {
    const long = (n: number) => 'x'.repeat(n);
    const register = (d: object) => ({
      dispatcher: 'register',
      req: { nodeID: 'n1', description: { ...description, ...d } },
    });
    const engine = (e: object) => register({ Engine: { ...description.Engine, ...e } });
    const labels = Object.fromEntries(Array.from({ length: 257 }, (_, i) => [`l${i}`, 'v']));
    expect(refusal(engine({ Labels: labels }))[1]).toMatch(/Engine\.Labels: at most 256 labels/);
    expect(refusal(engine({ Labels: { a: long(5000) } }))[1]).toMatch(/Engine\.Labels\.a: Too big/);
    expect(refusal(engine({ Plugins: Array.from({ length: 257 }, () => ({ Type: 'Volume', Name: 'x' })) }))[1]).toMatch(
      /Engine\.Plugins: Too big/,
    );
    const tls = { TrustRoot: long(70_000), CertIssuerSubject: '', CertIssuerPublicKey: '' };
    expect(refusal(register({ TLSInfo: tls }))[1]).toMatch(/TLSInfo\.TrustRoot: Too big/);
    const update = (st: object) => ({
      dispatcher: 'updateTaskStatus',
      sessionID: 's',
      updates: [{ taskID: 't', status: { ...status, ...st } }],
    });
    expect(refusal(update({ Message: long(4097) }))[1]).toMatch(/updates\.0\.status\.Message: Too big/);
    expect(refusal(update({ Err: long(8193) }))[1]).toMatch(/updates\.0\.status\.Err: Too big/);
    expect(refusal(update({ PortStatus: { Ports: Array.from({ length: 1025 }, () => ({})) } }))[1]).toMatch(
      /PortStatus\.Ports: Too big/,
    );
    expect(refusal({ dispatcher: 'heartbeat', sessionID: long(129) })[1]).toMatch(
      /sessionID: a session ID is at most 128/,
    );
    // what the agent reports is cut to fit, so it is never refused
    const cut = boundTaskStatus({ ...status, State: 'failed', Message: long(10_000), Err: long(10_000) });
    expect([cut.Message.length, cut.Err?.length]).toEqual([4096, 8192]);
    expect(parse(update(cut))).toMatchObject({ dispatcher: 'updateTaskStatus' });
    expect(boundTaskStatus(status as never)).toBe(status);
  });
});
