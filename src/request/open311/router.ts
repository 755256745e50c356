/**
 * `/open311/v2`: the read side of Open311 GeoReport v2 — `discovery`, `services`,
 * `services/{code}`, `requests` and `requests/{id}`, each as `.json` or `.xml`.
 *
 * Every request enters through the GraphQL endpoint's door (`runAs`): it is authenticated,
 * counted against its caller's budgets and held to its role's runtime budget like a GraphQL
 * request, and everything it reads is a GraphQL operation run through the role's own server.
 * So the role's field rules, transforms, row rules, cost limit and audit apply unchanged: an
 * Open311 answer shows a role exactly what GraphQL shows it, in Open311's names.
 */
import express, { type Request, type Response, type Router } from 'express';
import type { GraphQLFormattedError } from 'graphql';
import { cursorAt } from '../../plan/cursor.js';
import type { AdmittedRequest, GraphQLEndpoint, Operation } from '../graphql-endpoint.js';
import { FORMATS, send, type Document, type Element, type Format } from './document.js';
import { badParameter, fromGraphQL, Open311Error } from './errors.js';
import { CATALOG, firstCursor, requestById, requestsList, requestsPage, servicesByRequests } from './operations.js';
import { Parameters, requestsQuery, type Resource } from './parameters.js';
import { requestElement, requestSelection, serviceRequestType, SERVICE_REQUEST_TYPE } from './request-fields.js';
import { discoveryDocument, servicesDocument, type ServiceGroup } from './services.js';
import type { Log } from '../../observe/log.js';

export interface Open311Options {
  endpoint: GraphQLEndpoint;
  /** Where errors no Open311 answer explains are noted. */
  log: Log;
}

interface Route {
  resource: Resource;
  /** The service code or request id in the path. */
  id?: string;
  format: string;
}

const ROUTES: ReadonlyArray<{ pattern: RegExp; resource: Resource }> = [
  { pattern: /^\/discovery\.([^./]+)$/, resource: 'discovery' },
  { pattern: /^\/services\.([^./]+)$/, resource: 'services' },
  { pattern: /^\/services\/([^/]+)\.([^./]+)$/, resource: 'service' },
  { pattern: /^\/requests\.([^./]+)$/, resource: 'requests' },
  { pattern: /^\/requests\/([^/]+)\.([^./]+)$/, resource: 'request' },
];

function route(path: string): Route | undefined {
  for (const { pattern, resource } of ROUTES) {
    const match = pattern.exec(path);
    if (!match) continue;
    const format = match.at(-1)!;
    if (match.length === 2) return { resource, format };
    try {
      return { resource, id: decodeURIComponent(match[1]!), format };
    } catch {
      return undefined;
    }
  }
  return undefined;
}

function errorsDocument(error: Open311Error): Document {
  return { root: 'errors', body: { error: error.errors.map((entry): Element => ({ code: entry.code, description: entry.description })) } };
}

/** The same answer for a request that does not exist and one the role may not read. */
const NO_SUCH_REQUEST = Open311Error.of(404, 'service_request_id: no service request with this id');
const NO_SERVICE_REQUESTS = Open311Error.of(404, 'this gateway publishes no service requests to your role');
const NO_DEFINITION = Open311Error.of(404, 'service_code: no service definition for this code; no service has one (each service lists metadata: false)');

export function open311Router({ endpoint, log }: Open311Options): Router {
  const router = express.Router();
  // Discovery's changeset: the service list and definitions may have changed when this endpoint started.
  const startedAt = new Date().toISOString();

  router.use(async (request, response) => {
    const found = route(request.path);
    // Until the format is known, errors are answered in JSON.
    const format: Format = found && (FORMATS as readonly string[]).includes(found.format) ? (found.format as Format) : 'json';
    const answerError = (error: Open311Error) => send(response, format, error.status, errorsDocument(error));
    const refuse = (refused: Response, status: number, error: GraphQLFormattedError) => {
      // GeoReport v2 answers a missing or invalid key with 403.
      const answered = status === 401 ? 403 : status;
      send(refused, format, answered, errorsDocument(Open311Error.of(answered, error.message)));
    };
    // Open311 clients send their key as `api_key`; the door reads app tokens from X-App-Token.
    const apiKey = request.query.api_key;
    if (typeof apiKey === 'string' && apiKey !== '' && request.get('x-app-token') === undefined) request.headers['x-app-token'] = apiKey;

    await endpoint.runAs(
      request,
      response,
      async (admitted) => {
        try {
          if (!found) throw Open311Error.of(404, 'no such resource: GeoReport v2 serves discovery, services, services/{service_code}, requests and requests/{service_request_id}, each ending in .json or .xml');
          if (format !== found.format) throw badParameter('format', `${JSON.stringify(found.format)} is not served; end the path in .json or .xml`);
          if (request.method !== 'GET' && request.method !== 'HEAD') {
            response.set('Allow', 'GET, HEAD');
            throw Open311Error.of(405, 'this endpoint is read-only: requests cannot be submitted here');
          }
          const parameters = new Parameters(request.query, found.resource);
          send(response, format, 200, await answer(found, parameters, admitted, { request, startedAt }));
        } catch (error) {
          if (error instanceof Open311Error) return answerError(error);
          // The name only: an unexpected message may carry a value.
          log(`open311: internal error answering ${found?.resource ?? 'a request'}: ${error instanceof Error ? error.name : typeof error}`, 'error');
          answerError(Open311Error.of(500, 'internal error'));
        }
      },
      refuse,
    );
  });
  return router;
}

