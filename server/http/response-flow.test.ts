import { createServer, type ServerResponse } from 'node:http';
import { connect, type AddressInfo, type Socket } from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import { ResponseFlow } from './response-flow';

const cleanups: (() => void)[] = [];
afterEach(() => {
  while (cleanups.length) cleanups.pop()!();
});

/** A real server and a raw client that reads the head and then stops reading. */
async function pausedReader(): Promise<{ res: ServerResponse; client: Socket; received(): number }> {
  let resolveRes!: (r: ServerResponse) => void;
  const gotRes = new Promise<ServerResponse>((r) => (resolveRes = r));
  const server = createServer((_req, res) => resolveRes(res));
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  const client = connect({ host: '127.0.0.1', port: (server.address() as AddressInfo).port });
  let received = 0;
  client.on('data', (c: Buffer) => (received += c.length));
  client.on('error', () => {});
  client.write('GET /logs HTTP/1.1\r\nHost: x\r\n\r\n');
  const res = await gotRes;
  client.pause();
  cleanups.push(() => {
    client.destroy();
    server.closeAllConnections();
    server.close();
  });
  return { res, client, received: () => received };
}

const chunk = Buffer.alloc(64 * 1024, 'x');

describe('ResponseFlow', () => {
  it('keeps what comes before the head, and says behind past the soft mark until the reader took it all', async () => {
    const { res, client, received } = await pausedReader();
    const flow = new ResponseFlow(res, { softBytes: 256 * 1024, hardBytes: 64 * 1024 * 1024 });
    expect(flow.write('early\n')).toBe(true);
    expect(flow.ready()).toBeUndefined();
    res.writeHead(200);
    flow.headSent();
    // the kernel takes a few MiB first; then the response holds what the reader does not take
    for (let i = 0; i < 2_000 && flow.buffered < 256 * 1024; i++) {
      flow.write(chunk);
      await new Promise((r) => setImmediate(r));
    }
    const behind = flow.ready();
    expect(behind).toBeDefined();
    expect(flow.buffered).toBeGreaterThanOrEqual(256 * 1024);
    let settled = false;
    void behind!.then(() => (settled = true));
    await new Promise((r) => setTimeout(r, 50));
    expect(settled).toBe(false);
    client.resume();
    await behind;
    expect(flow.ready()).toBeUndefined();
    expect(received()).toBeGreaterThan(256 * 1024);
  });

  it('closes a reader past the hard cap', async () => {
    const { res } = await pausedReader();
    const flow = new ResponseFlow(res, { softBytes: 64 * 1024, hardBytes: 1024 * 1024 });
    res.writeHead(200);
    flow.headSent();
    let written = 0;
    while (flow.write(chunk) && written < 1_000) written++;
    expect(written).toBeLessThan(1_000);
    expect(flow.overflowed).toBe(true);
    expect(res.destroyed).toBe(true);
    expect(flow.write(chunk)).toBe(false);
  });
});
