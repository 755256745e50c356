/** `civicgraph validate`, run as a liaison runs it: the real command in a child process. */
import { execFile } from 'node:child_process';
import { cp, mkdtemp, readFile, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { beforeAll, describe, expect, it } from 'vitest';
import { demoEnvironment } from '../support/demo.js';
import { POSTGRES_URL, withDatabase } from '../support/servers.js';

const run = promisify(execFile);

async function civicgraph(args: string[], env: Record<string, string> = {}): Promise<{ code: number; stdout: string; stderr: string }> {
  try {
    const { stdout, stderr } = await run('node', ['--import', 'tsx', 'src/cli/civicgraph.ts', ...args], { env: { ...process.env, ...env } });
    return { code: 0, stdout, stderr };
  } catch (error) {
    const failed = error as { code: number; stdout: string; stderr: string };
    return { code: failed.code, stdout: failed.stdout, stderr: failed.stderr };
  }
}

async function copyOfDemoConnectors(): Promise<string> {
  const dir = await mkdtemp(join(tmpdir(), 'civicgraph-validate-'));
  await cp('connectors', dir, { recursive: true });
  return dir;
}

describe('civicgraph validate', () => {
  let env: Record<string, string>;
  beforeAll(async () => {
    env = await demoEnvironment('pglite', 'validate');
  });

  it('accepts the demo mappings against their live databases', async () => {
    const result = await civicgraph(['validate'], env);
    expect(result.stdout).toMatch(/^0 errors, \d+ warnings?; 3 datasets in 3 valid mapping files$/m);
    expect(result.code).toBe(0);
  });

  it('names the file, line and key of a typo, and exits non-zero', async () => {
    const dir = await copyOfDemoConnectors();
    const file = join(dir, 'crm-311.yaml');
    const text = await readFile(file, 'utf8');
    await writeFile(file, text.replace('      statusNotes: RESOLUTION_TXT', '      statusNotes:\n        colum: RESOLUTION_TXT'));
    const line = text.split('\n').findIndex((row) => row.includes('statusNotes: RESOLUTION_TXT')) + 2;
    const result = await civicgraph(['validate', '--offline', '--connectors', dir]);
    expect(result.code).toBe(1);
    expect(result.stdout).toContain(`crm-311.yaml:${line}:`);
    expect(result.stdout).toMatch(/error: datasets\.ServiceRequest\.fields\.statusNotes.*"colum".*did you mean "column"/);
  });

  it('names a column the live table does not have, with the closest one', async () => {
    const dir = await copyOfDemoConnectors();
    const file = join(dir, 'permits.yaml');
    const text = await readFile(file, 'utf8');
    await writeFile(file, text.replace('totalSqFt: SQ_FT', 'totalSqFt: SQFT'));
    const line = text.split('\n').findIndex((row) => row.includes('totalSqFt: SQ_FT')) + 1;
    const result = await civicgraph(['validate', '--connectors', dir], env);
    expect(result.code).toBe(1);
    expect(result.stdout).toMatch(new RegExp(`permits\\.yaml:${line}:\\d+: error: .*totalSqFt.*SQFT.*SQ_FT`));
  });

  it('reports a file\'s mistakes in one run: a format error, a code typo and a column the table lacks', async () => {
    const dir = await copyOfDemoConnectors();
    const file = join(dir, 'permits.yaml');
    const text = await readFile(file, 'utf8');
    const lineOf = (part: string) => text.split('\n').findIndex((row) => row.includes(part)) + 1;
    await writeFile(
      file,
      text
        .replace('    accessLevel: public', '    accessLevel: publik')
        .replace('          Issued: PERMIT_ISSUED', '          Issued: PERMIT_ISUED')
        .replace('totalSqFt: SQ_FT', 'totalSqFt: SQFT'),
    );
    const result = await civicgraph(['validate', '--connectors', dir], env);
    expect(result.code).toBe(1);
    expect(result.stdout).toMatch(new RegExp(`permits\\.yaml:${lineOf('accessLevel: public')}:\\d+: error: datasets\\.Permit\\.accessLevel: .*"publik"`));
    expect(result.stdout).toMatch(new RegExp(`permits\\.yaml:${lineOf('Issued: PERMIT_ISSUED')}:\\d+: error: .*"PERMIT_ISUED" is not a PermitStatus value \\(did you mean "PERMIT_ISSUED"\\?\\)`));
    expect(result.stdout).toMatch(new RegExp(`permits\\.yaml:${lineOf('totalSqFt: SQ_FT')}:\\d+: error: datasets\\.Permit\\.fields\\.totalSqFt: column "SQFT" does not exist in table "B1PERMIT" \\(did you mean "SQ_FT"\\?\\)`));
    expect(result.stdout).toMatch(/^3 errors, /m);
    // The other files are checked against their systems as usual, and are fine.
    expect(result.stdout).toMatch(/; 2 datasets in 2 valid mapping files$/m);
  });

  it('fails when a database the mappings name does not exist, unless --offline', async () => {
    // The CRM moved to a PostgreSQL database that was never created.
    const missing = { ...env, CIVICGRAPH_CRM_KIND: 'postgres', CIVICGRAPH_CRM_URL: withDatabase(POSTGRES_URL, 'liaison_fixes_validate_no_such_db') };
    const result = await civicgraph(['validate'], missing);
    expect(result.code).toBe(1);
    const line = (await readFile('connectors/crm-311.yaml', 'utf8')).split('\n').findIndex((row) => row.startsWith('source:')) + 1;
    expect(result.stdout).toMatch(new RegExp(`crm-311\\.yaml:${line}:\\d+: error: source: could not describe table SR_CASE: .*; nothing could be checked against it \\(--offline checks the files alone\\)`));
    expect(result.stdout).not.toContain('serving it unchecked');
    expect(result.stdout).toMatch(/^1 error, /m);
    const offline = await civicgraph(['validate', '--offline'], missing);
    expect(offline.code).toBe(0);
  });

  it('fails when a copied mapping\'s data folder is missing, unless --offline', async () => {
    // The demo mappings copied elsewhere: their PGlite folders, relative to the files, are not there.
    const dir = await copyOfDemoConnectors();
    const result = await civicgraph(['validate', '--connectors', dir], {});
    expect(result.code).toBe(1);
    for (const [file, table] of [['crm-311', 'SR_CASE'], ['permits', 'B1PERMIT'], ['public-works', 'workorder']]) {
      expect(result.stdout).toMatch(new RegExp(`${file}\\.yaml:\\d+:\\d+: error: source: could not describe table ${table}: `));
    }
    expect(result.stdout).toMatch(/^3 errors, /m);
    expect((await civicgraph(['validate', '--offline', '--connectors', dir], {})).code).toBe(0);
  });

  it('reports an unknown source kind without a stack trace', async () => {
    const dir = await copyOfDemoConnectors();
    const file = join(dir, 'public-works.yaml');
    await writeFile(file, (await readFile(file, 'utf8')).replace('kind: ${CIVICGRAPH_WORKS_KIND:-pglite}', 'kind: oracle'));
    const result = await civicgraph(['validate', '--offline', '--connectors', dir]);
    expect(result.code).toBe(1);
    expect(result.stdout).toMatch(/public-works\.yaml:\d+:\d+: error: source\.kind.*oracle/);
    expect(result.stdout + result.stderr).not.toMatch(/\n\s+at /);
  });
});

describe('civicgraph validate on sources that cannot do everything themselves', () => {
  it('says, per source, what its system does and what the gateway does in memory, within which limit', async () => {
    const dir = await copyOfDemoConnectors();
    const exports = await mkdtemp(join(tmpdir(), 'civicgraph-validate-csv-'));
    const works = await readFile(join(dir, 'public-works.yaml'), 'utf8');
    // The work-order system as a CSV export and the permits system as a vendor API, each file alone changed.
    await writeFile(
      join(dir, 'public-works.yaml'),
      works.replace(/  kind: .*\n  connection: .*\n/, `  kind: csv\n  connection: ${exports}\n  memoryRowLimit: 50000\n`),
    );
    const permits = await readFile(join(dir, 'permits.yaml'), 'utf8');
    await writeFile(
      join(dir, 'permits.yaml'),
      permits
        .replace(/  kind: .*\n  connection: .*\n/, '  kind: rest\n  connection: https://permits.example.gov/api/\n  rest: { pagination: { style: offset } }\n')
        .replace(/(\n    table: .*\n)/, '$1    filterParams: { STATUS: { eq: status } }\n')
        // An API has no SQL: the vendor's record carries the address whole.
        .replace(/expression: CONCAT_WS\(.*\)/, 'column: address.line1'),
    );
    const result = await civicgraph(['validate', '--offline', '--connectors', dir]);
    expect(result.stdout).toContain('source "crm-311" (pglite): the system does all the work: filters, ordering, paging, statistics and batched key look-ups');
    expect(result.stdout).toContain(
      'source "public-works" (csv): the gateway does filters, ordering, paging, statistics and batched key look-ups in memory, holding at most 50,000 matching records per query (memoryRowLimit)',
    );
    expect(result.stdout).toContain(
      'source "permits" (rest): the system does some filters; the gateway does the other filters, ordering, paging, statistics and batched key look-ups in memory, holding at most 100,000 matching records per query (memoryRowLimit)',
    );
    expect(result.stdout).toMatch(/STATUS eq → \?status=/);
  });
});
