/**
 * The GraphQL clients civic technologists use, each with its defaults, against a running gateway
 * over the demo (PGlite): urql (queries as GET), Apollo Client (core, POST) and graphql-request
 * (POST). Each runs a list query with variables, a look-up by id and two failing queries, as the
 * public and with a staff token, and must read the same answers plain `fetch` reads.
 */
import { ApolloClient, CombinedGraphQLErrors, HttpLink, InMemoryCache, gql as apolloGql } from '@apollo/client';
import { Client as UrqlClient, fetchExchange } from '@urql/core';
import { ClientError, GraphQLClient } from 'graphql-request';
import { SignJWT } from 'jose';
import { resolve } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { serve, type RunningGateway } from '../../src/gateway/serve.js';
import { demoEnvironment } from '../support/demo.js';

const JWT_SECRET = 'clients-test-jwt-secret-0123456789-abcdef';

const LIST = `query OpenCases($first: Int, $filter: ServiceRequestFilter) {
  serviceRequests(first: $first, filter: $filter, orderBy: [ID_ASC]) { totalCount nodes { id status address } }
}`;
const BY_ID = 'query Case($id: ID!) { serviceRequest(id: $id) { id status address } }';
/** A field the public cannot see does not exist for it; staff may read it. */
const STAFF_ONLY = 'query Nearby($id: ID!) { serviceRequest(id: $id) { id permitsAtAddress { permitNumber } } }';
const TOO_MANY = 'query TooMany { serviceRequests(first: 1001) { totalCount } }';

const listVariables = { first: 10, filter: { status: { eq: 'OPEN' } } };

let gateway: RunningGateway;
let staffToken: string;
/** What plain fetch reads, per role: the answers every client must give. */
const truth: Record<'public' | 'staff', { list: any; byId: any }> = { public: { list: undefined, byId: undefined }, staff: { list: undefined, byId: undefined } };
let caseId: string;

async function plainFetch(query: string, variables: Record<string, unknown>, headers: Record<string, string>): Promise<any> {
  const response = await fetch(gateway.url, { method: 'POST', headers: { 'content-type': 'application/json', ...headers }, body: JSON.stringify({ query, variables }) });
  const body: any = await response.json();
  expect(body.errors).toBeUndefined();
  return body.data;
}

beforeAll(async () => {
  const env = { ...(await demoEnvironment('pglite', 'clients')), CIVICGRAPH_JWT_SECRET: JWT_SECRET, CIVICGRAPH_RATE_LIMIT_ANONYMOUS: '100000' };
  gateway = await serve({ connectorsDir: resolve('connectors'), schemasDir: resolve('schemas'), port: 0, host: '127.0.0.1', watch: false, env, audit: () => undefined, log: () => undefined });
  staffToken = await new SignJWT({ role: 'staff' }).setProtectedHeader({ alg: 'HS256' }).setSubject('clients-test').setAudience('civicgraph').setExpirationTime('10m').sign(new TextEncoder().encode(JWT_SECRET));
  for (const role of ['public', 'staff'] as const) {
    const headers: Record<string, string> = role === 'staff' ? { authorization: `Bearer ${staffToken}` } : {};
    truth[role].list = await plainFetch(LIST, listVariables, headers);
  }
  caseId = truth.staff.list.serviceRequests.nodes.find((node: { address: string | null }) => /^\d+ /.test(node.address ?? '')).id;
  for (const role of ['public', 'staff'] as const) {
    truth[role].byId = await plainFetch(BY_ID, { id: caseId }, role === 'staff' ? { authorization: `Bearer ${staffToken}` } : {});
  }
  // The roles must differ where the test looks, or a client that lost the token would pass.
  expect(truth.public.byId.serviceRequest.address).toMatch(/^\d*XX /);
  expect(truth.staff.byId.serviceRequest.address).toMatch(/^\d+ /);
  expect(truth.public.list.serviceRequests.nodes.length).toBe(10);
});

afterAll(async () => {
  await gateway?.stop();
});

/** What each test asks of a client, in one shape: data, or the messages of the errors it reports. */
interface Answer {
  data?: any;
  errors?: string[];
}

