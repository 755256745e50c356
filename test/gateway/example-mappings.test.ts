/**
 * The example mappings in connectors/examples — an Open311 API, a CSV export and a MongoDB
 * app — served together, each over a real system of its kind (a local GeoReport v2 server,
 * the shipped CSV file, the MongoDB wire test server): a liaison's file alone connects each.
 */
import { cp, copyFile, mkdtemp, rm } from 'node:fs/promises';
import { createServer, type IncomingHttpHeaders, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { MongoClient } from 'mongodb';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openEngine, type Engine } from '../support/engine.js';
import { startMongoWireServer, type MongoWireServer } from '../support/mongo-wire/server.js';

/** Lakeview's requests as GeoReport v2 publishes them. */
const REQUESTS = [
  { service_request_id: 'LV-101', status: 'open', service_code: 'PTHOLE', service_name: 'Pothole', description: 'Deep hole, call 312-555-0101', requested_datetime: '2024-05-06T08:00:00-05:00', address: '42 North Main Avenue', lat: 41.9, long: -87.6 },
  { service_request_id: 'LV-102', status: 'closed', service_code: 'GRAFITI', service_name: 'Graffiti', description: 'Tag on the wall', requested_datetime: '2024-05-07T09:30:00-05:00', updated_datetime: '2024-05-08T10:00:00-05:00', address: '7 E Lake Dr', lat: 41.91, long: -87.61 },
  { service_request_id: 'LV-103', status: 'open', service_code: 'GRAFITI', service_name: 'Graffiti', description: null, requested_datetime: '2024-05-09T12:00:00-05:00', address: '42 N MAIN AVE', lat: 41.9, long: -87.6 },
];

let open311: Server;
const seen: Array<{ query: URLSearchParams; headers: IncomingHttpHeaders }> = [];
let mongo: MongoWireServer;
let dir: string;
let engine: Engine;

beforeAll(async () => {
  open311 = createServer((request, response) => {
    const url = new URL(request.url ?? '/', 'http://localhost');
    seen.push({ query: url.searchParams, headers: request.headers });
    if (url.pathname !== '/v2/requests.json') return void response.writeHead(404).end();
    if (request.headers['x-api-key'] !== 'lakeview-key') return void response.writeHead(401).end();
    const status = url.searchParams.get('status');
    const matching = REQUESTS.filter((r) => status === null || r.status === status);
    const page = Number(url.searchParams.get('page') ?? 1);
    const size = Number(url.searchParams.get('page_size') ?? 100);
    response.writeHead(200, { 'content-type': 'application/json; charset=utf-8' }).end(JSON.stringify(matching.slice((page - 1) * size, page * size)));
  });
  await new Promise<void>((resolve) => open311.listen(0, '127.0.0.1', resolve));

  mongo = await startMongoWireServer();
  const client = new MongoClient(`${mongo.url}/permitting`);
  try {
    await client.db().collection('permits').insertMany([
      {
        permitNumber: 'BP-2024-0042',
        status: { current: 'issued', history: [{ at: new Date('2024-04-01T15:00:00Z'), to: 'submitted' }] },
        dates: { applied: new Date('2024-04-01T00:00:00Z'), issued: new Date('2024-04-20T00:00:00Z') },
        scope: { type: 'Building', description: 'Porch addition', valuation: 18500 },
        site: { line1: '42 North Main Avenue', city: 'Riverton', state: 'IL', zip: '60601', geo: { lat: 41.9, lon: -87.6 } },
        contractors: [{ company: 'Acme Builders', license: 'GC-7', phone: '312-555-0199' }],
      },
    ]);
  } finally {
    await client.close();
  }

  dir = await mkdtemp(join(tmpdir(), 'civicgraph-examples-'));
  await cp('connectors/examples', dir, { recursive: true });
  await copyFile('connectors/roles.yaml', join(dir, 'roles.yaml'));
  engine = await openEngine(
    {
      LAKEVIEW_OPEN311_URL: `http://127.0.0.1:${(open311.address() as AddressInfo).port}/v2/`,
      LAKEVIEW_OPEN311_KEY: 'lakeview-key',
      PERMITS_MONGODB_URL: `${mongo.url}/permitting`,
    },
    dir,
  );
});

afterAll(async () => {
  await engine?.close();
  await mongo?.close();
  await new Promise<void>((resolve) => open311?.close(() => resolve()));
  if (dir) await rm(dir, { recursive: true, force: true });
});

