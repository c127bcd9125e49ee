import { describe, expect, it } from 'vitest';
import { agentJoinRequestSchema, managerJoinRequestSchema } from './join-request';
import { parseWire } from './wire';

const description = {
  Hostname: 'edge-1',
  Platform: { Architecture: 'x86_64', OS: 'linux' },
  Resources: { NanoCPUs: 2e9, MemoryBytes: 2 ** 30 },
  Engine: { EngineVersion: 'swarmdeck-0.1.0', Labels: { zone: 'a' } },
};
const join = { token: 'SWMTKN-1-x-y', addr: '127.0.0.1', description, csr: '-----BEGIN CERTIFICATE REQUEST-----' };

describe('join requests', () => {
  it('admits what a joining agent or manager sends', () => {
    expect(parseWire(agentJoinRequestSchema, { agentJoin: join }, 'agent join').agentJoin).toEqual(join);
    const passedOn = { join: { ...join, addr: '127.0.0.1:2377', raftId: 'abc123' } };
    expect(parseWire(managerJoinRequestSchema, passedOn, 'join')).toEqual(passedOn);
  });

  it('refuses a description the CLI could not render, naming the field', () => {
    const bad = (d: unknown) => () =>
      parseWire(agentJoinRequestSchema, { agentJoin: { ...join, description: d } }, 'agent join');
    expect(bad({ ...description, Hostname: 5 })).toThrow(
      /^rpc error: code = InvalidArgument desc = agent join: agentJoin\.description\.Hostname: /,
    );
    expect(bad({ ...description, Resources: { NanoCPUs: -1, MemoryBytes: 1 } })).toThrow(
      /description\.Resources\.NanoCPUs/,
    );
    expect(bad({ ...description, Engine: { EngineVersion: 'x', Labels: { a: 1 } } })).toThrow(/Engine\.Labels\.a/);
    expect(bad('linux')).toThrow(/agentJoin\.description: /);
  });

  it('bounds what a token holder can make the leader hold or sign', () => {
    const p = (j: Record<string, unknown>) => () =>
      parseWire(agentJoinRequestSchema, { agentJoin: { ...join, ...j } }, 'agent join');
    expect(p({ csr: 'x'.repeat(16 * 1024 + 1) })).toThrow(/agentJoin\.csr: /);
    expect(p({ token: 't'.repeat(257) })).toThrow(/agentJoin\.token: /);
    expect(p({ addr: 'a b' })).toThrow(/agentJoin\.addr: must be a host or host:port/);
    expect(p({ nodeID: 'x'.repeat(65) })).toThrow(/agentJoin\.nodeID: /);
  });
});
