import type { IncomingMessage } from 'node:http';
import { SwarmError } from '../../api/errors';
import { API_JSON_BOUNDS } from '../../net/bounded-json';
import { readJSONBody } from '../json-body';
import { bodyContentTypeProblem } from './front-door';

const badRequest = (message: string): SwarmError => new SwarmError('InvalidArgument', message);

/**
 * A JSON request body. An empty body is not an error (moby returns the zero
 * value); malformed JSON or another Content-Type is a 400, a body over
 * API_JSON_BOUNDS a 413 (too large) or 400 (nested too deep).
 */
export async function readJSON(req: IncomingMessage): Promise<unknown> {
  const problem = bodyContentTypeProblem(req.headers);
  if (problem) throw badRequest(problem);
  return readJSONBody(req, API_JSON_BOUNDS);
}
