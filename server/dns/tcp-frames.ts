// DNS over TCP frames each message with a 2-byte length (RFC 1035 §4.2.2); a client may send
// several before reading any answer (RFC 7766 pipelining), and a chunk may end mid-frame.

/** Splits a byte stream into whole DNS messages. */
export class FrameReader {
  private pending: Buffer = Buffer.alloc(0);

  /** The messages completed by `chunk`, in order. */
  push(chunk: Buffer): Buffer[] {
    this.pending = this.pending.length ? Buffer.concat([this.pending, chunk]) : chunk;
    const out: Buffer[] = [];
    let at = 0;
    while (this.pending.length - at >= 2) {
      const len = this.pending.readUInt16BE(at);
      if (this.pending.length - at - 2 < len) break;
      out.push(this.pending.subarray(at + 2, at + 2 + len));
      at += 2 + len;
    }
    this.pending = this.pending.subarray(at);
    return out;
  }
}

/** One message with its length prefix. */
export function frame(message: Buffer): Buffer {
  const prefix = Buffer.alloc(2);
  prefix.writeUInt16BE(message.length);
  return Buffer.concat([prefix, message]);
}
