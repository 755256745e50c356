/**
 * mongo-wire: a MongoDB test double that speaks the real MongoDB wire protocol, so that
 * tests exercise the official `mongodb` driver end to end (handshake, OP_MSG framing,
 * document sequences, cursors and getMore batching, server errors) without a MongoDB server.
 *
 * The data lives in memory; filters, projections, sorts, updates and aggregation pipelines
 * are evaluated by mingo (https://github.com/kofrasa/mingo), NOT by MongoDB's own query
 * engine: the semantics are MongoDB's as far as mingo implements them, and differences are
 * possible (see engine.ts for the known ones and the thin fixes applied). The connector
 * suite therefore also runs against a real server when MONGODB_URL is set.
 *
 * It does not do: authentication (no SASL/SCRAM, no TLS), transactions, replication or
 * sharding (it is always a standalone), indexes (createIndexes records the spec, nothing
 * uses it; only the unique _id index is enforced), tailable/change-stream cursors, explain,
 * $out/$merge, compression, or checksum verification. It listens on 127.0.0.1 only.
 */
import net from 'node:net';
import type { Document } from 'bson';
import { CommandProcessor } from './commands.js';
import {
  MSG_MORE_TO_COME,
  MessageReader,
  REPLY_QUERY_FAILURE,
  decodeRequest,
  encodeMsgReply,
  encodeReply,
  type Request,
} from './protocol.js';

export interface MongoWireServer {
  /** `mongodb://127.0.0.1:PORT`; append `/<db>` to choose a default database. */
  url: string;
  /** Stops listening and closes every client socket. */
  close(): Promise<void>;
}

export interface MongoWireServerOptions {
  /** The port to listen on, 0 (an ephemeral port) by default. */
  port?: number;
}

export async function startMongoWireServer(options: MongoWireServerOptions = {}): Promise<MongoWireServer> {
  const processor = new CommandProcessor();
  const sockets = new Set<net.Socket>();
  let nextConnectionId = 1;

  const server = net.createServer((socket) => {
    sockets.add(socket);
    socket.setNoDelay(true);
    const connection = { connectionId: nextConnectionId++ };
    const reader = new MessageReader();
    socket.on('data', (chunk: Buffer) => {
      try {
        for (const message of reader.push(chunk)) {
          const reply = respond(decodeRequest(message), processor, connection);
          if (reply && !socket.destroyed) socket.write(reply);
        }
      } catch {
        // A malformed stream cannot be resynchronised: drop the connection like mongod does.
        socket.destroy();
      }
    });
    socket.on('error', () => socket.destroy());
    socket.on('close', () => sockets.delete(socket));
  });

  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(options.port ?? 0, '127.0.0.1', () => {
      server.off('error', reject);
      resolve();
    });
  });
  const address = server.address();
  if (address === null || typeof address === 'string') throw new Error('mongo-wire: no TCP address');

  let closing: Promise<void> | undefined;
  return {
    url: `mongodb://127.0.0.1:${address.port}`,
    close() {
      closing ??= new Promise<void>((resolve) => {
        server.close(() => resolve());
        for (const socket of sockets) socket.destroy();
        sockets.clear();
        processor.clearCursors();
      });
      return closing;
    },
  };
}

/** Runs a request and encodes its reply; undefined when the client asked for none (moreToCome). */
function respond(request: Request, processor: CommandProcessor, connection: { connectionId: number }): Buffer | undefined {
  const requestId = request.header.requestId;
  if (request.kind === 'msg') {
    const reply = processor.run(request.command, connection);
    return request.flags & MSG_MORE_TO_COME ? undefined : encodeMsgReply(requestId, reply);
  }
  // Legacy OP_QUERY: the driver only uses it for the first hello/isMaster of a connection.
  if (!request.fullCollectionName.endsWith('.$cmd')) {
    return encodeReply(requestId, { $err: 'OP_QUERY is only supported for commands', code: 5739101, ok: 0 }, REPLY_QUERY_FAILURE);
  }
  const db = request.fullCollectionName.slice(0, -'.$cmd'.length);
  const query = request.query;
  const command: Document = query.$query !== undefined && typeof query.$query === 'object' ? { ...(query.$query as Document) } : { ...query };
  command.$db = db;
  return encodeReply(requestId, processor.run(command, connection));
}
