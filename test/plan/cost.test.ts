/**
 * The cost estimate over the demo's role schemas: how lists, joins, counts and by-id
 * look-ups add up, that fragments cost once however often they are spread, and that the
 * sizes behind counts are those of the rows each role may see.
 */
import { Kind, parse, type FragmentDefinitionNode, type OperationDefinitionNode } from 'graphql';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { costModel, estimateCost, type CostModel } from '../../src/plan/cost.js';
import { demoEnvironment } from '../support/demo.js';
import { openEngine, type Engine } from '../support/engine.js';

let engine: Engine;
const models = new Map<string, CostModel>();

beforeAll(async () => {
  engine = await openEngine(await demoEnvironment('pglite', 'cost'));
  for (const view of engine.state.views) models.set(view.role, costModel(engine.state.schemas.get(view.role)!, view.datasets));
});

afterAll(async () => {
  await engine?.close();
});

function cost(query: string, variables?: Record<string, unknown>, role = 'public'): number {
  const document = parse(query);
  const operation = document.definitions.find((definition): definition is OperationDefinitionNode => definition.kind === Kind.OPERATION_DEFINITION)!;
  const fragments: Record<string, FragmentDefinitionNode> = {};
  for (const definition of document.definitions) if (definition.kind === Kind.FRAGMENT_DEFINITION) fragments[definition.name.value] = definition;
  return estimateCost(models.get(role)!, { operation, fragments, variables });
}

function datasetOf(role: string, type: string) {
  return engine.state.views.find((view) => view.role === role)!.datasets.find((dataset) => dataset.type.name === type)!;
}

describe('the cost of a request', () => {
  it('is the rows of each page, nested lists multiplied through', () => {
    expect(cost('{ serviceRequests(first: 50) { nodes { id } } }')).toBe(50);
    expect(cost('{ serviceRequests(first: 50) { edges { cursor node { id workOrders(first: 4) { id } } } } }')).toBe(50 + 50 * 4);
    expect(cost('{ serviceRequests(first: 10) { nodes { workOrders(first: 3) { serviceRequest { id workOrders(first: 2) { id } } } } } }')).toBe(10 + 30 + 30 * (1 + 2));
  });

  it('takes `first` from variables, and the default page size where it is absent', () => {
    expect(cost('query ($n: Int) { workOrders(first: $n) { nodes { id } } }', { n: 7 })).toBe(7);
    expect(cost('{ workOrders { nodes { id } } }')).toBe(100);
    expect(cost('{ serviceRequests(first: 1) { nodes { workOrders { id } } } }')).toBe(1 + 100);
  });

  it('costs a by-id look-up one, and nothing for scalars, the catalog, __typename or introspection', () => {
    expect(cost('{ serviceRequest(id: "SR-24-00000001") { id status } }')).toBe(1);
    expect(cost('{ catalog { dataset { identifier } } __typename }')).toBe(1);
    expect(cost('{ __schema { types { name fields { name } } } }')).toBe(1);
  });

  it('costs `last` like `first`, and a pair sent as null (Relay’s paging queries) not at all', () => {
    expect(cost('{ serviceRequests(last: 50) { nodes { id } } }')).toBe(50);
    expect(cost('{ address(line: "1 MAIN ST") { workOrders(last: 3, before: "x") { nodes { id } } } }', undefined, 'staff')).toBe(3);
    expect(cost('query ($first: Int, $last: Int) { workOrders(first: $first, last: $last) { edges { node { id request: serviceRequest { id } } } } }', { first: null, last: 7 })).toBe(7 + 7);
    expect(cost('query ($last: Int) { workOrders(last: $last) { nodes { id } } }', {})).toBe(100);
  });

  it('costs node(id:) one and nodes(ids:) one per id, like by-id look-ups, with what they select multiplied through', () => {
    expect(cost('{ node(id: "U2VydmljZVJlcXVlc3Q6U1ItMjQtMDAwMDAwMDE") { nodeId } }')).toBe(1);
    expect(cost('{ node(id: "x") { nodeId ... on ServiceRequest { workOrders(first: 4) { id } } ... on WorkOrder { serviceRequest { id } } } }')).toBe(1 + 4 + 1);
    expect(cost('{ nodes(ids: ["a", "b", "c"]) { nodeId } }')).toBe(3);
    expect(cost('{ nodes(ids: ["a", "b", "c"]) { ...W } } fragment W on ServiceRequest { workOrders(first: 4) { id } }')).toBe(3 + 3 * 4);
    expect(cost('query ($ids: [ID!]!) { nodes(ids: $ids) { nodeId } }', { ids: Array.from({ length: 250 }, (_, index) => `id${index}`) })).toBe(250);
    // GraphQL coerces one id to a list of one.
    expect(cost('query ($ids: [ID!]!) { nodes(ids: $ids) { nodeId } }', { ids: 'one' })).toBe(1);
  });

  it('counts a fragment once per spread, in time linear in the document', () => {
    const fragments = Array.from({ length: 30 }, (_, index) => `fragment F${index} on Query { ...F${index + 1} ...F${index + 1} }`).join(' ');
    const started = performance.now();
    expect(cost(`{ ...F0 } ${fragments} fragment F30 on Query { workOrders(first: 1) { nodes { id } } }`)).toBe(2 ** 30);
    expect(performance.now() - started).toBeLessThan(1_000);
    expect(cost('{ serviceRequests(first: 5) { ...P } } fragment P on ServiceRequestConnection { nodes { ...W } } fragment W on ServiceRequest { workOrders(first: 2) { id } }')).toBe(5 + 10);
  });

  it('costs a count or statistic one per 100 rows the role may see: withheld rows are not in the size', async () => {
    const total = async (role: string) => ((await engine.run('{ serviceRequests(first: 0) { totalCount } }', undefined, role)).data as any).serviceRequests.totalCount as number;
    const [publicRows, staffRows] = [await total('public'), await total('staff')];
    expect(staffRows).toBeGreaterThan(publicRows);
    expect(datasetOf('public', 'ServiceRequest').rowEstimate).toBe(publicRows);
    expect(datasetOf('staff', 'ServiceRequest').rowEstimate).toBe(staffRows);
    expect(cost('{ serviceRequestStats { count } }')).toBe(Math.ceil(publicRows / 100));
    expect(cost('{ serviceRequests(first: 0) { totalCount } }', undefined, 'staff')).toBe(1 + Math.ceil(staffRows / 100));
  });
});
