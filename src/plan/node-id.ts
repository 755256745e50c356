/**
 * Relay global ids (Global Object Identification): base64url of `Type:key`, the row's
 * GraphQL type and its dataset key as the role reads it (`ServiceRequest:SR-24-00000563`).
 * Only a type whose key the role reads raw has node ids, so an id says nothing the row's own
 * `id` does not; it depends on the row alone, so every role that sees the row gets the same id.
 */
import { badRequest } from './bad-request.js';

/** The field of the `Node` interface; `id` stays the dataset's own key (Open311's service_request_id). */
export const NODE_ID_FIELD = 'nodeId';

const NODE_ID = /^([_A-Za-z][_0-9A-Za-z]*):([^]+)$/;

export function encodeNodeId(type: string, key: string): string {
  return Buffer.from(`${type}:${key}`, 'utf8').toString('base64url');
}

/**
 * The type and key a node id names. An id that is not one this API could have issued is
 * refused, naming the argument; which types exist is not checked here, so the refusal tells
 * nothing about them.
 */
export function decodeNodeId(id: string, argument: string): { type: string; key: string } {
  const bytes = Buffer.from(id, 'base64url');
  const text = bytes.toString('utf8');
  // Node's decoder skips characters outside the alphabet and bad UTF-8: only a canonical spelling is an id.
  const canonical = bytes.toString('base64url') === id && Buffer.from(text, 'utf8').equals(bytes);
  const match = canonical ? NODE_ID.exec(text) : null;
  if (!match) throw badRequest(argument, 'not a node id this API issued (a node id is the `nodeId` of a row, not its `id`)');
  return { type: match[1]!, key: match[2]! };
}
