/**
 * Broken `format`, `normalize`, `addressField` and `joins`, one mistake per case, each
 * reported at the line a liaison has to fix. BASE (helpers.ts) fills ServiceRequest; its
 * line 35 is the first line after the dataset, where the cases append dataset keys.
 */
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import type { Problem } from '../../src/config/problem.js';
import { formatProblem } from '../../src/config/problem.js';
import { BASE, editLine, errors, expectRefused, listProblems, loadFiles } from './helpers.js';

interface Case {
  name: string;
  text: string;
  line: number;
  column?: number;
  path?: string;
  message: string;
}

/** BASE with `joins:` at line 35 and the given join entries from line 36 on. */
const withJoins = (entries: string, base = BASE) => `${base}    joins:\n${entries}`;
/** A join to WorkOrder named `orders` (line 36; target at 37, on at 38). */
const ordersJoin = (on: string, target = 'WorkOrder') => withJoins(`      orders:\n        target: ${target}\n        on: ${on}\n`);

const cases: Case[] = [
  // format and normalize
  {
    name: 'format on a field that is not ID or String',
    text: editLine(26, "      requestedAt: { column: CREATED_DT, format: { raw: '{n:d}', public: 'R-{n:8}' } }"),
    line: 26,
    column: 42,
    path: 'datasets.ServiceRequest.fields.requestedAt.format',
    message: '"format" is only for ID and String fields, and "requestedAt" is DateTime!',
  },
  {
    name: 'normalize on a sub-field that is not ID or String',
    text: editLine(29, '          latitude: { column: LAT, normalize: address }'),
    line: 29,
    path: 'datasets.ServiceRequest.fields.location.fields.latitude.normalize',
    message: '"normalize" is only for ID and String fields, and "latitude" is Float!',
  },
  {
    name: 'normalize on an enum field',
    text: editLine(23, '        normalize: address'),
    line: 23,
    path: 'datasets.ServiceRequest.fields.status.normalize',
    message: '"normalize" is only for ID and String fields, and "status" is ServiceRequestStatus!',
  },
  {
    name: 'normalize together with codes',
    text: editLine(25, '      serviceName:\n        column: SR_TYPE_NAME\n        codes: { PTHOLE: Pothole in Street }\n        normalize: address'),
    line: 28,
    column: 9,
    path: 'datasets.ServiceRequest.fields.serviceName.normalize',
    message: '"normalize" cannot be used with "codes": a field takes only one of "codes", "format", "normalize"',
  },
  {
    name: 'format together with codes',
    text: editLine(25, "      serviceName:\n        column: SR_TYPE_NAME\n        codes: { PTHOLE: Pothole in Street }\n        format: { raw: '{n:d}', public: 'S-{n:8}' }"),
    line: 28,
    path: 'datasets.ServiceRequest.fields.serviceName.format',
    message: '"format" cannot be used with "codes"',
  },
  {
    name: 'format together with normalize, reported at the one written second',
    text: editLine(20, "      id:\n        column: CASE_NO\n        normalize: address\n        format: { raw: '{n:d}', public: 'SR-{n:8}' }"),
    line: 23,
    path: 'datasets.ServiceRequest.fields.id.format',
    message: '"format" cannot be used with "normalize"',
  },
  {
    name: 'a raw template without parts, at the template',
    text: editLine(20, "      id: { column: CASE_NO, format: { raw: plain, public: 'SR-{n:8}' } }"),
    line: 20,
    column: 45,
    path: 'datasets.ServiceRequest.fields.id.format.raw',
    message: 'invalid format: raw template "plain" has no {part}',
  },
  {
    name: 'a public template with a malformed part',
    text: editLine(20, "      id:\n        column: CASE_NO\n        format:\n          raw: '{n:d}'\n          public: 'SR-{n:x}'"),
    line: 24,
    column: 19,
    path: 'datasets.ServiceRequest.fields.id.format.public',
    message: 'invalid format: public template "SR-{n:x}": a part is written {name}, {name:d} or {name:N}',
  },
  {
    name: 'templates that name different parts, at the format key',
    text: editLine(20, "      id:\n        column: CASE_NO\n        format: { raw: '{year}-{seq:d}', public: 'SR-{seq:8}' }"),
    line: 22,
    column: 9,
    path: 'datasets.ServiceRequest.fields.id.format',
    message: 'invalid format: the raw and public templates must name the same parts (raw: seq, year; public: seq)',
  },
  {
    name: 'a format without its public template',
    text: editLine(20, "      id: { column: CASE_NO, format: { raw: '{n:d}' } }"),
    line: 20,
    path: 'datasets.ServiceRequest.fields.id.format',
    message: 'missing required key "public"',
  },
  {
    name: 'an unknown kind of normalisation',
    text: editLine(25, '      serviceName: { column: SR_TYPE_NAME, normalize: street }'),
    line: 25,
    path: 'datasets.ServiceRequest.fields.serviceName.normalize',
    message: 'must be one of "address", not "street"',
  },
  {
    name: 'format on an object field',
    text: editLine(28, "        format: { raw: '{a}', public: '{a}' }\n        fields:"),
    line: 28,
    path: 'datasets.ServiceRequest.fields.location.format',
    message: '"format" cannot be used with "fields"',
  },

  // addressField
  {
    name: 'an addressField that is not a field, with a suggestion',
    text: `${BASE}    addressField: adress\n`,
    line: 35,
    column: 19,
    path: 'datasets.ServiceRequest.addressField',
    message: 'addressField "adress" is not a field of ServiceRequest (did you mean "address"?)',
  },
  {
    name: 'an addressField that is not mapped',
    text: `${BASE}    addressField: address\n`,
    line: 35,
    path: 'datasets.ServiceRequest.addressField',
    message: 'addressField "address" must be mapped under "fields"',
  },
  {
    name: 'an addressField that is not a String',
    text: `${editLine(20, '      id: { column: CASE_NO, normalize: address }')}    addressField: id\n`,
    line: 35,
    path: 'datasets.ServiceRequest.addressField',
    message: 'addressField "id" must be a String field, not ID!',
  },
  {
    name: 'an addressField without normalize: address',
    text: `${BASE}    addressField: serviceName\n`,
    line: 35,
    path: 'datasets.ServiceRequest.addressField',
    message: 'addressField "serviceName" must be mapped with "normalize: address"',
  },

  // joins, against the schema
  {
    name: 'a join named like a field of the type',
    text: withJoins('      status:\n        target: WorkOrder\n        on: { id: serviceRequestId }\n'),
    line: 36,
    column: 7,
    path: 'datasets.ServiceRequest.joins.status',
    message: '"status" is already a field of ServiceRequest; a join becomes a new field, so give it another name',
  },
  {
    name: 'a join name that cannot be a GraphQL field',
    text: withJoins('      work-orders:\n        target: WorkOrder\n        on: { id: serviceRequestId }\n'),
    line: 36,
    path: 'datasets.ServiceRequest.joins.work-orders',
    message: '"work-orders" cannot be a field name',
  },
  {
    name: 'a target that is no type, with the closest dataset type',
    text: ordersJoin('{ id: serviceRequestId }', 'WorkOrders'),
    line: 37,
    column: 17,
    path: 'datasets.ServiceRequest.joins.orders.target',
    message: 'target "WorkOrders" is not a type of the public schema (did you mean "WorkOrder"?)',
  },
  {
    name: 'a target that is a type but not a dataset',
    text: ordersJoin('{ id: latitude }', 'Location'),
    line: 37,
    path: 'datasets.ServiceRequest.joins.orders.target',
    message: 'target "Location" is not a dataset type (dataset types: Permit, ServiceRequest, WorkOrder)',
  },
  {
    name: 'a join from a field the type does not have',
    text: ordersJoin('{ ids: serviceRequestId }'),
    line: 38,
    column: 15,
    path: 'datasets.ServiceRequest.joins.orders.on.ids',
    message: 'ServiceRequest has no field "ids" to join from (did you mean "id"?)',
  },
  {
    name: 'a join from a field that is not mapped',
    text: ordersJoin('{ address: address }'),
    line: 38,
    path: 'datasets.ServiceRequest.joins.orders.on.address',
    message: '"address" must be mapped under "fields" to join on it',
  },
  {
    name: 'a join from an object field',
    text: ordersJoin('{ location: location }'),
    line: 38,
    path: 'datasets.ServiceRequest.joins.orders.on.location',
    message: '"location" is a Location made of several values; a join matches on a single value',
  },
  {
    name: 'a join to a field the target does not have, with a suggestion',
    text: ordersJoin('{ id: serviceRequestID }'),
    line: 38,
    column: 19,
    path: 'datasets.ServiceRequest.joins.orders.on.id',
    message: 'WorkOrder has no field "serviceRequestID" (did you mean "serviceRequestId"?)',
  },
  {
    name: 'a join between fields of different types',
    text: ordersJoin('{ requestedAt: serviceRequestId }'),
    line: 38,
    path: 'datasets.ServiceRequest.joins.orders.on.requestedAt',
    message: 'ServiceRequest.requestedAt (DateTime!) cannot be joined to WorkOrder.serviceRequestId (ID): both must have the same type (ID and String match each other)',
  },
  {
    name: 'a join to an object field',
    text: ordersJoin('{ id: location }'),
    line: 38,
    path: 'datasets.ServiceRequest.joins.orders.on.id',
    message: 'ServiceRequest.id (ID!) cannot be joined to WorkOrder.location (Location): a join compares single scalar values',
  },
  {
    name: 'a join on two pairs of fields',
    text: ordersJoin('{ id: serviceRequestId, serviceCode: workType }'),
    line: 38,
    path: 'datasets.ServiceRequest.joins.orders.on',
    message: 'must have exactly 1 entry',
  },
  {
    name: 'a join without a target',
    text: withJoins('      orders:\n        on: { id: serviceRequestId }\n'),
    line: 36,
    path: 'datasets.ServiceRequest.joins.orders',
    message: 'missing required key "target"',
  },
  {
    name: 'a join whose many is not true or false',
    text: withJoins('      orders:\n        target: WorkOrder\n        many: lots\n        on: { id: serviceRequestId }\n'),
    line: 38,
    path: 'datasets.ServiceRequest.joins.orders.many',
    message: 'expected true or false, got text',
  },
  {
    name: 'a join to its own dataset on a field this file does not map',
    text: withJoins('      sameService:\n        target: ServiceRequest\n        many: true\n        on: { serviceCode: statusNotes }\n'),
    line: 39,
    column: 28,
    path: 'datasets.ServiceRequest.joins.sameService.on.serviceCode',
    message: 'ServiceRequest (filled by this file, line 13) does not map "statusNotes", so "sameService" has nothing to match on: map it there, or join on another field',
  },
];