interface ClientUnderTest {
  name: string;
  /** The HTTP methods the client used, as its own fetch calls said. */
  methods: string[];
  run(query: string, variables?: Record<string, unknown>): Promise<Answer>;
}

/** Records each request's method, then lets the client's own request through unchanged. */
function recordingFetch(methods: string[]): typeof fetch {
  return (input, init) => {
    methods.push(init?.method ?? (input instanceof Request ? input.method : 'GET'));
    return fetch(input, init);
  };
}

function urql(headers: Record<string, string>): ClientUnderTest {
  const methods: string[] = [];
  const client = new UrqlClient({ url: gateway.url, exchanges: [fetchExchange], fetch: recordingFetch(methods), fetchOptions: { headers } });
  return {
    name: 'urql',
    methods,
    async run(query, variables = {}) {
      const result = await client.query(query, variables, { requestPolicy: 'network-only' }).toPromise();
      return result.error ? { errors: result.error.graphQLErrors.map((error) => error.message) } : { data: result.data };
    },
  };
}

function apollo(headers: Record<string, string>): ClientUnderTest {
  const methods: string[] = [];
  const client = new ApolloClient({ link: new HttpLink({ uri: gateway.url, headers, fetch: recordingFetch(methods) }), cache: new InMemoryCache() });
  return {
    name: 'Apollo Client',
    methods,
    async run(query, variables = {}) {
      try {
        const result = await client.query({ query: apolloGql(query), variables, fetchPolicy: 'network-only' });
        return { data: result.data };
      } catch (error) {
        if (CombinedGraphQLErrors.is(error)) return { errors: error.errors.map((each) => each.message) };
        throw error;
      }
    },
  };
}

function graphqlRequest(headers: Record<string, string>): ClientUnderTest {
  const methods: string[] = [];
  const client = new GraphQLClient(gateway.url, { headers, fetch: recordingFetch(methods) });
  return {
    name: 'graphql-request',
    methods,
    async run(query, variables = {}) {
      try {
        return { data: await client.request(query, variables) };
      } catch (error) {
        if (error instanceof ClientError) return { errors: error.response.errors?.map((each) => each.message) ?? [] };
        throw error;
      }
    },
  };
}

/** Apollo Client adds __typename to every selection; compare the fields the query asked for. */
function withoutTypename(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(withoutTypename);
  if (value && typeof value === 'object') return Object.fromEntries(Object.entries(value).filter(([key]) => key !== '__typename').map(([key, each]) => [key, withoutTypename(each)]));
  return value;
}

const makers = [
  ['urql', urql],
  ['Apollo Client', apollo],
  ['graphql-request', graphqlRequest],
] as const;

for (const role of ['public', 'staff'] as const) {
  describe(`as ${role}`, () => {
    const headers = (): Record<string, string> => (role === 'staff' ? { authorization: `Bearer ${staffToken}` } : {});

    it.each(makers)('%s reads the list with variables and the case by id as plain fetch does', async (_name, make) => {
      const client = make(headers());
      expect(withoutTypename((await client.run(LIST, listVariables)).data)).toEqual(truth[role].list);
      expect(withoutTypename((await client.run(BY_ID, { id: caseId })).data)).toEqual(truth[role].byId);
      // urql's default sends queries as GET; the others POST.
      expect(client.methods).toEqual(client.name === 'urql' ? ['GET', 'GET'] : ['POST', 'POST']);
    });

    it.each(makers)('%s reports the errors of a failing query', async (_name, make) => {
      const client = make(headers());
      expect(await client.run(TOO_MANY)).toEqual({ errors: ['first: at most 1000 rows per page; use `after` to read further pages'] });
      const staffOnly = await client.run(STAFF_ONLY, { id: caseId });
      if (role === 'public') expect(staffOnly).toEqual({ errors: ['Cannot query field "permitsAtAddress" on type "ServiceRequest".'] });
      else expect(withoutTypename(staffOnly.data)).toEqual({ serviceRequest: { id: caseId, permitsAtAddress: expect.any(Array) } });
    });
  });
}
