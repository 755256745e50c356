/**
 * MongoDB wire protocol framing for the mongo-wire test server: splits a TCP byte stream
 * into messages, decodes OP_MSG / OP_QUERY requests and encodes OP_MSG / OP_REPLY replies.
 * See https://www.mongodb.com/docs/manual/reference/mongodb-wire-protocol/.
 */
import { deserialize, serialize, type Document } from 'bson';

export const OP_REPLY = 1;
export const OP_QUERY = 2004;
export const OP_COMPRESSED = 2012;
export const OP_MSG = 2013;

/** OP_MSG flag bits. */
export const MSG_CHECKSUM_PRESENT = 1 << 0;
export const MSG_MORE_TO_COME = 1 << 1;
export const MSG_EXHAUST_ALLOWED = 1 << 16;

/** OP_REPLY response flag bits. */
export const REPLY_QUERY_FAILURE = 1 << 1;

const HEADER_SIZE = 16;
/** Larger than any message the driver may send (maxMessageSizeBytes plus headroom). */
export const MAX_INCOMING_MESSAGE = 64 * 1024 * 1024;

/** How request documents are decoded: numbers become JS numbers, regexes JS RegExps. */
const DESERIALIZE_OPTIONS = {
  promoteValues: true,
  promoteLongs: true,
  promoteBuffers: false,
  bsonRegExp: false,
  useBigInt64: false,
} as const;

export interface MessageHeader {
  messageLength: number;
  requestId: number;
  responseTo: number;
  opCode: number;
}

export interface RawMessage {
  header: MessageHeader;
  /** The bytes after the 16-byte header. */
  body: Buffer;
}

export interface MsgRequest {
  kind: 'msg';
  header: MessageHeader;
  flags: number;
  /** The kind-0 body with every kind-1 document sequence merged in under its identifier. */
  command: Document;
}

export interface QueryRequest {
  kind: 'query';
  header: MessageHeader;
  flags: number;
  fullCollectionName: string;
  numberToSkip: number;
  numberToReturn: number;
  query: Document;
}

export type Request = MsgRequest | QueryRequest;

export class ProtocolError extends Error {}

/**
 * Buffers TCP chunks and yields complete messages: a message may arrive split over several
 * chunks, and one chunk may carry several messages.
 */
export class MessageReader {
  #chunks: Buffer[] = [];
  #buffered = 0;

