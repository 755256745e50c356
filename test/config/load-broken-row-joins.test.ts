/**
 * Broken row rules that reach through joins — `withheldWith` and conditions on the row a join
 * links to — one mistake per case, each reported at the line a liaison has to fix. BASE
 * (helpers.ts) fills ServiceRequest; `withRows` adds a row rule for the public at line 35 and
 * joins from line 36 on.
 */
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { formatProblem } from '../../src/config/problem.js';
import { BASE, errors, expectRefused, listProblems, loadFiles } from './helpers.js';

/** BASE with `rows: <rows>` for the public at line 35, `joins:` at 36 and the join entries from line 37 on. */
const withRows = (rows: string, joins: string) => `${BASE}        rows: ${rows}\n    joins:\n${joins}`;
/** BASE with `joins:` at line 35 and the entries from line 36 on. */
const withJoins = (joins: string) => `${BASE}    joins:\n${joins}`;

/** Two joins to WorkOrder: `firstOrder` to one row (line 37), `orders` to many (line 40). */
const ORDER_JOINS =
  '      firstOrder:\n        target: WorkOrder\n        on: { id: serviceRequestId }\n' +
  '      orders:\n        target: WorkOrder\n        many: true\n        on: { id: serviceRequestId }\n';
/** A join from a request to another request, to one row: followed by default, so a circle of one. */
const DUPLICATE_OF = '      duplicateOf:\n        target: ServiceRequest\n        on: { serviceName: serviceCode }\n';

interface Case {
  name: string;
  text: string;
  line: number;
  column?: number;
  path?: string;
  message: string;
}

const cases: Case[] = [
  {
    name: 'withheldWith naming a join the dataset does not have, with a suggestion',
    text: withRows('{ withheldWith: [firstorder] }', ORDER_JOINS),
    line: 35,
    column: 32,
    path: 'datasets.ServiceRequest.access.public.rows.withheldWith.0',
    message: 'withheldWith: ServiceRequest has no join "firstorder" (did you mean "firstOrder"?); its joins to one row: firstOrder',
  },
  {
    name: 'withheldWith naming a join to many rows',
    text: withRows('{ withheldWith: [orders] }', ORDER_JOINS),
    line: 35,
    path: 'datasets.ServiceRequest.access.public.rows.withheldWith.0',
    message: 'withheldWith: "orders" gives many rows (many: true); a row is withheld with the one row a join to one row links it to',
  },
  {
    name: 'withheldWith in a dataset without joins',
    text: `${BASE}        rows: { withheldWith: [serviceRequest] }\n`,
    line: 35,
    path: 'datasets.ServiceRequest.access.public.rows.withheldWith.0',
    message: 'withheldWith: ServiceRequest has no join "serviceRequest"; it declares no join to one row under "joins"',
  },
  {
    name: 'withheldWith written as one name instead of a list',
    text: withRows('{ withheldWith: firstOrder }', ORDER_JOINS),
    line: 35,
    path: 'datasets.ServiceRequest.access.public.rows.withheldWith',
    message: 'expected a list, got text',
  },
  {
    name: 'withheldWith naming a join twice',
    text: withRows('{ withheldWith: [firstOrder, firstOrder] }', ORDER_JOINS),
    line: 35,
    path: 'datasets.ServiceRequest.access.public.rows.withheldWith',
    message: 'must not name the same entry twice',
  },
  {
    name: 'an exclude that looks at the rows of a join to many',
    text: withRows('{ exclude: { orders: { workType: { eq: ENCAMPMENT CLEANUP } } } }', ORDER_JOINS),
    line: 35,
    path: 'datasets.ServiceRequest.access.public.rows.exclude.orders',
    message: '"orders" gives many rows (many: true); a row rule can look only at the one row a join to one row links to',
  },
  {
    name: 'an exclude naming a join that does not exist, with a suggestion',
    text: withRows('{ exclude: { firstOrdr: { workType: { eq: X } } } }', ORDER_JOINS),
    line: 35,
    path: 'datasets.ServiceRequest.access.public.rows.exclude.firstOrdr',
    message: 'ServiceRequest has no field "firstOrdr" to filter on (did you mean "firstOrder"?)',
  },
  {
    name: 'an exclude on a field the linked type does not have, with a suggestion',
    text: withRows('{ exclude: { firstOrder: { wrkType: { eq: X } } } }', ORDER_JOINS),
    line: 35,
    path: 'datasets.ServiceRequest.access.public.rows.exclude.firstOrder.wrkType',
    message: 'WorkOrder (linked by "firstOrder") has no single-value field "wrkType" to filter on (did you mean "workType"?)',
  },
  {
    name: 'an exclude on an object field of the linked type',
    text: withRows('{ exclude: { firstOrder: { location: { latitude: { gt: 41 } } } } }', ORDER_JOINS),
    line: 35,
    path: 'datasets.ServiceRequest.access.public.rows.exclude.firstOrder.location',
    message: 'WorkOrder (linked by "firstOrder") has no single-value field "location" to filter on: a row rule compares single values of the linked row',
  },
  {
    name: 'an exclude whose condition does not fit the linked field, inside not',
    text: withRows('{ exclude: { firstOrder: { not: { status: { eq: DONE } } } } }', ORDER_JOINS),
    line: 35,
    path: 'datasets.ServiceRequest.access.public.rows.exclude.firstOrder.not.status.eq',
    message: 'eq: "DONE" is not a WorkOrderStatus value',
  },
  {
    name: 'a join to one row of its own dataset: withheld with itself, a circle',
    text: withJoins(DUPLICATE_OF),
    line: 36,
    path: 'datasets.ServiceRequest.joins.duplicateOf',
    message: 'rows are withheld with the row this join links to, and that goes round in a circle (ServiceRequest.duplicateOf → ServiceRequest)',
  },
];