describe('broken formats, addresses and joins', () => {
  it.each(cases)('report $name', async ({ text, ...expected }) => {
    await expectRefused(text, expected);
  });

  it('report a mistake once', async () => {
    const loaded = await loadFiles({ 'crm.yaml': ordersJoin('{ id: serviceRequestID }') });
    expect(errors(loaded.problems).map((problem) => formatProblem(problem, loaded.dir))).toEqual([
      'crm.yaml:38:19: error: datasets.ServiceRequest.joins.orders.on.id: WorkOrder has no field "serviceRequestID" (did you mean "serviceRequestId"?)',
    ]);
  });
});

/** A small WorkOrder mapping whose `serviceRequest` join (line 24; target 25, on 26) needs ServiceRequest. */
const WORKS = `name: public-works
system: Riverton Public Works Work Management
department: Public Works
liaison:
  name: Luis Ortega
  email: opendata-publicworks@riverton.example
source:
  kind: pglite
  connection: memory://
datasets:
  WorkOrder:
    title: Work orders
    description: Field work.
    keywords: [work orders]
    accessLevel: public
    table: workorder
    fields:
      id: workorderid
      workType: worktype
      status: { column: status, codes: { OPEN: OPEN } }
      createdAt: initiatedate
      serviceRequestId: { column: srnumber, format: { raw: '{year}-{seq:d}', public: 'SR-{year}-{seq:8}' } }
    joins:
      serviceRequest:
        target: ServiceRequest
        on: { serviceRequestId: id }
    publication: public
    access:
      public:
        fields: { id: visible, workType: visible, status: visible, createdAt: visible, serviceRequestId: visible }
`;