describe('the example mappings', () => {
  it('load without errors', () => {
    expect(engine.state.problems.filter((problem) => problem.severity === 'error')).toEqual([]);
    expect(engine.state.datasets.map((dataset) => `${dataset.type.name} ← ${dataset.connector.source.kind}`)).toEqual(['CodeCase ← csv', 'Permit ← mongodb', 'ServiceRequest ← rest', 'WorkOrder ← csv']);
  });

  it('join the type Code Compliance declares to the Open311 API, both ways, though neither file names the other type in schemas/', async () => {
    const result = await engine.run(`{
      serviceRequest(id: "LV-101") { id codeCases { id status serviceRequest { id } } codeCasesAtAddress(orderBy: [OPENED_AT_ASC]) { id address } }
      codeCase(id: "CE-24-0108") { violation serviceRequest { id status } serviceRequestsAtAddress { id } }
    }`);
    expect(result.errors).toBeUndefined();
    expect(result.data).toEqual({
      serviceRequest: {
        id: 'LV-101',
        codeCases: [{ id: 'CE-24-0107', status: 'OPEN', serviceRequest: { id: 'LV-101' } }],
        codeCasesAtAddress: [
          { id: 'CE-24-0107', address: '42 N MAIN AVE' },
          { id: 'CE-24-0109', address: '42 N MAIN AVE' },
        ],
      },
      codeCase: { violation: 'Overgrown weeds', serviceRequest: { id: 'LV-102', status: 'CLOSED' }, serviceRequestsAtAddress: [{ id: 'LV-102' }] },
    });
  });

  it('serve the Open311 API, sending the filters it applies and the key from the environment', async () => {
    const result = await engine.run('{ serviceRequests(filter: { status: { eq: OPEN } }, orderBy: [REQUESTED_AT_DESC]) { totalCount nodes { id serviceName description requestedAt address } } }', undefined, 'public');
    expect(result.errors).toBeUndefined();
    expect(result.data).toEqual({
      serviceRequests: {
        totalCount: 2,
        nodes: [
          { id: 'LV-103', serviceName: 'Graffiti', description: null, requestedAt: '2024-05-09T17:00:00.000Z', address: '42 N MAIN AVE' },
          { id: 'LV-101', serviceName: 'Pothole', description: 'Deep hole, call [phone]', requestedAt: '2024-05-06T13:00:00.000Z', address: '42 N MAIN AVE' },
        ],
      },
    });
    expect(seen.some((request) => request.query.get('status') === 'open' && request.headers['x-api-key'] === 'lakeview-key')).toBe(true);
  });

  it('serve the CSV export, typed, with the public rules applied', async () => {
    const result = await engine.run('{ workOrders(orderBy: [COST_DESC]) { nodes { id status description createdAt completedAt address laborHours cost } } }', undefined, 'public');
    expect(result.errors).toBeUndefined();
    const nodes = (result.data as { workOrders: { nodes: Array<Record<string, unknown>> } }).workOrders.nodes;
    // Nulls first descending, ties in key order.
    expect(nodes.map((node) => node.id)).toEqual(['PK-1002', 'PK-1003', 'PK-1005', 'PK-1004', 'PK-1001']);
    expect(nodes[3]).toEqual({ id: 'PK-1004', status: 'COMPLETED', description: 'Low branches over the path', createdAt: '2024-05-09T13:00:00.000Z', completedAt: '2024-05-09T20:45:00.000Z', address: '0XX E LAKE DR', laborHours: 7.75, cost: 465.5 });
    expect(JSON.stringify(nodes)).not.toContain('312-555-0142');
  });

  it('serve the MongoDB app’s nested documents, hiding the contractor’s phone from the public', async () => {
    const fields = 'permitNumber statusCurrentMapped appliedDate issuedDate originalAddress1 latitude estProjectCost contractorCompanyName';
    const result = await engine.run(`{ permits(filter: { appliedDate: { gte: "2024-04-01" } }) { nodes { ${fields} } } }`, undefined, 'public');
    expect(result.errors).toBeUndefined();
    expect(result.data).toEqual({
      permits: {
        nodes: [{ permitNumber: 'BP-2024-0042', statusCurrentMapped: 'PERMIT_ISSUED', appliedDate: '2024-04-01', issuedDate: '2024-04-20', originalAddress1: '42 N MAIN AVE', latitude: 41.9, estProjectCost: 18500, contractorCompanyName: 'Acme Builders' }],
      },
    });
    expect((await engine.run('{ permits { nodes { contractorPhone } } }', undefined, 'public')).errors?.[0]?.message).toMatch(/Cannot query field "contractorPhone"/);
  });

  it('meet at one address across the API, the spreadsheet and the database', async () => {
    const result = await engine.run('{ address(line: "42 north main ave") { serviceRequests { nodes { id } } workOrders { nodes { id } } permits { nodes { permitNumber } } } }');
    expect(result.errors).toBeUndefined();
    expect(result.data).toEqual({
      address: { serviceRequests: { nodes: [{ id: 'LV-101' }, { id: 'LV-103' }] }, workOrders: { nodes: [{ id: 'PK-1002' }] }, permits: { nodes: [{ permitNumber: 'BP-2024-0042' }] } },
    });
  });
});
