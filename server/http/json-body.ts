// Reading a JSON request body within bounds: the declared length is checked
// before a byte is read, the received length while reading (a chunked body
// has none declared), and the nesting before JSON.parse (see bounded-json.ts).

import type { IncomingMessage } from 'node:http';
import { JsonBoundsError, parseBoundedJSON, type JsonBounds } from '../net/bounded-json';
import { HttpError } from './http-error';

const tooLarge = (limit: number) => new HttpError(413, `request body too large: the limit is ${limit} bytes`);

/** The body's bytes; 413 as soon as it is known to be over `maxBytes` (the rest is not buffered). */
export async function readBoundedBody(req: IncomingMessage, maxBytes: number): Promise<Buffer> {
  const declared = Number(req.headers['content-length'] ?? NaN);
  if (declared > maxBytes) {
    req.resume();
    throw tooLarge(maxBytes);
  }
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of req as AsyncIterable<Buffer>) {
    size += chunk.length;
    if (size > maxBytes) {
      req.resume();
      throw tooLarge(maxBytes);
    }
    chunks.push(chunk);
  }
  return Buffer.concat(chunks, size);
}

/** A JSON body within `bounds`: undefined when empty, else the value; HttpError 400/413 otherwise. */
export async function readJSONBody(req: IncomingMessage, bounds: JsonBounds): Promise<unknown> {
  const text = await readBoundedBody(req, bounds.maxBytes);
  try {
    return parseBoundedJSON(text, bounds);
  } catch (err) {
    if (err instanceof JsonBoundsError) throw new HttpError(err.status, err.message);
    throw err;
  }
}
