import { describe, expect, it } from 'vitest';
import { Rng } from './rng';
import { connectPacket, pollingPayload, wsFrame } from './socketio';

/** Decode a client frame (RFC 6455 §5.2) as a server would. */
function decode(f: Buffer): { fin: boolean; opcode: number; masked: boolean; length: bigint; payload: Buffer } {
  const fin = (f[0]! & 0x80) !== 0;
  const opcode = f[0]! & 0x0f;
  const masked = (f[1]! & 0x80) !== 0;
  let length = BigInt(f[1]! & 0x7f);
  let at = 2;
  if (length === 126n) {
    length = BigInt(f.readUInt16BE(2));
    at = 4;
  } else if (length === 127n) {
    length = f.readBigUInt64BE(2);
    at = 10;
  }
  const key = masked ? f.subarray(at, at + 4) : undefined;
  if (key) at += 4;
  const payload = Buffer.from(f.subarray(at).map((b, i) => (key ? b ^ key[i % 4]! : b)));
  return { fin, opcode, masked, length, payload };
}

describe('socket.io client side', () => {
  it('frames WebSocket messages as a client must (masked), in all three length forms', () => {
    for (const size of [5, 300, 70_000]) {
      const payload = Buffer.alloc(size, 'a');
      const d = decode(wsFrame(payload));
      expect(d).toMatchObject({ fin: true, opcode: 1, masked: true, length: BigInt(size) });
      expect(d.payload.equals(payload)).toBe(true);
    }
    expect(decode(wsFrame(Buffer.from('x'), { claimedLength: 2n ** 63n - 1n })).length).toBe(2n ** 63n - 1n);
    expect(decode(wsFrame(Buffer.from('x'), { mask: false, opcode: 9, fin: false }))).toMatchObject({
      masked: false,
      opcode: 9,
      fin: false,
    });
  });

  it('connects with the console protocol version, and mutates the handshake when told to', () => {
    expect(connectPacket({ v: 2, since: 0 })).toBe('40{"v":2,"since":0}');
    const rng = new Rng(1);
    const texts = Array.from({ length: 200 }, () => pollingPayload(rng, true).text);
    expect(texts.some((t) => t.startsWith('40{') && t !== '40{"v":2,"since":0}')).toBe(true);
    expect(texts.some((t) => t.includes('42'))).toBe(true);
  });
});
