import type { IncomingMessage } from 'node:http';
import { SwarmError } from '../../api/errors';

const MAX_BODY = 32 * 1024 * 1024;

const badRequest = (message: string): SwarmError => new SwarmError('InvalidArgument', message);

/**
 * A JSON request body. An empty body is not an error (moby returns the zero
 * value); malformed JSON or another Content-Type is a 400.
 */
export async function readJSON(req: IncomingMessage): Promise<unknown> {
  const ct = req.headers['content-type'];
  if (ct && !/^application\/json\b/i.test(ct.split(';')[0]!.trim()))
    throw badRequest(`unsupported Content-Type header (${ct}): must be 'application/json'`);
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of req) {
    size += (chunk as Buffer).length;
    if (size > MAX_BODY) throw badRequest('request body too large');
    chunks.push(chunk as Buffer);
  }
  const text = Buffer.concat(chunks).toString('utf8');
  if (text.trim() === '') return undefined;
  try {
    return JSON.parse(text);
  } catch (err) {
    throw badRequest(`invalid JSON: ${(err as Error).message}`);
  }
}
