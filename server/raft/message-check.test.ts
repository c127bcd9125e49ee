import { describe, expect, it } from 'vitest';
import type { Message } from './core';
import type { MemberHint } from './member-hints';
import { raftMessageProblem } from './message-check';

const env = { from: 'm1', to: 'm2', term: 3 };
const conf = { voters: ['m1', 'm2'], learners: ['m3'], removed: ['m0'] };
const VALID: Message[] = [
  {
    ...env,
    type: 'app',
    index: 4,
    logTerm: 2,
    commit: 4,
    entries: [{ index: 5, term: 3, type: 'normal', data: '{}' }],
  },
  { ...env, type: 'app-resp', index: 5, reject: false, rejectHint: 0, logTerm: 0 },
  { ...env, type: 'vote', index: 5, logTerm: 3, transfer: false },
  { ...env, type: 'pre-vote', index: 5, logTerm: 3, transfer: true },
  { ...env, type: 'vote-resp', reject: true },
  { ...env, type: 'pre-vote-resp', reject: false },
  { ...env, type: 'heartbeat', commit: 5, context: '' },
  { ...env, type: 'heartbeat-resp', context: 'm1/1' },
  { ...env, type: 'snap', meta: { index: 9, term: 3, conf }, offset: 0, chunk: 'abc', total: 3, done: true },
  { ...env, type: 'snap-resp', index: 9, offset: 3 },
  { ...env, type: 'timeout-now' },
  { ...env, type: 'read-index', context: 'm1/2' },
  { ...env, type: 'read-index-resp', context: 'm1/2', index: 7 },
];

describe('raft message check', () => {
  it('passes every message type the core sends', () => {
    for (const m of VALID) expect(raftMessageProblem(m, 'm1'), m.type).toBeUndefined();
  });

  it('drops a message whose from is not the authenticated sender, or not a node ID at all', () => {
    const vote = VALID[2]!;
    expect(raftMessageProblem(vote, 'm9')).toMatch(/not the sender m9/);
    for (const from of [undefined, null, 7, ['m1'], { id: 'm1' }, '', 'swarm-manager'])
      expect(raftMessageProblem({ ...vote, from }, 'm1')).toBe('from');
    for (const to of [undefined, 3, 'a b']) expect(raftMessageProblem({ ...vote, to }, 'm1')).toBe('to');
  });

  it('drops wrong types, negative or fractional terms and indexes, and bad entries', () => {
    const [app, appResp, vote] = VALID as [Message, Message, Message];
    const bad: [unknown, RegExp | string][] = [
      [null, 'not an object'],
      [[], 'not an object'],
      ['vote', 'not an object'],
      [{ ...vote, type: 'elect-me' }, 'unknown type'],
      [{ ...vote, type: '__proto__' }, 'unknown type'],
      [{ ...vote, term: -1 }, 'term'],
      [{ ...vote, term: 1.5 }, 'term'],
      [{ ...vote, term: '9' }, 'term'],
      [{ ...vote, term: 2 ** 60 }, 'term'],
      [{ ...vote, transfer: 'yes' }, /transfer/],
      [{ ...vote, index: -4 }, /index/],
      [{ ...appResp, reject: 0 }, /reject/],
      [{ ...app, entries: 'x' }, /entries/],
      [{ ...app, entries: [null] }, /entries\[0\]/],
      [{ ...app, entries: [{ index: 1, term: 1, type: 'normal', data: 5 }] }, /entries\[0\]\.data/],
      [{ ...app, entries: [{ index: 1, term: 1, type: 'evil', data: '' }] }, /entries\[0\]\.type/],
      [{ ...app, entries: [{ index: -1, term: 1, type: 'normal', data: '' }] }, /entries\[0\]\.index/],
      [{ ...app, commit: NaN }, /commit/],
      [{ ...VALID[8]!, meta: { index: 1, term: 1, conf: { voters: 'm1', learners: [] } } }, /meta\.conf/],
      [{ ...VALID[8]!, meta: { index: 1, term: 1, conf: { ...conf, removed: [1] } } }, /meta\.conf\.removed/],
      [{ ...VALID[8]!, chunk: 1 }, /chunk/],
      [{ ...VALID[6]!, context: 1 }, /context/],
    ];
    for (const [m, why] of bad) expect(raftMessageProblem(m, 'm1'), JSON.stringify(m)).toMatch(why);
  });

  it('passes the member hints and drops a member list that names anything but node IDs and addresses', () => {
    const query: MemberHint = { ...env, type: 'member-query' };
    const list: MemberHint = { ...env, type: 'member-list', members: { m1: '10.0.0.1:2377', m4: '10.0.0.4:2377' } };
    expect(raftMessageProblem(query, 'm1')).toBeUndefined();
    expect(raftMessageProblem(list, 'm1')).toBeUndefined();
    const many = Object.fromEntries(Array.from({ length: 1_001 }, (_, i) => [`m${i}`, `10.0.0.1:${i}`]));
    const bad: [unknown, RegExp][] = [
      [{ ...list, members: undefined }, /^member-list: members$/],
      [{ ...list, members: ['m1'] }, /^member-list: members$/],
      [{ ...list, members: { 'swarm-manager': '10.0.0.9:2377' } }, /members\.swarm-manager/],
      [{ ...list, members: { m4: 4 } }, /members\.m4/],
      [{ ...list, members: { m4: 'a b:1' } }, /members\.m4/],
      [{ ...list, members: { m4: '' } }, /members\.m4/],
      [{ ...list, members: many }, /too many/],
    ];
    for (const [m, why] of bad) expect(raftMessageProblem(m, 'm1'), JSON.stringify(m).slice(0, 80)).toMatch(why);
  });
});