interface AnswerContext {
  request: Request;
  startedAt: string;
}

async function answer(found: Route, parameters: Parameters, admitted: AdmittedRequest, context: AnswerContext): Promise<Document> {
  switch (found.resource) {
    case 'discovery':
      return discovery(admitted, context);
    case 'services':
      return services(admitted);
    case 'service':
      throw NO_DEFINITION;
    case 'requests':
      return requests(admitted, parameters, new Date());
    case 'request':
      return oneRequest(admitted, parameters, found.id!);
  }
}

/** Runs one operation; any error fails the whole answer, which Open311 cannot give in part. */
async function run<Data>(admitted: AdmittedRequest, operation: Operation, sizeParameter?: string): Promise<Partial<Data>> {
  const { result } = await admitted.execute(operation);
  if (result.errors?.length) throw fromGraphQL(result.errors, sizeParameter);
  return (result.data ?? {}) as Partial<Data>;
}

type Node = Record<string, unknown>;
interface PageData {
  serviceRequests: { nodes: Node[]; pageInfo: { startCursor: string | null } } | null;
}
interface CatalogData {
  catalog: { dataset: Array<{ identifier: string; publisher: { name: string }; contactPoint: { fn: string; hasEmail: string } }> };
}

function selectionFor(admitted: AdmittedRequest, parameters: Parameters) {
  const type = serviceRequestType(admitted.schema);
  if (!type) throw NO_SERVICE_REQUESTS;
  return requestSelection(admitted.schema, type, parameters.flag('extensions'));
}

async function requests(admitted: AdmittedRequest, parameters: Parameters, now: Date): Promise<Document> {
  const selection = selectionFor(admitted, parameters);
  const query = requestsQuery(parameters, now);
  const list = requestsList(admitted.schema, query);
  let after: string | undefined;
  if (query.page > 1) {
    // Page N is reached by position, from the cursor of the first row of the same filter and order.
    const start = (await run<PageData>(admitted, firstCursor(list))).serviceRequests?.pageInfo.startCursor;
    if (!start) return { root: 'service_requests', body: { request: [] } };
    after = cursorAt(start, (query.page - 1) * query.pageSize - 1);
  }
  const data = await run<PageData>(admitted, requestsPage(list, selection, query.pageSize, after), 'page_size');
  const nodes = data.serviceRequests?.nodes ?? [];
  return { root: 'service_requests', body: { request: nodes.map((node) => requestElement(node, selection)) } };
}

async function oneRequest(admitted: AdmittedRequest, parameters: Parameters, id: string): Promise<Document> {
  const selection = selectionFor(admitted, parameters);
  if (!admitted.schema.getQueryType()?.getFields().serviceRequest) throw NO_SUCH_REQUEST;
  const node = (await run<{ serviceRequest: Node | null }>(admitted, requestById(selection, id))).serviceRequest;
  if (!node) throw NO_SUCH_REQUEST;
  return { root: 'service_requests', body: { request: [requestElement(node, selection)] } };
}

async function services(admitted: AdmittedRequest): Promise<Document> {
  if (!serviceRequestType(admitted.schema)) throw NO_SERVICE_REQUESTS;
  const operation = servicesByRequests(admitted.schema);
  if (!operation) return servicesDocument([]);
  return servicesDocument((await run<{ serviceRequestStats: ServiceGroup[] }>(admitted, operation)).serviceRequestStats ?? []);
}

async function discovery(admitted: AdmittedRequest, { request, startedAt }: AnswerContext): Promise<Document> {
  const datasets = (await run<CatalogData>(admitted, CATALOG)).catalog?.dataset ?? [];
  const publisher = datasets.find((dataset) => dataset.identifier === SERVICE_REQUEST_TYPE) ?? datasets[0];
  const contact = publisher
    ? `${publisher.publisher.name}: ${publisher.contactPoint.fn}, ${publisher.contactPoint.hasEmail.replace(/^mailto:/, '')}`
    : 'the city that runs this gateway';
  // The endpoint is this router's own address, as the caller reached it (behind a proxy, per CIVICGRAPH_TRUST_PROXY).
  const url = `${request.protocol}://${request.get('host') ?? 'localhost'}${request.baseUrl}`;
  return discoveryDocument({ changeset: startedAt, url, contact });
}
