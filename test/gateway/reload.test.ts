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

async function fieldsOf(typeName: string): Promise<string[] | null> {
  const response = await fetch(running.url, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ query: `{ __type(name: "${typeName}") { fields { name } } }` }),
  });
  const body: any = await response.json();
  return body.data.__type?.fields.map((field: { name: string }) => field.name) ?? null;
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
