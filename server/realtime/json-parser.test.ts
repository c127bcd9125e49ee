import { Encoder, PacketType, type Packet } from 'socket.io-parser';
import { describe, expect, it } from 'vitest';
import { jsonParser } from './json-parser';

describe('jsonParser', () => {
  const packets: Packet[] = [
    { type: PacketType.EVENT, nsp: '/', data: ['snapshot', { index: 7, objects: { service: [{ ID: 'a', n: 1.5 }] } }] },
    { type: PacketType.EVENT, nsp: '/admin', data: ['changes', { from: 1, to: 2, changes: [] }] },
    { type: PacketType.EVENT, nsp: '/', id: 12, data: ['raft', { term: 3, text: 'é "quoted" \n' }] },
    { type: PacketType.ACK, nsp: '/', id: 4, data: [null] },
    { type: PacketType.CONNECT, nsp: '/', data: { sid: 'x' } },
    { type: PacketType.CONNECT_ERROR, nsp: '/', data: { message: 'refused' } },
    { type: PacketType.DISCONNECT, nsp: '/' },
  ];

  it('writes what the stock encoder writes for JSON packets', () => {
    const stock = new Encoder();
    const ours = new jsonParser.Encoder();
    for (const p of packets) expect(ours.encode(p), JSON.stringify(p)).toEqual(stock.encode(p));
  });

  it('round-trips through the decoder', () => {
    const decoded: unknown[] = [];
    const decoder = new jsonParser.Decoder();
    decoder.on('decoded', (p: unknown) => decoded.push(p));
    for (const text of new jsonParser.Encoder().encode(packets[2]!)) decoder.add(text);
    expect(decoded).toEqual([packets[2]]);
  });

  it('refuses binary packets rather than sending them as text', () => {
    expect(() =>
      new jsonParser.Encoder().encode({ type: PacketType.BINARY_EVENT, nsp: '/', data: ['x', Buffer.from('a')] }),
    ).toThrow(/no binary/);
  });
});
