/**
 * The SDL of Relay's Global Object Identification for one role: the `Node` interface,
 * implemented by every dataset type the role can look up by id, and `node(id:)` /
 * `nodes(ids:)`, which answer exactly like the by-id fields. Generated per role, so the
 * interface's possible types are the role's own.
 */
import { NODE_ID_FIELD } from '../plan/node-id.js';
import { MAX_PAGE_SIZE } from '../plan/page.js';
import type { ServedDataset } from '../plan/served-dataset.js';

export function nodeSdl(datasets: readonly ServedDataset[]): string {
  const identified = datasets.filter((dataset) => dataset.byId);
  if (identified.length === 0) return '';
  const implementations = identified.map(({ type }) => `extend type ${type.name} implements Node {\n  ${NODE_ID_FIELD}: ID!\n}`);
  return `
"""
A row with a globally unique id (Relay Global Object Identification). The id field is
\`${NODE_ID_FIELD}\`, so that \`id\` stays each dataset's own key; configure Relay with
\`schemaConfig: { nodeInterfaceIdField: "${NODE_ID_FIELD}" }\`.
"""
interface Node {
  "An opaque id, unique across types: refetch the row with \`node(id:)\`."
  ${NODE_ID_FIELD}: ID!
}

${implementations.join('\n\n')}

extend type Query {
  "The row a \`${NODE_ID_FIELD}\` names, or null when there is none (as the by-id fields answer)."
  node(id: ID!): Node
  "The rows the \`${NODE_ID_FIELD}\`s name, in their order, each null when there is none; at most ${MAX_PAGE_SIZE} ids."
  nodes(ids: [ID!]!): [Node]!
}
`;
}
