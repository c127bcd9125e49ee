import { describe, expect, it } from 'vitest';
import type { Outcome } from './http-client';
import type { FuzzRequest } from './request';
import { foldMessage, judge } from './verdict';

const req = (over: Partial<FuzzRequest> = {}): FuzzRequest => ({
  stream: 'main',
  index: 0,
  route: 'engine POST /services/create',
  port: 'engine',
  category: 'body',
  label: 'x',
  families: [],
  method: 'POST',
  path: '/v1.50/services/create',
  headers: [],
  ...over,
});
const answer = (
  status: number | undefined,
  body: unknown,
  headers: Outcome['headers'] = {},
  error?: string,
): Outcome => ({
  status,
  headers,
  body: Buffer.from(typeof body === 'string' ? body : JSON.stringify(body)),
  error,
  ms: 1,
  viaRaw: false,
});
const engineJson = { 'content-type': 'application/json', 'api-version': '1.50' };

describe('verdict', () => {
  it('fails every 5xx but the 503s dockerd documents, grouping by the folded message', () => {
    expect(
      judge(req(), answer(500, { message: "Cannot read properties of undefined (reading 'map')" }, engineJson), 10),
    ).toEqual({
      kind: '5xx',
      cause: "500 Cannot read properties of undefined (reading 'map')",
    });
    const init = req({ route: 'engine POST /swarm/init', path: '/swarm/init' });
    const already =
      'This node is already part of a swarm. Use "docker swarm leave" to leave this swarm and join another one.';
    expect(judge(init, answer(503, { message: already }, engineJson), 10)).toBeUndefined();
    expect(judge(init, answer(503, { message: 'something else' }, engineJson), 10)?.kind).toBe('5xx');
    expect(foldMessage('service abcdefghijklmnopqrstuvwxy not found at 12.5')).toBe('service <id> not found at <n>');
  });

  it('wants an answer: a hang fails, a reset fails unless the request was malformed or oversized', () => {
    expect(judge(req(), answer(undefined, '', {}, 'timeout'), 10)?.kind).toBe('no-answer');
    expect(judge(req(), answer(undefined, '', {}, 'ECONNRESET'), 10)?.kind).toBe('dropped');
    expect(judge(req({ raw: { head: 'GET / HTTP/1.1' } }), answer(undefined, '', {}, 'closed'), 10)).toBeUndefined();
    expect(judge(req(), answer(undefined, '', {}, 'EPIPE'), 40 * 1024 * 1024)).toBeUndefined();
    // a GET on a live polling session is engine.io's long poll; without a session it must answer
    const poll = (path: string) =>
      req({ port: 'console', socket: 'post', method: 'GET', route: 'console socket.io post', path });
    const timedOut = answer(undefined, '', {}, 'timeout');
    expect(judge(poll('/socket.io/?EIO=4&transport=polling&sid=abc&t=1'), timedOut, 2)).toBeUndefined();
    expect(judge(poll('/socket.io/?EIO=4&transport=polling&t=1'), timedOut, 2)?.kind).toBe('no-answer');
    expect(judge({ ...poll('/socket.io/?EIO=4&transport=polling&sid=abc'), method: 'PUT' }, timedOut, 2)?.kind).toBe(
      'no-answer',
    );
  });

  it("wants Engine API errors as Docker's: exactly application/json with a message", () => {
    expect(judge(req(), answer(400, { message: 'bad' }, engineJson), 10)).toBeUndefined();
    expect(
      judge(
        req(),
        answer(400, { message: 'bad' }, { ...engineJson, 'content-type': 'application/json; charset=utf-8' }),
        10,
      )?.kind,
    ).toBe('error-shape');
    expect(
      judge(req(), answer(404, 'page not found', { 'api-version': '1.50', 'content-type': 'text/plain' }), 10)?.kind,
    ).toBe('error-shape');
    // node's own parser refusing a request, before the Engine API saw it
    expect(judge(req(), answer(431, ''), 10)).toBeUndefined();
    expect(judge(req({ method: 'HEAD' }), answer(404, '', engineJson), 10)).toBeUndefined();
  });

  it('wants 2xx JSON to parse', () => {
    expect(judge(req({ method: 'GET' }), answer(200, '[{"ID":', { 'content-type': 'application/json' }), 0)?.kind).toBe(
      'bad-json',
    );
    expect(judge(req({ method: 'GET' }), answer(200, '[]', { 'content-type': 'application/json' }), 0)).toBeUndefined();
  });
});
