// The socket.io gateway's client side, generated: engine.io polling payloads
// (the CONNECT packet with its auth, event packets, binary-attachment
// headers, garbage) and WebSocket frames after an upgrade (valid and
// malformed framing). The gateway reads only the handshake's auth and query,
// but every packet goes through engine.io's and socket.io's decoders.

import { REALTIME_PROTOCOL_VERSION } from '../../server/api/realtime';
import { render, type Json } from './json-tree';
import { mutateBody } from './mutators';
import type { Rng } from './rng';

export const SOCKET_BASE = '/socket.io/?EIO=4&transport=polling';

/** The CONNECT packet the console sends (auth: the protocol version and the last index it has). */
export function connectPacket(auth: Json = { v: REALTIME_PROTOCOL_VERSION, since: 0 }): string {
  return `40${render(auth)}`;
}

const GARBAGE_PACKETS = [
  '',
  '4',
  '9',
  '0',
  '1',
  '2',
  '3',
  '6',
  '40',
  '41',
  '44{}',
  '40/admin,',
  '40/nsp,{}',
  '40/../..,{}',
  '42',
  '42[',
  '42["a"',
  '42[]',
  '42[1]',
  '42[null]',
  '42["__proto__",{}]',
  '42["snapshot"]',
  '420["ack"]',
  '4299999999999999999999["a"]',
  '43',
  '431[]',
  '451-["a",{"_placeholder":true,"num":0}]',
  '459999999999-["a",{"_placeholder":true,"num":0}]',
  '451-["a",{"_placeholder":true,"num":99}]',
  '46-[]',
  'b4AAAA',
  'bAAAA=',
  '2probe',
  '5',
  '40\u001e42["a"]\u001e41',
  '\u001e\u001e\u001e',
  '40' + '{"v":'.repeat(5_000),
];

/** A polling POST body: a CONNECT with mutated auth, an event with a mutated payload, or garbage. */
export function pollingPayload(rng: Rng, mutate: boolean): { text: string; label: string } {
  const auth: Json = { v: REALTIME_PROTOCOL_VERSION, since: rng.int(0, 50), tasks: { services: [] } };
  if (!mutate) return { text: rng.chance(0.8) ? connectPacket(auth) : '40', label: 'connect' };
  return rng.weighted<() => { text: string; label: string }>([
    [
      () => {
        const m = mutateBody(rng, auth);
        return {
          text: connectPacket(m.body),
          label: `connect auth ${m.mutations.map((x) => `${x.kind} ${x.value}`).join(', ')}`,
        };
      },
      4,
    ],
    [
      () => {
        const m = mutateBody(rng, ['changes', { from: 0, to: 1, changes: [] }]);
        return { text: `${connectPacket(auth)}\u001e42${render(m.body)}`, label: 'event' };
      },
      2,
    ],
    [
      () => {
        // the one event a console may send: its task scope, mutated (a bad one ends the connection)
        const m = mutateBody(rng, ['scope', rng.chance(0.5) ? { services: ['svc1', 'svc2'] } : 'all']);
        return { text: `${connectPacket(auth)}\u001e42${render(m.body)}`, label: 'scope' };
      },
      2,
    ],
    [() => ({ text: rng.pick(GARBAGE_PACKETS), label: 'garbage packet' }), 3],
    [() => ({ text: '4' + 'x'.repeat(rng.pick([200_000, 1_100_000])), label: 'oversized packet' }), 0.3],
    [() => ({ text: Array.from({ length: 2_000 }, () => '42["a"]').join('\u001e'), label: 'many packets' }), 0.5],
  ])();
}

/** One WebSocket frame from the client (masked unless told otherwise). */
export function wsFrame(
  payload: Buffer,
  opts: { opcode?: number; fin?: boolean; mask?: boolean; rsv?: number; claimedLength?: bigint } = {},
): Buffer {
  const { opcode = 1, fin = true, mask = true, rsv = 0 } = opts;
  const len = opts.claimedLength ?? BigInt(payload.length);
  const head: number[] = [(fin ? 0x80 : 0) | ((rsv & 7) << 4) | (opcode & 0x0f)];
  const maskBit = mask ? 0x80 : 0;
  let ext = Buffer.alloc(0);
  if (len < 126n) head.push(maskBit | Number(len));
  else if (len < 65536n) {
    head.push(maskBit | 126);
    ext = Buffer.alloc(2);
    ext.writeUInt16BE(Number(len));
  } else {
    head.push(maskBit | 127);
    ext = Buffer.alloc(8);
    ext.writeBigUInt64BE(len);
  }
  const key = Buffer.from([0x12, 0x34, 0x56, 0x78]);
  const body = mask ? Buffer.from(payload.map((b, i) => b ^ key[i % 4]!)) : payload;
  return Buffer.concat([Buffer.from(head), ext, mask ? key : Buffer.alloc(0), body]);
}

/** Frames after a WebSocket upgrade: engine.io's probe dance, then packets, some with broken framing. */
export function upgradeFrames(rng: Rng, mutate: boolean): { frames: Buffer[]; label: string } {
  const text = (s: string) => wsFrame(Buffer.from(s));
  const connect = text(connectPacket({ v: REALTIME_PROTOCOL_VERSION, since: 0 }));
  if (!mutate) return { frames: [connect, text('3')], label: 'connect' };
  const [label, frames] = rng.weighted<[string, () => Buffer[]]>([
    [['packets', () => [connect, text(pollingPayload(rng, true).text)]], 4],
    [['unmasked', () => [wsFrame(Buffer.from('40'), { mask: false })]], 1],
    [['reserved-bits', () => [wsFrame(Buffer.from('40'), { rsv: rng.int(1, 7) })]], 1],
    [['bad-opcode', () => [wsFrame(Buffer.from('40'), { opcode: rng.pick([3, 4, 5, 6, 7, 11, 15]) })]], 1],
    [
      [
        'huge-length',
        () => [wsFrame(Buffer.from('40'), { claimedLength: rng.pick([2n ** 63n - 1n, 2n ** 32n, 100_000_000n]) })],
      ],
      1,
    ],
    [['long-ping', () => [wsFrame(Buffer.alloc(200, 1), { opcode: 9 })]], 1],
    [['close-bad-code', () => [wsFrame(Buffer.from([0x03, 0xe7]), { opcode: 8 })]], 1],
    [['fragment-no-end', () => [wsFrame(Buffer.from('4'), { fin: false }), text('2')]], 1],
    [['binary', () => [wsFrame(Buffer.from([0xff, 0xfe, 0x00]), { opcode: 2 })]], 1],
    [['invalid-utf8', () => [wsFrame(Buffer.from([0x34, 0x32, 0xc3, 0x28]))]], 1],
  ]);
  return { frames: frames(), label };
}
