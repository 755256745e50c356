/**
 * `civicgraph sdl`: a mapping's declared type written out as SDL round-trips — put in a
 * schemas/ folder, with the declaration deleted from the mapping, it gives every role the same
 * GraphQL schema, text for text. While both exist, the mapping is refused naming both places,
 * and a running gateway keeps serving the last good state.
 */
import { cp, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { lexicographicSortSchema, printSchema } from 'graphql';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { sdl } from '../../src/cli/sdl.js';
import { Gateway } from '../../src/gateway/gateway.js';
import { formatProblem } from '../../src/config/problem.js';

const EXAMPLE = 'code-compliance-csv.yaml';
let dir: string;
const opened: Gateway[] = [];

async function open(connectorsDir: string, schemasDir: string): Promise<Gateway> {
  const gateway = await Gateway.open({ connectorsDir, schemasDir, log: () => undefined, env: {} });
  opened.push(gateway);
  return gateway;
}

/** Every role's schema as SDL text, types in name order (an adopted file sits elsewhere among schemas/' files). */
const schemas = (gateway: Gateway) => Object.fromEntries([...gateway.schemas].map(([role, schema]) => [role, printSchema(lexicographicSortSchema(schema))]));

/** The mapping without its `types:` block: what the liaison keeps once the city adopts the type. */
const withoutDeclaration = (text: string) => {
  const next = text.replace(/^types:\n(?:(?: .*)?\n)+(?=datasets:)/m, '');
  expect(next).not.toBe(text);
  return next;
};

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'hdeclared-sdl-'));
  await cp('connectors/examples/data', join(dir, 'declared', 'data'), { recursive: true });
  await cp(join('connectors/examples', EXAMPLE), join(dir, 'declared', EXAMPLE));
  await cp('connectors/roles.yaml', join(dir, 'declared', 'roles.yaml'));
  await cp('schemas', join(dir, 'schemas'), { recursive: true });
});

afterAll(async () => {
  await Promise.all(opened.map((gateway) => gateway.close()));
  await rm(dir, { recursive: true, force: true });
});

describe('civicgraph sdl', () => {
  it('writes the declared type with its descriptions, enum and standard names, as schemas/ writes them', async () => {
    let printed = '';
    const code = await sdl({ mapping: join(dir, 'declared', EXAMPLE), schemasDir: resolve('schemas'), connectorsDir: resolve('connectors'), env: {}, print: (text) => (printed += text) });
    expect(code).toBe(0);
    expect(printed).toContain('type CodeCase @dataset(one: "codeCase", many: "codeCases") {');
    expect(printed).toContain('  "The 311 request that started the case, when one did."\n  serviceRequestId: ID @standard(name: "service_request_id")');
    expect(printed).toContain('enum CodeCaseStatus {\n  OPEN\n  CITED\n  CLOSED\n}');
    expect(printed).toMatch(/^# CodeCase, declared in .*code-compliance-csv\.yaml and adopted into the public schema\.\n# Once this file is in schemas\/, delete types\.CodeCase from the mapping\./);
  });

  it('names what is wrong instead: a type the file does not declare, a file that declares none', async () => {
    const errors: string[] = [];
    const printError = (line: string) => errors.push(line);
    expect(await sdl({ mapping: join(dir, 'declared', EXAMPLE), type: 'CodeCas', schemasDir: resolve('schemas'), connectorsDir: resolve('connectors'), env: {}, printError })).toBe(1);
    expect(errors.join('\n')).toContain('declares no type "CodeCas" (did you mean "CodeCase"?)');
    errors.length = 0;
    expect(await sdl({ mapping: resolve('connectors/crm-311.yaml'), schemasDir: resolve('schemas'), connectorsDir: resolve('connectors'), env: {}, printError })).toBe(1);
    expect(errors.join('\n')).toContain('crm-311.yaml declares no types (its datasets fill types of schemas/)');
  });

  it('round-trips: its SDL in schemas/ and the declaration deleted give every role the same schema', async () => {
    const declared = await open(join(dir, 'declared'), join(dir, 'schemas'));
    expect(declared.problems.filter((problem) => problem.severity === 'error')).toEqual([]);
    const before = schemas(declared);
    expect(Object.keys(before).length).toBeGreaterThan(1);
    expect(before.public).toMatch(/codeCases\(.*filter: CodeCaseFilter/);
    expect(before.public).not.toMatch(/\binspector\b[:(]/);
    expect(before.staff).toMatch(/\binspector: String\b/);

    const out = join(dir, 'schemas', 'code-cases.graphql');
    expect(await sdl({ mapping: join(dir, 'declared', EXAMPLE), out, schemasDir: join(dir, 'schemas'), connectorsDir: resolve('connectors'), env: {}, printError: () => undefined })).toBe(0);

    // Both at once: the mapping is refused at its declaration, naming the adopted SDL.
    const both = await open(join(dir, 'declared'), join(dir, 'schemas'));
    const clash = both.problems.find((problem) => problem.message.includes('is already a type of the public schema'));
    expect(clash && formatProblem(clash, dir), both.problems.map((problem) => formatProblem(problem)).join('\n')).toMatch(/^declared\/code-compliance-csv\.yaml:21:3: error: types\.CodeCase: CodeCase is already a type of the public schema \(.*schemas\/code-cases\.graphql:5\)/);

    await cp(join(dir, 'declared'), join(dir, 'adopted'), { recursive: true });
    const file = join(dir, 'adopted', EXAMPLE);
    await writeFile(file, withoutDeclaration(await readFile(file, 'utf8')));
    const adopted = await open(join(dir, 'adopted'), join(dir, 'schemas'));
    expect(adopted.problems.filter((problem) => problem.severity === 'error')).toEqual([]);
    expect(schemas(adopted)).toEqual(before);
  });
});