describe('a mapping file with a broken row rule across joins', () => {
  it.each(cases)('is refused: $name', async ({ text, line, column, path, message }) => {
    await expectRefused(text, { line, ...(column === undefined ? {} : { column }), ...(path === undefined ? {} : { path }), message });
  });

  it('loads when withheldWith names none of its joins, which breaks the circle', async () => {
    const loaded = await loadFiles({ 'crm.yaml': withRows('{ withheldWith: [] }', DUPLICATE_OF) });
    expect(errors(loaded.problems), listProblems(loaded.problems)).toEqual([]);
    expect(loaded.mappings[0]!.datasets[0]!.access.get('public')!.rows).toMatchObject({ withheldWith: [] });
  });

  it('keeps conditions on the linked row as written, for the engine to plan', async () => {
    const loaded = await loadFiles({ 'crm.yaml': withRows('{ exclude: { firstOrder: { or: [{ workType: { startsWith: ENCAMP } }, { status: { in: [OPEN] } }] } } }', ORDER_JOINS) });
    expect(errors(loaded.problems), listProblems(loaded.problems)).toEqual([]);
    expect(loaded.mappings[0]!.datasets[0]!.access.get('public')!.rows!.exclude).toEqual({
      firstOrder: { or: [{ workType: { startsWith: 'ENCAMP' } }, { status: { in: ['OPEN'] } }] },
    });
  });
});

/** Public Works: WorkOrder with `serviceRequest`, a join to one row (line 24), and the public's access from line 30. */
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
      serviceRequestId: srnumber
    joins:
      serviceRequest:
        target: ServiceRequest
        on: { serviceRequestId: id }
    publication: public
    access:
      public:
        fields: { id: visible, workType: visible, serviceRequestId: visible }
`;

describe('row rules across files', () => {
  it('refuse a condition on a linked field the other file does not map, in the file that names it', async () => {
    const works = `${WORKS}        rows: { exclude: { serviceRequest: { statusNotes: { contains: shelter } } } }\n`;
    const loaded = await loadFiles({ 'crm.yaml': BASE, 'works.yaml': works });
    expect(loaded.mappings.map((mapping) => mapping.name)).toEqual(['crm-311']);
    expect(errors(loaded.problems).map((problem) => formatProblem(problem, loaded.dir))).toEqual([
      expect.stringMatching(
        /^works\.yaml:31:46: error: datasets\.WorkOrder\.access\.public\.rows\.exclude\.serviceRequest\.statusNotes: ServiceRequest \(filled by .*crm\.yaml:13\) does not map "statusNotes", so this row rule cannot look at it on the row "serviceRequest" links to/,
      ),
    ]);
  });

  it('accept a condition on a linked field the other file maps', async () => {
    const works = `${WORKS}        rows: { exclude: { serviceRequest: { serviceCode: { in: [HOMELESS] } } } }\n`;
    const loaded = await loadFiles({ 'crm.yaml': BASE, 'works.yaml': works });
    expect(errors(loaded.problems), listProblems(loaded.problems)).toEqual([]);
    expect(loaded.mappings.map((mapping) => mapping.name)).toEqual(['crm-311', 'public-works']);
  });

  it('refuse a circle of withheldWith through two files, in each file at its own join', async () => {
    const crm = withJoins('      latestOrder:\n        target: WorkOrder\n        on: { id: serviceRequestId }\n');
    const loaded = await loadFiles({ 'crm.yaml': crm, 'works.yaml': WORKS });
    expect(loaded.mappings).toEqual([]);
    const found = errors(loaded.problems).filter((problem) => problem.message.includes('goes round in a circle'));
    expect(found.map((problem) => [problem.file, problem.line, problem.path])).toEqual([
      [join(loaded.dir, 'crm.yaml'), 36, 'datasets.ServiceRequest.joins.latestOrder'],
      [join(loaded.dir, 'works.yaml'), 24, 'datasets.WorkOrder.joins.serviceRequest'],
    ]);
    for (const problem of found) expect(problem.message).toContain('(ServiceRequest.latestOrder → WorkOrder.serviceRequest → ServiceRequest)');
  });

  it('load the same two files once one of them follows neither join', async () => {
    const crm = withRows('{ withheldWith: [] }', '      latestOrder:\n        target: WorkOrder\n        on: { id: serviceRequestId }\n');
    const loaded = await loadFiles({ 'crm.yaml': crm, 'works.yaml': WORKS });
    expect(errors(loaded.problems), listProblems(loaded.problems)).toEqual([]);
    expect(loaded.mappings.map((mapping) => mapping.name)).toEqual(['crm-311', 'public-works']);
  });
});
