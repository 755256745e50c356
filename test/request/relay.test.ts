/**
 * Relay's conventions over HTTP, as Relay itself uses them: relay-compiler compiles a
 * paginated, refetchable set of fragments against each role's schema as introspected from
 * the running gateway (it refuses a schema that breaks its rules), and relay-runtime runs the
 * compiled operations through a Network that fetches the gateway, normalising answers into its
 * store by `nodeId` and merging pages with its ConnectionHandler. Forward and backward
 * pagination through every page must give the rows a single page gives, for `public` and
 * `staff` alike; `node(id:)` refetches a row as the by-id field reads it.
 *
 * Then the privacy probes: node ids of withheld cases, of a type hidden from the public, of a
 * type whose key the public reads only transformed, and forged or malformed ids.
 */
import { execFile } from 'node:child_process';
import { mkdir, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { promisify } from 'node:util';
import { buildClientSchema, getIntrospectionQuery, printSchema, type IntrospectionQuery } from 'graphql';
import { SignJWT } from 'jose';
import {
  createOperationDescriptor,
  Environment,
  fetchQuery,
  getRequest,
  getSelector,
  Network,
  RecordSource,
  Store,
  type GraphQLTaggedNode,
  type OperationDescriptor,
  type ReaderFragment,
  type Variables,
} from 'relay-runtime';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { serve, type RunningGateway } from '../../src/gateway/serve.js';
import { demoEnvironment } from '../support/demo.js';

const JWT_SECRET = 'relay-test-jwt-secret-0123456789-abcdef';
/** Rows each role may list: the public never sees HOMELESS cases, staff does. */
const FILTER = '{ serviceCode: { in: ["PTHOLE", "HOMELESS"] } }';
const ORDER = '[REQUESTED_AT_DESC]';
const PAGE = 23;

const RELAY_DOCUMENTS = `
graphql\`
  query RelayProbeListQuery($first: Int, $after: String, $last: Int, $before: String) {
    ...RelayProbe_requests @arguments(first: $first, after: $after, last: $last, before: $before)
  }
\`;
graphql\`
  fragment RelayProbe_requests on Query
  @refetchable(queryName: "RelayProbeRequestsPaginationQuery")
  @argumentDefinitions(first: { type: "Int" }, after: { type: "String" }, last: { type: "Int" }, before: { type: "String" }) {
    serviceRequests(first: $first, after: $after, last: $last, before: $before, filter: ${FILTER}, orderBy: ${ORDER})
      @connection(key: "RelayProbe_serviceRequests") {
      edges { node { id ...RelayProbe_request } }
    }
  }
\`;
graphql\`
  fragment RelayProbe_request on ServiceRequest @refetchable(queryName: "RelayProbeRequestRefetchQuery") {
    id status serviceName serviceCode requestedAt
  }
\`;
`;

interface Artifacts {
  list: GraphQLTaggedNode;
  pagination: GraphQLTaggedNode;
  refetch: GraphQLTaggedNode;
  requests: ReaderFragment;
}

interface Answer {
  status: number;
  text: string;
  body: any;
}

const running: RunningGateway[] = [];
const dirs: string[] = [];
let env: Record<string, string>;
let url: string;
let staff: string;

async function start(connectorsDir: string): Promise<string> {
  const gateway = await serve({
    connectorsDir,
    schemasDir: resolve('schemas'),
    port: 0,
    host: '127.0.0.1',
    watch: false,
    env: { ...env, CIVICGRAPH_JWT_SECRET: JWT_SECRET, CIVICGRAPH_RATE_LIMIT_ANONYMOUS: '100000', CIVICGRAPH_PSEUDONYM_KEY: 'relay-test-pseudonym-key-0123456789' },
    audit: () => undefined,
    log: () => undefined,
  });
  running.push(gateway);
  return gateway.url;
}

async function post(to: string, query: string, variables?: Record<string, unknown>, token?: string): Promise<Answer> {
  const response = await fetch(to, {
    method: 'POST',
    headers: { 'content-type': 'application/json', accept: 'application/graphql-response+json', ...(token ? { authorization: `Bearer ${token}` } : {}) },
    body: JSON.stringify({ query, variables }),
  });
  const text = await response.text();
  return { status: response.status, text, body: JSON.parse(text) };
}

/** The role's schema as a client sees it, compiled with the Relay documents above; the compiled artifacts. */
async function compileRelay(token: string | undefined): Promise<Artifacts> {
  const dir = await mkdtemp(join(tmpdir(), 'civicgraph-relay-'));
  dirs.push(dir);
  const introspection = await post(url, getIntrospectionQuery(), undefined, token);
  await writeFile(join(dir, 'schema.graphql'), printSchema(buildClientSchema(introspection.body.data as IntrospectionQuery)));
  await writeFile(
    join(dir, 'relay.config.json'),
    JSON.stringify({
      src: './src',
      schema: './schema.graphql',
      language: 'javascript',
      eagerEsModules: false,
      schemaConfig: { nodeInterfaceIdField: 'nodeId' },
      customScalarTypes: { DateTime: 'string', Date: 'string' },
    }),
  );
  await mkdir(join(dir, 'src'));
  await writeFile(join(dir, 'src', 'RelayProbe.js'), RELAY_DOCUMENTS);
  await promisify(execFile)(process.execPath, [resolve('node_modules/relay-compiler/cli.js')], { cwd: dir });
  const load = createRequire(join(dir, 'src', '__generated__', 'index.js'));
  const artifact = (name: string) => load(`./${name}.graphql.js`);
  return {
    list: artifact('RelayProbeListQuery'),
    pagination: artifact('RelayProbeRequestsPaginationQuery'),
    refetch: artifact('RelayProbeRequestRefetchQuery'),
    requests: artifact('RelayProbe_requests'),
  };
}

/** A Relay environment whose network is the live gateway, identifying records by `nodeId`; `sent` records each operation and its answer. */
function relayEnvironment(token: string | undefined) {
  const sent: Array<{ text: string; variables: Variables; answer: any }> = [];
  const environment = new Environment({
    network: Network.create(async (params, variables) => {
      const answer = (await post(url, params.text!, variables, token)).body;
      sent.push({ text: params.text!, variables, answer });
      return answer;
    }),
    store: new Store(new RecordSource()),
    getDataID: (value) => (value as { nodeId?: string }).nodeId,
  });
  return { environment, sent };
}

interface RelayConnection {
  edges: Array<{ cursor: string; node: { id: string; nodeId: string } }>;
  pageInfo: { hasNextPage: boolean; hasPreviousPage: boolean; startCursor: string | null; endCursor: string | null };
}

/**
 * What `usePaginationFragment` does, without React: the first page by the query, then each
 * next (or previous) page by the fragment's pagination query from the end (or start) cursor,
 * every page merged by Relay's ConnectionHandler; the merged connection as the fragment reads it.
 */
async function paginate(artifacts: Artifacts, token: string | undefined, direction: 'forward' | 'backward'): Promise<{ ids: string[]; pages: number; store: RecordSource; sent: number }> {
  const { environment, sent } = relayEnvironment(token);
  const variables = (cursor: string | null) =>
    direction === 'forward' ? { first: PAGE, after: cursor, last: null, before: null } : { first: null, after: null, last: PAGE, before: cursor };
  const root = createOperationDescriptor(getRequest(artifacts.list), variables(null));
  const retained = [environment.retain(root)];
  const read = (operation: OperationDescriptor): RelayConnection => {
    const fragmentRef = environment.lookup(operation.fragment).data;
    return (environment.lookup(getSelector(artifacts.requests, fragmentRef as never) as never).data as { serviceRequests: RelayConnection }).serviceRequests;
  };
  await fetchQuery(environment, artifacts.list, variables(null)).toPromise();
  let pages = 1;
  for (let connection = read(root); ; connection = read(root), pages++) {
    const more = direction === 'forward' ? connection.pageInfo.hasNextPage : connection.pageInfo.hasPreviousPage;
    if (!more) {
      retained.forEach((disposable) => disposable.dispose());
      return { ids: connection.edges.map((edge) => edge.node.id), pages, store: environment.getStore().getSource() as RecordSource, sent: sent.length };
    }
    if (pages > 100) throw new Error('paging did not end');
    const next = variables(direction === 'forward' ? connection.pageInfo.endCursor : connection.pageInfo.startCursor);
    retained.push(environment.retain(createOperationDescriptor(getRequest(artifacts.pagination), next)));
    await fetchQuery(environment, artifacts.pagination, next).toPromise();
  }
}

/** Every row the role may list, in one page: what paging must reproduce. */
async function onePage(token: string | undefined): Promise<Array<{ id: string; nodeId: string; serviceCode: string }>> {
  const answer = await post(url, `{ serviceRequests(first: 1000, filter: ${FILTER}, orderBy: ${ORDER}) { pageInfo { hasNextPage } nodes { id nodeId serviceCode } } }`, undefined, token);
  expect(answer.body.errors).toBeUndefined();
  expect(answer.body.data.serviceRequests.pageInfo.hasNextPage).toBe(false);
  return answer.body.data.serviceRequests.nodes;
}

const nodeId = (type: string, key: string) => Buffer.from(`${type}:${key}`).toString('base64url');

beforeAll(async () => {
  env = await demoEnvironment('postgres', 'relay');
  url = await start(resolve('connectors'));
  staff = await new SignJWT({ role: 'staff', sub: 'relay-test' })
    .setProtectedHeader({ alg: 'HS256' })
    .setIssuedAt()
    .setAudience('civicgraph')
    .setExpirationTime('1h')
    .sign(new TextEncoder().encode(JWT_SECRET));
}, 300_000);

afterAll(async () => {
  await Promise.all(running.map((gateway) => gateway.stop()));
  await Promise.all(dirs.map((dir) => rm(dir, { recursive: true, force: true })));
});

describe.each([
  ['public', () => undefined],
  ['staff', () => staff],
])('Relay as %s', (role, token) => {
  let artifacts: Artifacts;
  let expected: Awaited<ReturnType<typeof onePage>>;
  beforeAll(async () => {
    artifacts = await compileRelay(token());
    expected = await onePage(token());
  }, 120_000);

  it('compiles: Node, node(id:) and backward paging are what relay-compiler expects (nodeInterfaceIdField: nodeId)', () => {
    const text = (artifact: GraphQLTaggedNode) => (artifact as { params: { text: string } }).params.text;
    // The refetch query Relay writes for a Node type, and the id field it adds to every Node selection.
    expect(text(artifacts.refetch)).toMatch(/query RelayProbeRequestRefetchQuery\(\s*\$nodeId: ID!\s*\) \{\s*node\(id: \$nodeId\)/);
    expect(text(artifacts.list)).toMatch(/nodeId/);
    expect(text(artifacts.pagination)).toContain('serviceRequests(first: $first, after: $after, last: $last, before: $before');
  });

  it('paginates forward through every page: the rows of one page, merged by the ConnectionHandler', async () => {
    const forward = await paginate(artifacts, token(), 'forward');
    expect(forward.ids).toEqual(expected.map((row) => row.id));
    expect(forward.pages).toBe(Math.ceil(expected.length / PAGE));
    expect(forward.pages).toBeGreaterThan(3);
  });

  it('paginates backward through every page (last/before): the same rows in the same order, forward paging reversed page by page', async () => {
    const backward = await paginate(artifacts, token(), 'backward');
    expect(backward.ids).toEqual(expected.map((row) => row.id));
    expect(backward.pages).toBe(Math.ceil(expected.length / PAGE));
    // The store holds each row under its node id, with the dataset's own key beside it.
    const sample = expected[5]!;
    expect(backward.store.get(sample.nodeId)).toMatchObject({ __typename: 'ServiceRequest', id: sample.id, nodeId: sample.nodeId });
  });

  it('lists what the role may see: the public no withheld case, staff some', () => {
    const homeless = expected.filter((row) => row.serviceCode === 'HOMELESS').length;
    if (role === 'public') expect(homeless).toBe(0);
    else expect(homeless).toBeGreaterThan(0);
  });

  it('refetches a row through node(id:) exactly as the by-id field reads it', async () => {
    const row = expected[7]!;
    const { environment, sent } = relayEnvironment(token());
    await fetchQuery(environment, artifacts.refetch, { nodeId: row.nodeId }).toPromise();
    expect(sent[0]!.text).toContain('node(id: $nodeId)');
    expect(sent[0]!.answer.data.node).toMatchObject({ __typename: 'ServiceRequest', nodeId: row.nodeId, id: row.id });
    const record = environment.getStore().getSource().get(row.nodeId);
    const byId = await post(url, `{ serviceRequest(id: "${row.id}") { id status serviceName serviceCode requestedAt } }`, undefined, token());
    expect(record).toMatchObject({ __typename: 'ServiceRequest', ...byId.body.data.serviceRequest });
  });
});

describe('node ids and privacy', () => {
  const NODE = 'query($id: ID!) { node(id: $id) { nodeId __typename ... on ServiceRequest { id status } ... on WorkOrder { id } ... on Permit { id } } }';
  const NODES = 'query($ids: [ID!]!) { nodes(ids: $ids) { nodeId } }';
  const missing = nodeId('ServiceRequest', 'SR-24-09999999');
  let withheld: string[];

  beforeAll(async () => {
    const answer = await post(url, '{ serviceRequests(first: 5, filter: { serviceCode: { in: ["HOMELESS", "ELDERCHK"] } }) { nodes { nodeId } } }', undefined, staff);
    withheld = answer.body.data.serviceRequests.nodes.map((node: { nodeId: string }) => node.nodeId);
    expect(withheld).toHaveLength(5);
  });

  it('a withheld case answers null for the public exactly like a case that does not exist, and its row for staff', async () => {
    const none = await post(url, NODE, { id: missing });
    expect(none.body).toMatchObject({ data: { node: null } });
    expect(none.body.errors).toBeUndefined();
    for (const id of withheld) {
      expect((await post(url, NODE, { id })).text).toBe(none.text);
      expect((await post(url, NODE, { id }, staff)).body.data.node).toMatchObject({ nodeId: id, __typename: 'ServiceRequest' });
    }
    const listed = await post(url, NODES, { ids: [...withheld, missing] });
    expect(listed.body).toEqual({ data: { nodes: withheld.map(() => null).concat(null) }, extensions: listed.body.extensions });
  });

  it('refuses a malformed id with an error naming the argument, and answers the other ids of a list', async () => {
    for (const id of ['SR-24-00000563', '', 'U2VydmljZVJlcXVlc3Q6U1ItMjQtMDAwMDAwNTYz==', 'U2VydmljZVJlcXVlc3Q6U1ItMjQ+MDAwMDAwNTYz', nodeId('ServiceRequest', ''), nodeId('no colon', 'x'), Buffer.from([0xff, 0x3a, 0x31]).toString('base64url')]) {
      const answer = await post(url, NODE, { id });
      expect(answer.status, id).toBe(200);
      expect(answer.body.data, id).toEqual({ node: null });
      expect(answer.body.errors, id).toEqual([
        expect.objectContaining({ message: 'id: not a node id this API issued (a node id is the `nodeId` of a row, not its `id`)', extensions: { code: 'BAD_USER_INPUT', argument: 'id' } }),
      ]);
    }
    const [first] = withheld;
    const row = (await post(url, '{ serviceRequests(first: 1) { nodes { nodeId } } }')).body.data.serviceRequests.nodes[0].nodeId;
    const mixed = await post(url, NODES, { ids: [row, 'SR-24-00000563', first] });
    expect(mixed.body.data.nodes).toEqual([{ nodeId: row }, null, null]);
    expect(mixed.body.errors).toEqual([expect.objectContaining({ path: ['nodes', 1], extensions: { code: 'BAD_USER_INPUT', argument: 'ids' } })]);
  });

  it('answers null for well-formed ids of types that are no dataset, and for hostile keys', async () => {
    const none = (await post(url, NODE, { id: missing })).text;
    for (const id of ['Query:x', 'Node:x', '__Schema:x', 'Location:1', 'PageInfo:1', 'Nonexistent:1', "ServiceRequest:' OR 1=1 --", `ServiceRequest:${'9'.repeat(5000)}`, 'WorkOrder:1e3', 'WorkOrder:-1']) {
      const answer = await post(url, NODE, { id: Buffer.from(id).toString('base64url') });
      expect(answer.body.errors, id).toBeUndefined();
      expect(answer.text, id).toBe(none);
    }
  });

  it('bounds nodes(ids:) at a page: 1,000 ids answer, 1,001 are refused naming the argument', async () => {
    const ids = Array.from({ length: 1000 }, (_, index) => nodeId('WorkOrder', String(900000 + index)));
    const thousand = await post(url, NODES, { ids });
    expect(thousand.body.errors).toBeUndefined();
    expect(thousand.body.data.nodes).toHaveLength(1000);
    expect(thousand.body.extensions.cost.estimated).toBe(1000);
    const over = await post(url, NODES, { ids: [...ids, missing] });
    expect(over.status).toBe(200);
    expect(over.body.data).toBeNull();
    expect(over.body.errors).toEqual([
      expect.objectContaining({ message: 'ids: at most 1000 ids per list, as many as one page holds; ask for the others in another list', extensions: { code: 'BAD_USER_INPUT', argument: 'ids' } }),
    ]);
  });

  it('refuses first with last, and backward cursors replayed against another filter or order', async () => {
    const both = await post(url, '{ serviceRequests(first: 2, last: 2) { nodes { id } } }');
    expect(both.body.errors).toEqual([expect.objectContaining({ message: 'last: give `first` (with `after`) or `last` (with `before`), not both', extensions: { code: 'BAD_USER_INPUT', argument: 'last' } })]);
    const last = await post(url, '{ serviceRequests(last: 3, orderBy: [REQUESTED_AT_DESC]) { pageInfo { startCursor } } }');
    const cursor = last.body.data.serviceRequests.pageInfo.startCursor as string;
    for (const other of ['orderBy: [REQUESTED_AT_ASC]', 'orderBy: [REQUESTED_AT_DESC], filter: { status: { eq: OPEN } }']) {
      const replayed = await post(url, `query($before: String) { serviceRequests(last: 3, before: $before, ${other}) { nodes { id } } }`, { before: cursor });
      expect(replayed.body.errors[0].message).toBe('before: this cursor belongs to a query with another filter or order');
    }
    const over = await post(url, '{ serviceRequests(last: 1001) { nodes { id } } }');
    expect(over.body.errors[0].message).toBe('last: at most 1000 rows per page; use `before` to read further pages');
  });

  describe('with permits internal and work-order ids pseudonymized for the public', () => {
    let other: string;
    const introspect = async (token?: string) =>
      (await post(other, '{ node: __type(name: "Node") { possibleTypes { name } } permit: __type(name: "Permit") { name } workOrder: __type(name: "WorkOrder") { interfaces { name } fields { name } } }', undefined, token)).body.data;

    beforeAll(async () => {
      const dir = await mkdtemp(join(tmpdir(), 'civicgraph-relay-connectors-'));
      dirs.push(dir);
      for (const file of ['roles.yaml', 'crm-311.yaml', 'public-works.yaml', 'permits.yaml']) {
        let text = await readFile(join('connectors', file), 'utf8');
        if (file === 'permits.yaml') text = text.replace(/^(\s+)publication: public$/m, '$1publication: internal');
        if (file === 'public-works.yaml') text = text.replace(/^(\s+access:\s+public:\s+fields:\s+)id: visible$/m, '$1id: pseudonymize');
        await writeFile(join(dir, file), text);
      }
      other = await start(dir);
    }, 120_000);

    it('the public schema’s Node lists only the types the public can look up by id; staff’s also the internal one', async () => {
      const publicView = await introspect();
      expect(publicView.node.possibleTypes).toEqual([{ name: 'ServiceRequest' }]);
      expect(publicView.permit).toBeNull();
      expect(publicView.workOrder.interfaces).toEqual([]);
      expect(publicView.workOrder.fields.map((field: { name: string }) => field.name)).not.toContain('nodeId');
      expect(publicView.workOrder.fields.map((field: { name: string }) => field.name)).toContain('id');
      const staffView = await introspect(staff);
      expect(staffView.node.possibleTypes.map((type: { name: string }) => type.name).sort()).toEqual(['Permit', 'ServiceRequest']);
      // Staff inherits the public's rule for the work-order key, so reads it pseudonymized too: no node ids either.
      expect(staffView.workOrder.interfaces).toEqual([]);
    });

    it('node ids of the hidden type and of the pseudonymized type answer null for the public, as a missing row does, never naming the type', async () => {
      const query = 'query($id: ID!) { node(id: $id) { nodeId } }';
      const none = (await post(other, query, { id: missing })).text;
      expect(JSON.parse(none)).toMatchObject({ data: { node: null } });
      // The ids the first gateway, where both types are public with raw keys, gives its rows.
      const rows = (await post(url, '{ permits(first: 3) { nodes { nodeId } } workOrders(first: 3) { nodes { nodeId } } }', undefined, staff)).body.data;
      const [permits, workOrders] = [rows.permits.nodes, rows.workOrders.nodes].map((nodes: Array<{ nodeId: string }>) => nodes.map((node) => node.nodeId));
      const ids = [...permits!, ...workOrders!];
      expect(ids).toHaveLength(6);
      for (const id of permits!) expect((await post(other, query, { id }, staff)).body.data.node).toEqual({ nodeId: id });
      for (const id of workOrders!) expect((await post(other, query, { id }, staff)).text).toBe((await post(other, query, { id: missing }, staff)).text);
      for (const id of ids) expect((await post(other, query, { id })).text).toBe(none);
      const listed = await post(other, 'query($ids: [ID!]!) { nodes(ids: $ids) { nodeId } }', { ids });
      expect(listed.body.data.nodes).toEqual(ids.map(() => null));
      expect(listed.text).not.toMatch(/Permit|WorkOrder/);
      // A fragment on the hidden type is refused by validation, as any unknown type is.
      const fragment = await post(other, 'query($id: ID!) { node(id: $id) { ... on Permit { id } } }', { id: ids[0] });
      expect(fragment.body.errors[0].message).toBe('Unknown type "Permit".');
    });
  });
});
