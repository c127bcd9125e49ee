// The node-to-node tunnel's framing. A stream opens with one frame from the
// first hop, {task, port, proto}, and one answer frame from the owning agent,
// {answer: ok | draining | refused}. After `ok`, TCP carries raw bytes both
// ways; UDP carries one frame per datagram. A frame is a 4-byte big-endian
// length and its payload.

export type TunnelProto = 'tcp' | 'udp';
export interface OpenRequest {
  task: string;
  port: number;
  proto: TunnelProto;
}
export type Answer = 'ok' | 'draining' | 'refused';
export interface OpenAnswer {
  answer: Answer;
  message?: string;
}

/** Control frames are small JSON; a datagram is at most 65,507 bytes (IPv4 UDP payload). */
export const MAX_CONTROL_FRAME = 4 * 1024;
export const MAX_DATAGRAM = 65_507;

export function encodeFrame(payload: Buffer): Buffer {
  const head = Buffer.allocUnsafe(4);
  head.writeUInt32BE(payload.length, 0);
  return Buffer.concat([head, payload]);
}

export const encodeJSON = (v: OpenRequest | OpenAnswer): Buffer => encodeFrame(Buffer.from(JSON.stringify(v)));

export class FrameError extends Error {}

/** Cuts a byte stream into frames; a frame longer than `max` is an error (the stream is closed). */
export class FrameReader {
  private buf: Buffer = Buffer.alloc(0);

  constructor(private max: number) {}

  /** A later phase may allow larger frames (datagrams after the control exchange). */
  setMax(max: number): void {
    this.max = max;
  }

  push(chunk: Buffer): Buffer[] {
    this.buf = this.buf.length ? Buffer.concat([this.buf, chunk]) : chunk;
    const out: Buffer[] = [];
    while (this.buf.length >= 4) {
      const len = this.buf.readUInt32BE(0);
      if (len > this.max) throw new FrameError(`frame of ${len} bytes exceeds ${this.max}`);
      if (this.buf.length < 4 + len) break;
      out.push(this.buf.subarray(4, 4 + len));
      this.buf = this.buf.subarray(4 + len);
    }
    return out;
  }

  /** Bytes after the last whole frame (raw TCP data that followed the answer). */
  rest(): Buffer {
    const r = this.buf;
    this.buf = Buffer.alloc(0);
    return r;
  }
}

const TASK_ID = /^[A-Za-z0-9]{1,64}$/;

export function parseOpen(frame: Buffer): OpenRequest | string {
  let v: unknown;
  try {
    v = JSON.parse(frame.toString('utf8'));
  } catch {
    return 'open frame is not JSON';
  }
  const o = v as Partial<OpenRequest> | null;
  if (!o || typeof o.task !== 'string' || !TASK_ID.test(o.task)) return 'open frame: task must be a task ID';
  if (typeof o.port !== 'number' || !Number.isInteger(o.port) || o.port < 1 || o.port > 65535)
    return 'open frame: port must be 1-65535';
  if (o.proto !== 'tcp' && o.proto !== 'udp') return 'open frame: proto must be tcp or udp';
  return { task: o.task, port: o.port, proto: o.proto };
}

export function parseAnswer(frame: Buffer): OpenAnswer | string {
  let v: unknown;
  try {
    v = JSON.parse(frame.toString('utf8'));
  } catch {
    return 'answer frame is not JSON';
  }
  const a = v as Partial<OpenAnswer> | null;
  if (!a || (a.answer !== 'ok' && a.answer !== 'draining' && a.answer !== 'refused'))
    return 'answer frame: answer must be ok, draining or refused';
  return typeof a.message === 'string' ? { answer: a.answer, message: a.message.slice(0, 512) } : { answer: a.answer };
}