interface CrossCase {
  name: string;
  files: Record<string, string>;
  /** The mapping names that still load. */
  loads: string[];
  file: string;
  severity: Problem['severity'];
  line: number;
  path: string;
  message: RegExp;
}

const crossCases: CrossCase[] = [
  {
    name: 'a target filled by another file that does not map the joined field is an error in the joining file',
    files: { 'crm.yaml': BASE, 'works.yaml': WORKS.replace('on: { serviceRequestId: id }', 'on: { serviceRequestId: statusNotes }') },
    loads: ['crm-311'],
    file: 'works.yaml',
    severity: 'error',
    line: 26,
    path: 'datasets.WorkOrder.joins.serviceRequest.on.serviceRequestId',
    message: /^ServiceRequest \(filled by .*crm\.yaml:13\) does not map "statusNotes", so "serviceRequest" has nothing to match on/,
  },
  {
    name: 'a target no file fills is a warning, and the file still loads',
    files: { 'works.yaml': WORKS },
    loads: ['public-works'],
    file: 'works.yaml',
    severity: 'warning',
    line: 25,
    path: 'datasets.WorkOrder.joins.serviceRequest.target',
    message: /^no mapping file that loads fills ServiceRequest, so the join "serviceRequest" is left out until one does$/,
  },
  {
    name: 'a target whose only file is broken is a warning too',
    files: { 'crm.yaml': editLine(9, '  kind: oracle'), 'works.yaml': WORKS },
    loads: ['public-works'],
    file: 'works.yaml',
    severity: 'warning',
    line: 25,
    path: 'datasets.WorkOrder.joins.serviceRequest.target',
    message: /^no mapping file that loads fills ServiceRequest/,
  },
  {
    name: 'a target whose file fails on its own join is a warning, not a second error',
    files: {
      'crm.yaml': withJoins('      orders:\n        target: WorkOrder\n        many: true\n        on: { id: assignedCrew }\n'),
      'works.yaml': WORKS,
    },
    loads: ['public-works'],
    file: 'works.yaml',
    severity: 'warning',
    line: 25,
    path: 'datasets.WorkOrder.joins.serviceRequest.target',
    message: /^no mapping file that loads fills ServiceRequest/,
  },
];

