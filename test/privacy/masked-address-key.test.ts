/**
 * A join key that is an address. Row shapes read an address as stored and spell it canonically
 * themselves (src/plan/row-shape.ts), so the source that nulls a key naming no readable row
 * (src/privacy/masked-keys.ts) must find the key in that form too: were it looking only for the
 * source-side spelling, it would find nothing to null, and the key would say which withheld row
 * shares it. The contract city's work orders are given a to-one join by address to the 311
 * requests, of which the public may read neither HOMELESS cases nor any at one address
 * (WITHHELD_ADDRESS); with `withheldWith: []` the public is served every work order, and each
 * address that names no request it can read reads as null.
 */
import { copyFile, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { normalizeAddress } from '../../src/source/address.js';
import { SERVICE_REQUESTS, WORK_ORDERS } from '../gateway/contract/city.js';
import { serviceRequestMapping, workOrderMapping } from '../gateway/contract/mappings.js';
import { storeTogether, type Stored } from '../gateway/contract/systems.js';
import { openEngine, type Engine } from '../support/engine.js';

const column = (table: typeof SERVICE_REQUESTS, name: string) => table.columns.findIndex((c) => c.name === name);
const spelled = (address: unknown) => (address === null ? null : normalizeAddress(String(address)));
/** One of the city's addresses (written here in a spelling of its own), whose requests are all withheld from the public. */
const WITHHELD_ADDRESS = '42 north main ave.';
/** The addresses of the requests the public may read, canonically spelled. */
const READABLE_ADDRESSES = new Set(
  SERVICE_REQUESTS.rows
    .filter((row) => row[column(SERVICE_REQUESTS, 'svc')] !== 'HOMELESS' && spelled(row[column(SERVICE_REQUESTS, 'addr')]) !== normalizeAddress(WITHHELD_ADDRESS))
    .map((row) => spelled(row[column(SERVICE_REQUESTS, 'addr')])),
);
const ORDERS = WORK_ORDERS.rows.map((row) => ({ id: String(row[column(WORK_ORDERS, 'wo_id')]), address: spelled(row[column(WORK_ORDERS, 'addr')]) }));

let stored: Stored;
let dir: string;
let engine: Engine;

beforeAll(async () => {
  stored = await storeTogether('postgres', [SERVICE_REQUESTS, WORK_ORDERS], 'civicgraph_masked_address_key');
  const works = workOrderMapping('postgres', stored)
    .replace('      serviceRequest: { target: ServiceRequest, on: { serviceRequestId: id } }\n', '      serviceRequest: { target: ServiceRequest, on: { serviceRequestId: id } }\n      requestAtAddress: { target: ServiceRequest, on: { address: address } }\n')
    .replace('    access:\n      public:\n        minimumCellCount: 2\n', '    access:\n      public:\n        minimumCellCount: 2\n        rows: { withheldWith: [] }\n');
  if (!works.includes('requestAtAddress') || !works.includes('withheldWith')) throw new Error('the work-order mapping changed shape: this test no longer adds its join');
  dir = await mkdtemp(join(tmpdir(), 'civicgraph-masked-address-'));
  await copyFile('connectors/roles.yaml', join(dir, 'roles.yaml'));
  const requests = serviceRequestMapping('postgres', stored).replace(
    '          exclude: { serviceCode: { in: [HOMELESS] } }\n',
    `          exclude: { or: [{ serviceCode: { in: [HOMELESS] } }, { address: { eq: "${WITHHELD_ADDRESS}" } }] }\n`,
  );
  if (!requests.includes(WITHHELD_ADDRESS)) throw new Error('the request mapping changed shape: this test no longer withholds its address');
  await writeFile(join(dir, 'contract-city.yaml'), `${requests}${works.slice(works.indexOf('datasets:\n') + 'datasets:\n'.length)}`);
  engine = await openEngine({ CONTRACT_311_URL: stored.connection }, dir);
}, 120_000);

afterAll(async () => {
  await engine?.close();
  await stored?.close();
  if (dir) await rm(dir, { recursive: true, force: true });
});

it('nulls, for the public, each work-order address that names no request it may read', async () => {
  const answer = await engine.run(`{ workOrders(first: ${ORDERS.length}, orderBy: [ID_ASC]) { nodes { id address } } }`, undefined, 'public');
  expect(answer.errors, JSON.stringify(answer.errors)).toBeUndefined();
  const nodes = (answer.data as { workOrders: { nodes: Array<{ id: string; address: string | null }> } }).workOrders.nodes;
  expect(nodes.map((node) => node.id).sort()).toEqual(ORDERS.map((order) => order.id).sort());

  const nulled = new Set(nodes.filter((node) => node.address === null).map((node) => node.id));
  const expected = new Set(ORDERS.filter((order) => order.address === null || !READABLE_ADDRESSES.has(order.address)).map((order) => order.id));
  expect([...nulled].sort()).toEqual([...expected].sort());
  // Both kinds are there, so the test tells a mask that finds nothing from one that finds everything.
  const maskedWithAddress = ORDERS.filter((order) => order.address !== null && !READABLE_ADDRESSES.has(order.address));
  expect(maskedWithAddress.length).toBeGreaterThan(0);
  expect(nodes.length - nulled.size).toBeGreaterThan(0);
});

it('keeps every address for staff, who read every request', async () => {
  const answer = await engine.run(`{ workOrders(first: ${ORDERS.length}, orderBy: [ID_ASC]) { nodes { id address } } }`, undefined, 'staff');
  const nodes = (answer.data as { workOrders: { nodes: Array<{ id: string; address: string | null }> } }).workOrders.nodes;
  const byId = new Map(ORDERS.map((order) => [order.id, order.address]));
  for (const node of nodes) expect(node.address, node.id).toBe(byId.get(node.id));
});
