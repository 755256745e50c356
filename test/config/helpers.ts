import { mkdtemp, readdir, readFile, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { buildSchema, type GraphQLSchema } from 'graphql';
import { loadMappings, type LoadedMappings } from '../../src/config/load-mappings.js';
import { formatProblem, type Problem } from '../../src/config/problem.js';
import { expect } from 'vitest';

export const REPO = new URL('../../', import.meta.url).pathname;

/** The real public schema, the way the gateway sees it: every SDL file, concatenated. */
export async function publicSchema(): Promise<GraphQLSchema> {
  const dir = join(REPO, 'schemas');
  const files = (await readdir(dir)).filter((name) => name.endsWith('.graphql')).sort();
  const sdl = await Promise.all(files.map((name) => readFile(join(dir, name), 'utf8')));
  return buildSchema(sdl.join('\n'));
}

export async function tempDir(files: Record<string, string>): Promise<string> {
  const dir = await mkdtemp(join(tmpdir(), 'civicgraph-config-'));
  await Promise.all(Object.entries(files).map(([name, text]) => writeFile(join(dir, name), text)));
  return dir;
}

/** Loads mapping files from a fresh directory; roles.yaml is ROLES unless `files` gives its own. */
export async function loadFiles(files: Record<string, string>, env: Record<string, string> = {}): Promise<LoadedMappings & { dir: string }> {
  const dir = await tempDir({ 'roles.yaml': ROLES, ...files });
  return { dir, ...(await loadMappings(dir, await publicSchema(), { env })) };
}

export const errors = (problems: readonly Problem[]) => problems.filter((problem) => problem.severity === 'error');

/** The demo's four roles, JWT off. Line numbers matter: the broken-roles table edits lines by number. */
export const ROLES = `# yaml-language-server: $schema=../src/config/roles.schema.json
roles:
  public:
    description: Anyone.
  staff:
    inherits: public
  department:
    inherits: staff
    perDepartment: true
  liaison:
    inherits: department
    perDepartment: true
publicRole: public
authentication:
  jwt:
    issuer: \${JWT_ISSUER:-}
    audience: civicgraph
    secret: \${JWT_SECRET:-}
    jwksUrl: \${JWT_JWKS_URL:-}
  appTokens: \${APP_TOKENS:-}
`;

/**
 * A small, valid mapping. Line numbers matter: the broken-mapping table edits lines by number.
 * Unmapped nullable ServiceRequest fields make it load with warnings only. Its access rules
 * (lines 31-34) let the public see every mapped field.
 */
export const BASE = `# yaml-language-server: $schema=../src/config/mapping.schema.json
name: crm-311
system: Riverton 311 CRM
department: 311 Customer Service
liaison:
  name: Dana Whitfield
  email: opendata-311@riverton.example
source:
  kind: pglite
  connection: memory://
  timezone: America/Chicago
datasets:
  ServiceRequest:
    title: 311 Service Requests
    description: Requests.
    keywords: [311]
    accessLevel: public
    table: SR_CASE
    fields:
      id: CASE_NO
      status:
        column: STATUS_CD
        codes: { O: OPEN, C: CLOSED }
      serviceCode: SR_TYPE_CD
      serviceName: SR_TYPE_NAME
      requestedAt: CREATED_DT
      location:
        fields:
          latitude: LAT
          longitude: LON
    publication: public
    access:
      public:
        fields: { id: visible, status: visible, serviceCode: visible, serviceName: visible, requestedAt: visible, location: visible }
`;

/** BASE with 1-based line `line` replaced by `text` ('' text with `remove` deletes it). */
export function editLine(line: number, text: string | null, base = BASE): string {
  const lines = base.split('\n');
  if (lines[line - 1] === undefined) throw new Error(`BASE has no line ${line}`);
  if (text === null) lines.splice(line - 1, 1);
  else lines[line - 1] = text;
  return lines.join('\n');
}

/** Problems as a liaison reads them, for assertion messages. */
export const listProblems = (problems: readonly Problem[]): string => problems.map((problem) => formatProblem(problem)).join('\n');

export interface ExpectedProblem {
  line: number;
  column?: number;
  path?: string;
  /** A fragment of the message. */
  message: string;
}

/**
 * Loads one broken mapping file and checks that it is refused with an error carrying the
 * message fragment at the expected place (file, line, and column and key path when given).
 */
export async function expectRefused(text: string, expected: ExpectedProblem, env: Record<string, string> = {}): Promise<void> {
  const loaded = await loadFiles({ 'crm.yaml': text }, env);
  const found = errors(loaded.problems);
  expect(loaded.mappings).toEqual([]);
  const match = found.find((problem) => problem.message.includes(expected.message));
  expect(match, `no error containing ${JSON.stringify(expected.message)} in\n${listProblems(found)}`).toBeDefined();
  const { line, column, path } = expected;
  expect(match).toMatchObject({ file: join(loaded.dir, 'crm.yaml'), line, ...(column === undefined ? {} : { column }), ...(path === undefined ? {} : { path }) });
}
