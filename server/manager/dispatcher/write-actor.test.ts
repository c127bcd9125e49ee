import { describe, expect, it } from 'vitest';
import { writeBackAuditor } from './write-actor';

describe('dispatcher write-back actor', () => {
  it("is the agent when the write holds one node's reports only", () => {
    expect(writeBackAuditor([['n1', { byAgent: true }]], ['n1', 'n1'])).toEqual({
      actor: { kind: 'agent', nodeID: 'n1' },
    });
    expect(writeBackAuditor([], ['n2'])).toEqual({ actor: { kind: 'agent', nodeID: 'n2' } });
  });

  it("is the dispatcher for several nodes' reports or its own verdicts", () => {
    expect(writeBackAuditor([], ['n1', 'n2'])).toEqual({
      actor: { kind: 'control-loop', name: 'dispatcher' },
      action: 'reports of 2 nodes',
    });
    // a node marked down for missed heartbeats is not that node's doing
    expect(writeBackAuditor([['n1', {}]], [])).toEqual({ actor: { kind: 'control-loop', name: 'dispatcher' } });
    expect(writeBackAuditor([['n1', {}]], ['n1']).actor).toEqual({ kind: 'control-loop', name: 'dispatcher' });
  });
});
