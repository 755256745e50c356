/** `civicgraph privacy-report`, run as a liaison runs it, over the demo mappings. */
import { execFile } from 'node:child_process';
import { cp, mkdtemp, readFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { describe, expect, it } from 'vitest';

const run = promisify(execFile);

describe('civicgraph privacy-report', () => {
  it('writes the field × role matrix of the demo as Markdown and self-contained HTML', async () => {
    const out = await mkdtemp(join(tmpdir(), 'civicgraph-report-'));
    const { stdout } = await run('node', ['--import', 'tsx', 'src/cli/civicgraph.ts', 'privacy-report', '--out', out]);
    expect(stdout).toContain(join(out, 'privacy-report.md'));
    const markdown = await readFile(join(out, 'privacy-report.md'), 'utf8');
    const html = await readFile(join(out, 'privacy-report.html'), 'utf8');
    const row = (field: string) => markdown.split('\n').find((line) => line.startsWith(`| ${field} |`));
    // What the demo's rules say, as a reviewer reads them.
    expect(row('callerPhone')).toMatch(/^\| callerPhone \| String \| hidden \| ↑ hidden \(from public\) \| visible \|/);
    expect(row('address')).toMatch(/\| hundred block \| visible \|/);
    expect(markdown).toContain('rows where serviceCode in \\[HOMELESS, ELDERCHK\\] are withheld');
    // Work orders follow their 311 request by default, and the report says so per role.
    expect(markdown).toContain('| public | sees the dataset | rows whose serviceRequest (ServiceRequest) is withheld from the role are withheld too |');
    expect(markdown).toContain(
      '| public | serviceRequest → ServiceRequest | withheld with it (the default: every join to one row is followed) | serviceRequestId as stored: it never names a row withheld from this role |',
    );
    expect(markdown).toMatch(/Reviewed by/);
    expect(html).toContain('<table');
    expect(html).not.toMatch(/<script|src=|href=|@import|url\(/i);
  });

  it('reviews a declared type like a curated one, and lists on the curated type the inverse joins another file gives it', async () => {
    const connectors = await mkdtemp(join(tmpdir(), 'hdeclared-report-'));
    for (const file of ['connectors/roles.yaml', 'connectors/crm-311.yaml', 'connectors/examples/code-compliance-csv.yaml']) await cp(file, join(connectors, file.split('/').at(-1)!));
    await cp('connectors/examples/data', join(connectors, 'data'), { recursive: true });
    const out = await mkdtemp(join(tmpdir(), 'hdeclared-report-out-'));
    await run('node', ['--import', 'tsx', 'src/cli/civicgraph.ts', 'privacy-report', '--connectors', connectors, '--out', out]);
    const markdown = await readFile(join(out, 'privacy-report.md'), 'utf8');
    expect(markdown).toContain('### CodeCase — Code Compliance Cases');
    expect(markdown).toMatch(/^\| inspector \| String \| hidden \| visible \|/m);
    const serviceRequests = markdown.slice(markdown.indexOf('### ServiceRequest'));
    expect(serviceRequests).toContain("- Join codeCases → CodeCase (id = serviceRequestId), the inverse of CodeCase.serviceRequest in code-compliance's mapping");
  });
});
