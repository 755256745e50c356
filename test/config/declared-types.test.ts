/**
 * A mapping's own public types (`types:`): one that loads, and each mistake a liaison can make
 * refused at load with the file, line and key to fix — a clash with a curated type (naming where
 * that one is written), a field type that does not exist, a join to a type nobody declares, a
 * declared type nobody fills, a type or inverse join two files both claim.
 */
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { loadMappings } from '../../src/config/load-mappings.js';
import { loadPublicSchema } from '../../src/schema/sdl.js';
import { BASE, errors, listProblems, REPO, ROLES, tempDir } from './helpers.js';

/** Loads the files against the public schema as the gateway reads it, each SDL file by name. */
async function loadFiles(files: Record<string, string>) {
  const dir = await tempDir({ 'roles.yaml': ROLES, ...files });
  return { dir, ...(await loadMappings(dir, (await loadPublicSchema(join(REPO, 'schemas'))).schema, { env: {} })) };
}

/** Code Compliance declares CodeCase and fills it; a join goes to the curated ServiceRequest and back. */
const DECLARED = `name: code-compliance
system: Code Compliance case log
department: Code Compliance
liaison:
  name: Priya Raman
  email: opendata-code@riverton.example
source:
  kind: pglite
  connection: memory://
types:
  CodeCase:
    description: A code-compliance case.
    fields:
      id: { type: ID!, description: The case number. }
      status: { type: CodeCaseStatus!, values: [OPEN, CLOSED] }
      openedAt: { type: DateTime! }
      address: { type: String, standard: OriginalAddress1 }
      location: { type: Location }
      inspector: { type: String }
      serviceRequestId: { type: ID, standard: service_request_id }
datasets:
  CodeCase:
    title: Code Compliance Cases
    description: Cases.
    keywords: [code compliance]
    accessLevel: public
    publication: public
    table: CE_CASE
    fields:
      id: CASE_ID
      status: { column: STATUS_CD, codes: { O: OPEN, C: CLOSED } }
      openedAt: OPENED_DT
      address: { column: SITE_ADDR, normalize: address }
      location: { fields: { latitude: LAT, longitude: LON } }
      inspector: INSPECTOR
      serviceRequestId: SR_REF
    addressField: address
    joins:
      serviceRequest:
        target: ServiceRequest
        on: { serviceRequestId: id }
        inverse: { name: codeCases, description: The cases this request started. }
    access:
      public:
        fields: { id: visible, status: visible, openedAt: visible, address: hundredBlock, location: { round: 3 }, inspector: hidden, serviceRequestId: visible }
`;

/** The 1-based line of the first line containing `fragment`. */
function lineOf(text: string, fragment: string): number {
  const index = text.split('\n').findIndex((line) => line.includes(fragment));
  if (index < 0) throw new Error(`no line contains ${fragment}`);
  return index + 1;
}

/** Loads BASE (crm.yaml, fills ServiceRequest) and `text` as code.yaml; the one error containing `message`. */
async function refusal(text: string, message: string, others: Record<string, string> = {}) {
  const loaded = await loadFiles({ 'crm.yaml': BASE, 'code.yaml': text, ...others });
  const found = errors(loaded.problems).filter((problem) => problem.message.includes(message));
  expect(found, `no single error containing ${JSON.stringify(message)} in\n${listProblems(loaded.problems)}`).toHaveLength(1);
  return { problem: found[0]!, loaded };
}