  push(chunk: Buffer): RawMessage[] {
    this.#chunks.push(chunk);
    this.#buffered += chunk.length;
    const messages: RawMessage[] = [];
    while (this.#buffered >= 4) {
      const head = this.#peek(4);
      const messageLength = head.readInt32LE(0);
      if (messageLength < HEADER_SIZE || messageLength > MAX_INCOMING_MESSAGE) {
        throw new ProtocolError(`invalid message length ${messageLength}`);
      }
      if (this.#buffered < messageLength) break;
      const bytes = this.#take(messageLength);
      messages.push({
        header: {
          messageLength,
          requestId: bytes.readInt32LE(4),
          responseTo: bytes.readInt32LE(8),
          opCode: bytes.readInt32LE(12),
        },
        body: bytes.subarray(HEADER_SIZE),
      });
    }
    return messages;
  }

  #peek(n: number): Buffer {
    if (this.#chunks[0]!.length < n) this.#chunks = [Buffer.concat(this.#chunks)];
    return this.#chunks[0]!;
  }

  #take(n: number): Buffer {
    if (this.#chunks[0]!.length < n) this.#chunks = [Buffer.concat(this.#chunks)];
    const first = this.#chunks[0]!;
    const taken = first.subarray(0, n);
    if (first.length === n) this.#chunks.shift();
    else this.#chunks[0] = first.subarray(n);
    this.#buffered -= n;
    return taken;
  }
}

function readCString(buf: Buffer, offset: number): { value: string; next: number } {
  const end = buf.indexOf(0, offset);
  if (end < 0) throw new ProtocolError('unterminated cstring');
  return { value: buf.toString('utf8', offset, end), next: end + 1 };
}

function readDocument(buf: Buffer, offset: number, limit: number): { doc: Document; next: number } {
  if (offset + 5 > limit) throw new ProtocolError('truncated BSON document');
  const size = buf.readInt32LE(offset);
  if (size < 5 || offset + size > limit) throw new ProtocolError('invalid BSON document size');
  const doc = deserialize(buf.subarray(offset, offset + size), DESERIALIZE_OPTIONS);
  return { doc, next: offset + size };
}

/** Decodes an OP_MSG or OP_QUERY message; other opcodes throw a ProtocolError. */
export function decodeRequest(message: RawMessage): Request {
  const { header, body } = message;
  if (header.opCode === OP_MSG) return decodeMsg(header, body);
  if (header.opCode === OP_QUERY) return decodeQuery(header, body);
  throw new ProtocolError(`unsupported opCode ${header.opCode}`);
}

function decodeMsg(header: MessageHeader, body: Buffer): MsgRequest {
  const flags = body.readUInt32LE(0);
  // A CRC-32C checksum, when present, occupies the last 4 bytes; it is not verified here.
  const end = flags & MSG_CHECKSUM_PRESENT ? body.length - 4 : body.length;
  let offset = 4;
  let command: Document | undefined;
  const sequences: Array<[string, Document[]]> = [];
  while (offset < end) {
    const kind = body[offset++];
    if (kind === 0) {
      if (command) throw new ProtocolError('OP_MSG with more than one body section');
      const { doc, next } = readDocument(body, offset, end);
      command = doc;
      offset = next;
    } else if (kind === 1) {
      const size = body.readInt32LE(offset);
      const sectionEnd = offset + size;
      if (size < 5 || sectionEnd > end) throw new ProtocolError('invalid document sequence size');
      const id = readCString(body, offset + 4);
      let pos = id.next;
      const docs: Document[] = [];
      while (pos < sectionEnd) {
        const { doc, next } = readDocument(body, pos, sectionEnd);
        docs.push(doc);
        pos = next;
      }
      sequences.push([id.value, docs]);
      offset = sectionEnd;
    } else {
      throw new ProtocolError(`unknown OP_MSG section kind ${String(kind)}`);
    }
  }
  if (!command) throw new ProtocolError('OP_MSG without a body section');
  for (const [id, docs] of sequences) {
    const existing: unknown = command[id];
    command[id] = Array.isArray(existing) ? [...(existing as Document[]), ...docs] : docs;
  }
  return { kind: 'msg', header, flags, command };
}

function decodeQuery(header: MessageHeader, body: Buffer): QueryRequest {
  const flags = body.readInt32LE(0);
  const name = readCString(body, 4);
  const numberToSkip = body.readInt32LE(name.next);
  const numberToReturn = body.readInt32LE(name.next + 4);
  const { doc } = readDocument(body, name.next + 8, body.length);
  return {
    kind: 'query',
    header,
    flags,
    fullCollectionName: name.value,
    numberToSkip,
    numberToReturn,
    query: doc,
  };
}

let nextRequestId = 1;

function messageHeader(length: number, responseTo: number, opCode: number): Buffer {
  const header = Buffer.alloc(HEADER_SIZE);
  header.writeInt32LE(length, 0);
  header.writeInt32LE(nextRequestId++ & 0x7fffffff, 4);
  header.writeInt32LE(responseTo, 8);
  header.writeInt32LE(opCode, 12);
  return header;
}

/** Serialises a reply document; undefined values are dropped like a real server never sends them. */
export function serializeDocument(doc: Document): Buffer {
  return Buffer.from(serialize(doc, { ignoreUndefined: true, checkKeys: false }));
}

/** An OP_MSG reply with a single kind-0 section. */
export function encodeMsgReply(responseTo: number, doc: Document): Buffer {
  const bson = serializeDocument(doc);
  const prefix = Buffer.alloc(5); // flagBits (0) + section kind 0
  const header = messageHeader(HEADER_SIZE + prefix.length + bson.length, responseTo, OP_MSG);
  return Buffer.concat([header, prefix, bson]);
}

/** An OP_REPLY carrying one document (the answer to a legacy OP_QUERY command). */
export function encodeReply(responseTo: number, doc: Document, responseFlags = 0): Buffer {
  const bson = serializeDocument(doc);
  const fields = Buffer.alloc(20);
  fields.writeInt32LE(responseFlags, 0);
  // cursorID (int64) = 0 at offsets 4..11, startingFrom = 0 at 12
  fields.writeInt32LE(1, 16); // numberReturned
  const header = messageHeader(HEADER_SIZE + fields.length + bson.length, responseTo, OP_REPLY);
  return Buffer.concat([header, fields, bson]);
}
