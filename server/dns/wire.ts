// DNS messages on the wire for the embedded server: reading a query (dns-packet decodes and
// validates it) and writing our own replies. Replies are encoded here, not by dns-packet,
// because dns-packet does not compress names: every answer names the question, and a 2-byte
// pointer to it (as miekg/dns's compression gives libnetwork) fits 30 A records in 512 bytes,
// not 19. The question is copied byte for byte, so a client's 0x20 case mixing comes back.
import * as packet from 'dns-packet';
import type { DnsRecord } from './answer';

export type Transport = 'udp' | 'tcp';

/** dns.MinMsgSize: a UDP reply's limit when the client sends no EDNS size (or a smaller one). */
export const UDP_MIN_SIZE = 512;
/** dns.MaxMsgSize: what a TCP length prefix can carry. */
export const TCP_MAX_SIZE = 65_535;

export const RCODE = { NOERROR: 0, FORMERR: 1, SERVFAIL: 2, NXDOMAIN: 3, NOTIMP: 4, REFUSED: 5 } as const;

const QR = 0x8000;
const TC = 0x0200;
const RD = 0x0100;
const RA = 0x0080;
const HEADER_BYTES = 12;
/** A compression pointer to the question name, which always sits right after the header. */
const NAME_POINTER = Buffer.from([0xc0, HEADER_BYTES]);

export interface Query {
  id: number;
  /** The client's RD bit, echoed (SetReply). */
  recursionDesired: boolean;
  name: string;
  type: string;
  /** The question section as received (name, type, class). */
  questionBytes: Buffer;
  /** How large a reply may be on this transport (512 or the EDNS size on UDP, 65,535 on TCP). */
  maxSize: number;
}

/** What to do with a datagram or frame: answer a query, send an error, or ignore it. */
export type Parsed = { kind: 'query'; query: Query } | { kind: 'reply'; bytes: Buffer } | { kind: 'drop' };

/** The end offset of the name starting at `at`, which must be plain labels (no pointer). */
function nameEnd(buf: Buffer, at: number): number | undefined {
  let i = at;
  while (i < buf.length) {
    const len = buf[i] as number;
    if (len === 0) return i + 1;
    if (len > 63) return undefined; // a pointer or a reserved label type in a question
    i += 1 + len;
  }
  return undefined;
}

function header(id: number, flags: number, questions: number, answers: number): Buffer {
  const h = Buffer.alloc(HEADER_BYTES);
  h.writeUInt16BE(id, 0);
  h.writeUInt16BE(flags, 2);
  h.writeUInt16BE(questions, 4);
  h.writeUInt16BE(answers, 6);
  return h;
}

/** FORMERR for what could not be read: the header only, with the ID if there was one. */
function formatError(buf: Buffer): Buffer {
  return header(buf.readUInt16BE(0), QR | RCODE.FORMERR, 0, 0);
}

/**
 * Reads one message as miekg/dns's server does before libnetwork sees it: shorter than a
 * header or a response → ignored; unreadable, or not exactly one question → FORMERR; an
 * opcode other than QUERY → NOTIMP.
 */
export function parseQuery(buf: Buffer, transport: Transport): Parsed {
  if (buf.length < HEADER_BYTES) return { kind: 'drop' };
  const flags = buf.readUInt16BE(2);
  if (flags & QR) return { kind: 'drop' };
  let decoded: packet.DecodedPacket;
  try {
    decoded = packet.decode(buf);
  } catch {
    return { kind: 'reply', bytes: formatError(buf) };
  }
  const question = decoded.questions?.[0];
  const end = nameEnd(buf, HEADER_BYTES);
  if (decoded.questions?.length !== 1 || !question || end === undefined || end + 4 > buf.length)
    return { kind: 'reply', bytes: formatError(buf) };
  const id = buf.readUInt16BE(0);
  const recursionDesired = (flags & RD) !== 0;
  const questionBytes = buf.subarray(HEADER_BYTES, end + 4);
  if (((flags >> 11) & 0xf) !== 0) {
    return { kind: 'reply', bytes: Buffer.concat([header(id, QR | RCODE.NOTIMP, 1, 0), questionBytes]) };
  }
  let maxSize = TCP_MAX_SIZE;
  if (transport === 'udp') {
    const opt = decoded.additionals?.find((a): a is packet.OptAnswer => a.type === 'OPT');
    maxSize = Math.max(UDP_MIN_SIZE, opt?.udpPayloadSize ?? 0);
  }
  return {
    kind: 'query',
    query: { id, recursionDesired, name: question.name, type: question.type, questionBytes, maxSize },
  };
}

function encodeName(name: string): Buffer {
  const labels = name.replace(/\.$/, '').split('.').filter(Boolean);
  const parts = labels.map((l) => {
    const bytes = Buffer.from(l, 'utf8');
    return Buffer.concat([Buffer.from([Math.min(bytes.length, 63)]), bytes.subarray(0, 63)]);
  });
  return Buffer.concat([...parts, Buffer.from([0])]);
}

const TYPE_CODE = { A: 1, PTR: 12 } as const;
const CLASS_IN = 1;

function encodeRecord(r: DnsRecord): Buffer {
  const data = r.type === 'A' ? Buffer.from(r.data.split('.').map(Number)) : encodeName(r.data);
  const fixed = Buffer.alloc(10);
  fixed.writeUInt16BE(TYPE_CODE[r.type], 0);
  fixed.writeUInt16BE(CLASS_IN, 2);
  fixed.writeUInt32BE(r.ttl, 4);
  fixed.writeUInt16BE(data.length, 8);
  return Buffer.concat([NAME_POINTER, fixed, data]);
}

/**
 * A reply to `query` (SetReply: same ID, opcode, RD; RA set) with `rcode` and as many of
 * `records` as fit in its size limit; TC when some were left out (miekg's Msg.Truncate).
 */
export function encodeReply(query: Query, rcode: number, records: readonly DnsRecord[] = []): Buffer {
  const encoded: Buffer[] = [];
  let size = HEADER_BYTES + query.questionBytes.length;
  for (const r of records) {
    const rec = encodeRecord(r);
    if (size + rec.length > query.maxSize) break;
    encoded.push(rec);
    size += rec.length;
  }
  const truncated = encoded.length < records.length;
  const flags = QR | (query.recursionDesired ? RD : 0) | RA | (truncated ? TC : 0) | rcode;
  return Buffer.concat([header(query.id, flags, 1, encoded.length), query.questionBytes, ...encoded]);
}

/** The reply's RCODE (the low 4 bits of the flags), or undefined for less than a header. */
export function rcodeOf(reply: Buffer): number | undefined {
  return reply.length >= HEADER_BYTES ? reply.readUInt16BE(2) & 0xf : undefined;
}

/** Whether `reply` is a response to the query with this ID. */
export function isReplyTo(reply: Buffer, id: number): boolean {
  return reply.length >= HEADER_BYTES && reply.readUInt16BE(0) === id && (reply.readUInt16BE(2) & QR) !== 0;
}