describe('a declared type', () => {
  it('loads and is filled by its own file, with its fields, enum, standards and the inverse join', async () => {
    const loaded = await loadFiles({ 'crm.yaml': BASE, 'code.yaml': DECLARED });
    expect(errors(loaded.problems), listProblems(loaded.problems)).toEqual([]);
    const code = loaded.mappings.find((mapping) => mapping.name === 'code-compliance')!;
    expect(code.types.map((type) => [type.name, type.one, type.many, type.at.line])).toEqual([['CodeCase', 'codeCase', 'codeCases', 11]]);
    expect(code.types[0]!.fields.map((field) => `${field.name}: ${field.type}${field.nonNull ? '!' : ''}${field.standard ? ` @${field.standard}` : ''}`)).toEqual([
      'id: ID!',
      'status: CodeCaseStatus!',
      'openedAt: DateTime!',
      'address: String @OriginalAddress1',
      'location: Location',
      'inspector: String',
      'serviceRequestId: ID @service_request_id',
    ]);
    expect(code.datasets[0]!.joins).toMatchObject([{ name: 'serviceRequest', target: 'ServiceRequest', cardinality: 'one', inverse: { name: 'codeCases' } }]);
    // The curated file is untouched: it declares nothing.
    expect(loaded.mappings.find((mapping) => mapping.name === 'crm-311')!.types).toEqual([]);
  });

  it('clashing with a curated type is refused at its line, naming where the curated one is written', async () => {
    const text = DECLARED.replace('  CodeCase:\n    description', '  Permit:\n    description');
    const { problem } = await refusal(text, 'is already a type of the public schema');
    expect(problem).toMatchObject({ line: 11, column: 3, path: 'types.Permit' });
    expect(problem.message).toMatch(/^Permit is already a type of the public schema \(schemas\/permits\.graphql:5\)/);
  });

  it('a field of an unknown type is refused at its type, with the near miss', async () => {
    const text = DECLARED.replace('inspector: { type: String }', 'inspector: { type: Strng }');
    const { problem } = await refusal(text, 'unknown type "Strng"');
    expect(problem).toMatchObject({ line: lineOf(text, 'inspector: { type: Strng'), path: 'types.CodeCase.fields.inspector.type' });
    expect(problem.message).toContain('did you mean "String"?');
  });

  it('a dataset object type cannot be a field type: a relation is a join', async () => {
    const text = DECLARED.replace('inspector: { type: String }', 'inspector: { type: WorkOrder }');
    const { problem } = await refusal(text, 'unknown type "WorkOrder"');
    expect(problem.message).toContain('Location');
  });

  it('an enum that would redefine a curated one is refused', async () => {
    const text = DECLARED.replace('type: CodeCaseStatus!, values', 'type: ServiceRequestStatus!, values');
    const { problem } = await refusal(text, '"ServiceRequestStatus" cannot be declared as an enum');
    expect(problem).toMatchObject({ line: lineOf(text, 'ServiceRequestStatus!'), path: 'types.CodeCase.fields.status.type' });
    expect(problem.message).toContain('schemas/service-requests.graphql:');
  });

  it('a join to a type that exists nowhere is refused at its target', async () => {
    const text = DECLARED.replace('        target: ServiceRequest', '        target: ServiceRequests');
    const { problem } = await refusal(text, 'is not a type of the public schema');
    expect(problem).toMatchObject({ line: lineOf(text, 'target: ServiceRequests'), path: 'datasets.CodeCase.joins.serviceRequest.target' });
    expect(problem.message).toContain('did you mean "ServiceRequest"?');
  });

  it('declared but not filled is refused at the declaration', async () => {
    const text = DECLARED.replace('      serviceRequestId: { type: ID, standard: service_request_id }\n', '      serviceRequestId: { type: ID, standard: service_request_id }\n  Inspection:\n    description: An inspection.\n    fields:\n      id: { type: ID! }\n');
    const { problem } = await refusal(text, 'Inspection is declared but not filled');
    expect(problem).toMatchObject({ line: lineOf(text, '  Inspection:'), path: 'types.Inspection' });
  });

  it('declared by two files: the second is refused, naming the first', async () => {
    const second = DECLARED.replace('name: code-compliance', 'name: code-compliance-copy');
    const { problem, loaded } = await refusal(DECLARED, 'CodeCase is already declared by', { 'zz-copy.yaml': second });
    expect(problem).toMatchObject({ file: join(loaded.dir, 'zz-copy.yaml'), line: 11 });
    expect(problem.message).toMatch(/already declared by .*code\.yaml:11/);
    // The first keeps its type.
    expect(loaded.mappings.map((mapping) => mapping.name).sort()).toEqual(['code-compliance', 'crm-311']);
  });

  it('a name the gateway generates, or a root field another file declares, is refused', async () => {
    const generated = DECLARED.replace('  CodeCase:\n    description', '  CodeCaseConnection:\n    description');
    const { problem } = await refusal(generated, 'is a name the gateway gives the types it generates');
    expect(problem).toMatchObject({ line: 11, path: 'types.CodeCaseConnection' });
    const other = DECLARED.replace('name: code-compliance', 'name: inspections').replace('  CodeCase:\n    description', '  Inspection:\n    many: codeCases\n    description').replace('  CodeCase:\n    title', '  Inspection:\n    title').replace('CodeCaseStatus', 'InspectionStatus');
    const taken = await refusal(DECLARED, 'root field "codeCases" is already declared by', { 'zz-inspections.yaml': other });
    expect(taken.problem).toMatchObject({ file: join(taken.loaded.dir, 'zz-inspections.yaml'), line: 11, path: 'types.Inspection' });
  });

  it('an inverse join named as a field the target has, or a join its own file declares, is refused', async () => {
    const asField = DECLARED.replace('inverse: { name: codeCases', 'inverse: { name: status');
    const field = await refusal(asField, '"status" is already a field of ServiceRequest');
    expect(field.problem).toMatchObject({ line: lineOf(asField, 'inverse: { name: status'), path: 'datasets.CodeCase.joins.serviceRequest.inverse.name' });

    const withJoin = `${BASE}    joins:\n      codeCases:\n        target: WorkOrder\n        many: true\n        on: { id: serviceRequestId }\n`;
    const loaded = await loadFiles({ 'crm.yaml': withJoin, 'code.yaml': DECLARED });
    const found = errors(loaded.problems).filter((problem) => problem.message.includes('ServiceRequest.codeCases is already a join'));
    expect(found, listProblems(loaded.problems)).toHaveLength(1);
    expect(found[0]).toMatchObject({ file: join(loaded.dir, 'code.yaml'), line: lineOf(DECLARED, 'inverse: { name: codeCases') });
    expect(found[0]!.message).toMatch(/crm\.yaml:36\)/);
  });

  it('a mistake in the declaration keeps the file from being served but not its other mistakes from being found', async () => {
    const text = DECLARED.replace('inspector: { type: String }', 'inspector: { type: Strng }').replace('      openedAt: OPENED_DT\n', '      openedAt: OPENED_DT\n      closedAt: CLOSED_DT\n');
    const loaded = await loadFiles({ 'crm.yaml': BASE, 'code.yaml': text });
    const messages = errors(loaded.problems).map((problem) => `${problem.line}: ${problem.message}`);
    expect(messages.some((message) => message.includes('unknown type "Strng"')), messages.join('\n')).toBe(true);
    expect(messages.some((message) => message.includes('CodeCase has no field "closedAt"')), messages.join('\n')).toBe(true);
    expect(loaded.mappings.map((mapping) => mapping.name)).toEqual(['crm-311']);
  });
});
