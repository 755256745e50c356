/**
 * A running gateway whose mappings a liaison edits: good edits take effect, a broken
 * edit keeps the department on its last good mapping.
 */
import { cp, mkdtemp, readFile, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { serve, type RunningGateway } from '../../src/gateway/serve.js';
import { demoEnvironment } from '../support/demo.js';

let running: RunningGateway;
let connectors: string;
const logged: string[] = [];

async function describeType(typeName: string, gateway = running): Promise<{ description: string; fields: string[] } | null> {
  const response = await fetch(gateway.url, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ query: `{ __type(name: "${typeName}") { description fields { name } } }` }),
  });
  const body: any = await response.json();
  const type = body.data.__type;
  return type ? { description: type.description, fields: type.fields.map((field: { name: string }) => field.name) } : null;
}

async function fieldsOf(typeName: string): Promise<string[] | null> {
  return (await describeType(typeName))?.fields ?? null;
}

/** File events arrive asynchronously: poll, within a bound, until the schema shows the change. */
async function eventually(check: () => Promise<boolean>): Promise<void> {
  for (let attempt = 0; attempt < 100; attempt++) {
    if (await check()) return;
    await new Promise((done) => setTimeout(done, 100));
  }
  throw new Error('the gateway did not reload within 10 s');
}

beforeAll(async () => {
  const env = await demoEnvironment('pglite', 'reload');
  connectors = await mkdtemp(join(tmpdir(), 'civicgraph-reload-'));
  await cp('connectors', connectors, { recursive: true });
  // The test demo's environment points the copied mappings at their databases.
  running = await serve({ connectorsDir: connectors, schemasDir: resolve('schemas'), port: 0, host: '127.0.0.1', watch: true, env, audit: () => undefined, log: (line) => logged.push(line) });
});

afterAll(async () => {
  await running?.stop();
});

describe('reloading mappings', () => {
  it('applies a good edit while serving', async () => {
    expect(await fieldsOf('Permit')).toContain('contractorLicNum');
    const file = join(connectors, 'permits.yaml');
    // Unmapping a field means removing its mapping and its access rules.
    const edited = (await readFile(file, 'utf8')).split('\n').filter((line) => !/^\s+contractorLicNum: /.test(line));
    await writeFile(file, edited.join('\n'));
    await eventually(async () => !(await fieldsOf('Permit'))!.includes('contractorLicNum'));
    expect(await fieldsOf('Permit')).toContain('contractorCompanyName');
  });

  it('keeps serving the last good version of a file that breaks, and says where it broke', async () => {
    const file = join(connectors, 'crm-311.yaml');
    const fieldsBefore = await fieldsOf('ServiceRequest');
    logged.length = 0;
    await writeFile(file, (await readFile(file, 'utf8')).replace('    table: SR_CASE', '    table: [SR_CASE'));
    await eventually(async () => logged.some((line) => line.includes('still serving its last good version')));
    expect(logged.some((line) => /crm-311\.yaml:\d+:\d+: error/.test(line))).toBe(true);
    expect(await fieldsOf('ServiceRequest')).toEqual(fieldsBefore);
    expect(await fieldsOf('Permit')).not.toBeNull();
  });
});

describe('reloading the public schema', () => {
  let gateway: RunningGateway;
  let schemas: string;
  const log: string[] = [];
  const sdlFile = () => join(schemas, 'service-requests.graphql');
  const lineOf = (text: string, part: string) => text.split('\n').findIndex((row) => row.includes(part)) + 1;

  beforeAll(async () => {
    const env = await demoEnvironment('pglite', 'reload-schemas');
    const dir = await mkdtemp(join(tmpdir(), 'civicgraph-reload-schemas-'));
    schemas = join(dir, 'schemas');
    await cp('connectors', join(dir, 'connectors'), { recursive: true });
    await cp('schemas', schemas, { recursive: true });
    gateway = await serve({ connectorsDir: join(dir, 'connectors'), schemasDir: schemas, port: 0, host: '127.0.0.1', watch: true, env, audit: () => undefined, log: (line) => log.push(line) });
  });

  afterAll(async () => {
    await gateway?.stop();
  });

  it('applies an SDL edit while serving, without a restart', async () => {
    const text = await readFile(sdlFile(), 'utf8');
    await writeFile(sdlFile(), text.replace('A request for a non-emergency city service (311)', 'A request for a city service that is not an emergency (311)'));
    await eventually(async () => (await describeType('ServiceRequest', gateway))!.description.startsWith('A request for a city service that is not an emergency'));
    expect(log).toContain('public schema changed: reloading');
  });

  it('keeps serving the last good schema when an SDL edit breaks it, naming the file and line', async () => {
    const before = await describeType('ServiceRequest', gateway);
    const text = await readFile(sdlFile(), 'utf8');
    log.length = 0;
    await writeFile(sdlFile(), text.replace('  serviceCode: String! @standard', '  serviceCode String! @standard'));
    await eventually(async () => log.some((line) => line.includes('still serving the last good public schema')));
    expect(log).toContainEqual(expect.stringMatching(new RegExp(`service-requests\\.graphql:${lineOf(text, 'serviceCode: String!')}:\\d+: Syntax Error: Expected ":", found Name "String"\\.$`)));
    expect(await describeType('ServiceRequest', gateway)).toEqual(before);

    // A type the schema does not define is found once the files are read together, and still named by file and line.
    log.length = 0;
    await writeFile(sdlFile(), text.replace('  serviceCode: String! @standard', '  serviceCode: Strin! @standard'));
    await eventually(async () => log.some((line) => line.includes('still serving the last good public schema')));
    expect(log).toContainEqual(expect.stringMatching(new RegExp(`service-requests\\.graphql:${lineOf(text, 'serviceCode: String!')}:\\d+: Unknown type "Strin"\\. Did you mean "String"\\?`)));
    expect(await describeType('ServiceRequest', gateway)).toEqual(before);
    await writeFile(sdlFile(), text);
  });

  it('keeps serving the last good schema when a mapping served now would not load against the edit', async () => {
    const before = await describeType('ServiceRequest', gateway);
    const text = await readFile(sdlFile(), 'utf8');
    log.length = 0;
    // crm-311.yaml maps statusNotes; a schema without the field would drop the department.
    await writeFile(sdlFile(), text.replace(/\n.*\n  statusNotes: String @standard\(name: "status_notes"\)/, ''));
    await eventually(async () => log.some((line) => line.includes('still serving the last good public schema')));
    expect(log).toContainEqual(expect.stringMatching(/crm-311\.yaml:\d+:\d+: error: datasets\.ServiceRequest\.fields\.statusNotes: ServiceRequest has no field "statusNotes"/));
    expect(log).toContainEqual(expect.stringContaining('mapping files served now do not load against the edited public schema'));
    expect(await describeType('ServiceRequest', gateway)).toEqual(before);
    expect(before!.fields).toContain('statusNotes');
    await writeFile(sdlFile(), text);
  });
});