describe('joins across files', () => {
  it.each(crossCases)('report $name', async ({ files, loads, file, severity, line, path, message }) => {
    const loaded = await loadFiles(files);
    expect(loaded.mappings.map((mapping) => mapping.name)).toEqual(loads);
    const match = loaded.problems.find((problem) => problem.path === path && message.test(problem.message));
    expect(match, `no ${severity} matching ${String(message)} in\n${listProblems(loaded.problems)}`).toBeDefined();
    expect(match).toMatchObject({ severity, file: join(loaded.dir, file), line });
  });

  it('resolve a join to a dataset another file fills, keeping formats on both sides', async () => {
    const loaded = await loadFiles({ 'crm.yaml': BASE, 'works.yaml': WORKS });
    expect(errors(loaded.problems)).toEqual([]);
    expect(loaded.problems.filter((problem) => problem.file.endsWith('works.yaml')).map((problem) => problem.message)).not.toContainEqual(
      expect.stringContaining('ServiceRequest'),
    );
    const works = loaded.mappings.find((mapping) => mapping.name === 'public-works')!;
    expect(works.datasets[0]!.joins).toEqual([
      { name: 'serviceRequest', target: 'ServiceRequest', cardinality: 'one', from: 'serviceRequestId', to: 'id', at: { file: works.file, line: 24, column: 7 } },
    ]);
  });

  it('keep the join of a file whose target is missing in its model, for the engine to leave out', async () => {
    const loaded = await loadFiles({ 'works.yaml': WORKS });
    expect(errors(loaded.problems)).toEqual([]);
    expect(loaded.mappings[0]!.datasets[0]!.joins.map((join) => join.target)).toEqual(['ServiceRequest']);
  });

  it('report the failing file’s own join where the target file does not map the field', async () => {
    const loaded = await loadFiles({
      'crm.yaml': withJoins('      orders:\n        target: WorkOrder\n        many: true\n        on: { id: assignedCrew }\n'),
      'works.yaml': WORKS,
    });
    expect(errors(loaded.problems).map((problem) => formatProblem(problem, loaded.dir))).toEqual([
      expect.stringMatching(/^crm\.yaml:39:19: error: datasets\.ServiceRequest\.joins\.orders\.on\.id: WorkOrder \(filled by .*works\.yaml:11\) does not map "assignedCrew"/),
    ]);
  });
});
