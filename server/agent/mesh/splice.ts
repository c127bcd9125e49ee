// Joins the client's connection to the upstream once a backend said `ok`: the
// bytes held so far go first, then both directions are piped with backpressure,
// half-close kept (allowHalfOpen on both), and an error on either side ends both.
import type { Duplex } from 'node:stream';

export function splice(client: Duplex, upstream: Duplex, held: Buffer, clientEnded: boolean): void {
  const destroyBoth = () => {
    client.destroy();
    upstream.destroy();
  };
  client.on('error', destroyBoth);
  upstream.on('error', destroyBoth);
  upstream.on('close', () => {
    if (!client.writableEnded) client.end();
  });
  client.on('close', () => {
    if (!upstream.destroyed) upstream.destroy();
  });
  if (held.length) upstream.write(held);
  if (clientEnded) upstream.end();
  else client.pipe(upstream);
  upstream.pipe(client);
  upstream.resume();
}
