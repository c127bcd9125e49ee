// socket.io's packet parser for the console stream, without the binary scan.
// The stock encoder walks every value of a packet looking for Buffers before
// it stringifies it: for a console snapshot (the whole store) that walk was a
// third of the encoding time, on the event loop, for every connecting client
// (fuzz run profile). The stream carries JSON only, so the walk finds nothing.

import { Decoder, Encoder, PacketType, protocol, type Packet } from 'socket.io-parser';

class JsonEncoder extends Encoder {
  override encode(packet: Packet): string[] {
    if (packet.type === PacketType.BINARY_EVENT || packet.type === PacketType.BINARY_ACK)
      throw new Error('the console stream sends no binary packets');
    // socket.io's text format: type, then the namespace unless '/', then the ack ID, then the JSON data
    let text = String(packet.type);
    if (packet.nsp && packet.nsp !== '/') text += `${packet.nsp},`;
    if (packet.id !== undefined && packet.id !== null) text += String(packet.id);
    if (packet.data !== undefined && packet.data !== null) text += JSON.stringify(packet.data);
    return [text];
  }
}

/** For `new Server(http, { parser: jsonParser })`; what clients send is decoded as before. */
export const jsonParser = { protocol, Encoder: JsonEncoder, Decoder };
