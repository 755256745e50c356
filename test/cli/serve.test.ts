/**
 * `civicgraph serve` as an operator runs it, over more departments than the demo has: four
 * sources (three demo systems on PGlite and a CSV export), each with its own per-department roles.
 */
import { cp, mkdtemp, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { demoEnvironment } from '../support/demo.js';
import { startCliGateway, type CliGateway } from '../support/cli-gateway.js';

/** A fourth department's dataset type, in a copy of the public schema (the public one has three). */
const CODE_CASE_SDL = `"A code-compliance case."
type CodeCase @dataset(one: "codeCase", many: "codeCases") {
  id: ID!
  violation: String
  openedAt: DateTime
}
`;

const CODE_ENFORCEMENT = `name: code-enforcement
system: Code enforcement case log (CSV export)
department: Code Enforcement
liaison: { name: Ruth Diaz, email: opendata-code@riverton.example }
source:
  kind: csv
  connection: ./exports
  timezone: America/Chicago
datasets:
  CodeCase:
    title: Code Cases
    description: Code-compliance cases.
    keywords: [code enforcement]
    accessLevel: public
    publication: public
    table: cases.csv
    columns: { OPENED_DT: timestamp }
    fields: { id: CASE_ID, violation: VIOLATION_CD, openedAt: OPENED_DT }
    access:
      public:
        fields: { id: visible, violation: visible, openedAt: visible }
`;

let gateway: CliGateway;

beforeAll(async () => {
  const env = await demoEnvironment('pglite', 'liaison-fixes-serve');
  const dir = await mkdtemp(join(tmpdir(), 'civicgraph-serve-'));
  const [connectors, schemas] = [join(dir, 'connectors'), join(dir, 'schemas')];
  await cp('connectors', connectors, { recursive: true });
  await cp('schemas', schemas, { recursive: true });
  await writeFile(join(schemas, 'code-cases.graphql'), CODE_CASE_SDL);
  await writeFile(join(connectors, 'code-enforcement.yaml'), CODE_ENFORCEMENT);
  await cp(join(connectors, 'examples'), join(connectors, 'exports'), { recursive: true });
  await writeFile(join(connectors, 'exports', 'cases.csv'), 'CASE_ID,VIOLATION_CD,OPENED_DT\nCE-1,HSG-12,2024-03-01 09:00:00\n');
  // Node prints a process warning with the stack of where it was raised.
  gateway = await startCliGateway(connectors, { ...env, NODE_OPTIONS: '--trace-warnings' }, { schemas });
});

afterAll(async () => {
  await gateway?.stop();
});

describe('civicgraph serve with four sources', () => {
  it('serves every department, and warns of no listener leak', async () => {
    expect(gateway.stderr()).toMatch(/serving 4 datasets: CodeCase \(code-enforcement\), Permit \(permits\), ServiceRequest \(crm-311\), WorkOrder \(public-works\)/);
    const response = await fetch(gateway.url, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ query: '{ codeCases { nodes { id violation } } serviceRequests(first: 1) { totalCount } }' }),
    });
    const body = (await response.json()) as { data: { codeCases: { nodes: unknown[] }; serviceRequests: { totalCount: number } } };
    expect(body.data.codeCases.nodes).toEqual([{ id: 'CE-1', violation: 'HSG-12' }]);
    expect(body.data.serviceRequests.totalCount).toBeGreaterThan(0);
    expect(gateway.stderr()).not.toMatch(/MaxListenersExceededWarning|Possible EventEmitter memory leak/);
  });

  it('stops on SIGTERM by its own drain, exiting 0', async () => {
    expect(await gateway.stop()).toEqual([0, null]);
    expect(gateway.stderr()).toContain('stopping');
    expect(gateway.stderr()).not.toMatch(/MaxListenersExceededWarning/);
  });
});
