/**
 * Access rules in mapping files (`publication`, `access:`), one mistake per case, each at
 * the line a liaison has to fix; then what inheritance leaves out (fail-closed warnings,
 * the key), and the real connectors' rules. BASE (helpers.ts) ends with `access:` at line
 * 32 and the public role's field rules at line 34; the cases edit that line or append
 * roles from line 35 on.
 */
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { loadMappings } from '../../src/config/load-mappings.js';
import { loadRoles } from '../../src/config/load-roles.js';
import type { DatasetMapping } from '../../src/config/mapping.js';
import { formatProblem } from '../../src/config/problem.js';
import { BASE, editLine, errors, expectRefused, loadFiles, publicSchema, REPO, ROLES, tempDir } from './helpers.js';

const PUBLIC_FIELDS = 'id: visible, status: visible, serviceCode: visible, serviceName: visible, requestedAt: visible, location: visible';
/** BASE with the public role's field rules (line 34) replaced. */
const publicRules = (rules: string, base = BASE) => editLine(34, `        fields: { ${rules} }`, base);
/** BASE with more role entries appended from line 35. */
const withRoles = (entries: string, base = BASE) => `${base}${entries}`;
/** BASE with the public role's `rows:` at line 35 and its content from line 36. */
const publicRows = (rows: string) => withRoles(`        rows:\n${rows}`);

interface Case {
  name: string;
  text: string;
  line: number;
  column?: number;
  path: string;
  message: string;
}

const cases: Case[] = [
  // publication
  {
    name: 'a dataset without publication',
    text: editLine(31, null),
    line: 13,
    column: 3,
    path: 'datasets.ServiceRequest',
    message: 'missing required key "publication"',
  },
  {
    name: 'an unknown publication',
    text: editLine(31, '    publication: open'),
    line: 31,
    column: 18,
    path: 'datasets.ServiceRequest.publication',
    message: 'must be one of "draft", "internal", "public", not "open"',
  },

  // roles
  {
    name: 'a role roles.yaml does not declare, with a suggestion',
    text: withRoles('      staf:\n        fields: { serviceName: redact }\n'),
    line: 35,
    column: 7,
    path: 'datasets.ServiceRequest.access.staf',
    message: 'unknown role "staf" (did you mean "staff"?); roles.yaml declares public, staff, department, liaison',
  },
  {
    name: 'a role name that cannot be one',
    text: withRoles('      Staff:\n        fields: { serviceName: redact }\n'),
    line: 35,
    column: 7,
    path: 'datasets.ServiceRequest.access.Staff',
    message: '"Staff" is not a role name',
  },

  // fields and rules
  {
    name: 'a rule for a field the type does not have',
    text: publicRules(`${PUBLIC_FIELDS}, statuss: visible`),
    line: 34,
    path: 'datasets.ServiceRequest.access.public.fields.statuss',
    message: 'ServiceRequest has no field "statuss" (did you mean "status"?)',
  },
  {
    name: 'a rule for a field that is not mapped',
    text: publicRules(`${PUBLIC_FIELDS}, address: hundredBlock`),
    line: 34,
    path: 'datasets.ServiceRequest.access.public.fields.address',
    message: '"address" is not mapped under "fields", so there is nothing to show public',
  },
  {
    name: 'an unknown rule, with a suggestion',
    text: publicRules(PUBLIC_FIELDS.replace('status: visible', 'status: visble')),
    line: 34,
    path: 'datasets.ServiceRequest.access.public.fields.status',
    message: 'must be one of "visible", "hidden", "null", "pseudonymize", "hundredBlock", "redact", not "visble" (did you mean "visible"?)',
  },
  {
    name: 'an empty rule',
    text: withRoles('      staff:\n        fields:\n          serviceName:\n'),
    line: 37,
    path: 'datasets.ServiceRequest.access.staff.fields.serviceName',
    message: 'give a rule: visible, hidden, null, pseudonymize, hundredBlock, redact, or a map such as',
  },
  {
    name: 'a typo in a rule map',
    text: publicRules(PUBLIC_FIELDS.replace('location: visible', 'location: { rond: 3 }')),
    line: 34,
    path: 'datasets.ServiceRequest.access.public.fields.location',
    message: 'unknown key "rond" (did you mean "round"?)',
  },
  {
    name: 'two rules for one field',
    text: publicRules(PUBLIC_FIELDS.replace('location: visible', 'location: { round: 3, snap: 0.01 }')),
    line: 34,
    path: 'datasets.ServiceRequest.access.public.fields.location',
    message: 'must have exactly 1 entry',
  },
  {
    name: 'mask on an enum field',
    text: publicRules(PUBLIC_FIELDS.replace('status: visible', 'status: { mask: { keepLast: 2 } }')),
    line: 34,
    path: 'datasets.ServiceRequest.access.public.fields.status',
    message: '"mask" is for text (String or ID) fields, and "status" is ServiceRequestStatus!',
  },
  {
    name: 'mask without keepLast',
    text: publicRules(PUBLIC_FIELDS.replace('serviceName: visible', 'serviceName: { mask: {} }')),
    line: 34,
    path: 'datasets.ServiceRequest.access.public.fields.serviceName.mask',
    message: 'missing required key "keepLast"',
  },
  {
    name: 'pseudonymize on a date-time',
    text: publicRules(PUBLIC_FIELDS.replace('requestedAt: visible', 'requestedAt: pseudonymize')),
    line: 34,
    path: 'datasets.ServiceRequest.access.public.fields.requestedAt',
    message: '"pseudonymize" is for text (String or ID) fields, and "requestedAt" is DateTime!',
  },
  {
    name: 'hundredBlock on a field not normalised as an address',
    text: publicRules(PUBLIC_FIELDS.replace('serviceName: visible', 'serviceName: hundredBlock')),
    line: 34,
    path: 'datasets.ServiceRequest.access.public.fields.serviceName',
    message: '"hundredBlock" needs a street address the gateway can read: map "serviceName" with "normalize: address"',
  },
  {
    name: 'round on a text field',
    text: publicRules(PUBLIC_FIELDS.replace('serviceName: visible', 'serviceName: { round: 2 }')),
    line: 34,
    path: 'datasets.ServiceRequest.access.public.fields.serviceName',
    message: '"round" is for coordinates (Float fields, or an object of Float fields such as location), and "serviceName" is String!',
  },
  {
    name: 'round to more than 6 decimals',
    text: publicRules(PUBLIC_FIELDS.replace('location: visible', 'location: { round: 7 }')),
    line: 34,
    path: 'datasets.ServiceRequest.access.public.fields.location.round',
    message: 'must be at most 6',
  },
  {
    name: 'a snap cell of zero',
    text: publicRules(PUBLIC_FIELDS.replace('location: visible', 'location: { snap: 0 }')),
    line: 34,
    path: 'datasets.ServiceRequest.access.public.fields.location.snap',
    message: 'must be more than 0',
  },
  {
    name: 'truncate on coordinates',
    text: publicRules(PUBLIC_FIELDS.replace('location: visible', 'location: { truncate: month }')),
    line: 34,
    path: 'datasets.ServiceRequest.access.public.fields.location',
    message: '"truncate" is for DateTime and Date fields, and "location" is Location',
  },
  {
    name: 'truncate to an unknown unit',
    text: publicRules(PUBLIC_FIELDS.replace('requestedAt: visible', 'requestedAt: { truncate: week }')),
    line: 34,
    path: 'datasets.ServiceRequest.access.public.fields.requestedAt.truncate',
    message: 'must be one of "day", "month", "year", not "week"',
  },
  {
    name: 'null on a non-null field',
    text: withRoles('      staff:\n        fields:\n          requestedAt: null\n'),
    line: 37,
    path: 'datasets.ServiceRequest.access.staff.fields.requestedAt',
    message: '"null" cannot be used on "requestedAt" (DateTime!), which the schema promises is never empty: use "hidden" to leave it out',
  },
  {
    name: 'a minimumCellCount of zero',
    text: withRoles('        minimumCellCount: 0\n'),
    line: 35,
    path: 'datasets.ServiceRequest.access.public.minimumCellCount',
    message: 'must be at least 1',
  },

  // rows
  {
    name: 'rows given as a list',
    text: withRoles('        rows: []\n'),
    line: 35,
    path: 'datasets.ServiceRequest.access.public.rows',
    message: 'expected a map of keys, got a list',
  },
  {
    name: 'an exclude on a field the type does not have',
    text: publicRows('          exclude: { serviceKode: { in: [HOMELESS] } }\n'),
    line: 36,
    path: 'datasets.ServiceRequest.access.public.rows.exclude.serviceKode',
    message: 'ServiceRequest has no field "serviceKode" to filter on (did you mean "serviceCode"?)',
  },
  {
    name: 'an exclude on a field that is not mapped',
    text: publicRows("          exclude: { zipcode: { eq: '60601' } }\n"),
    line: 36,
    path: 'datasets.ServiceRequest.access.public.rows.exclude.zipcode',
    message: '"zipcode" must be mapped under "fields" to filter on it',
  },
  {
    name: 'an operator the field type does not take',
    text: publicRows('          exclude: { status: { contains: OP } }\n'),
    line: 36,
    path: 'datasets.ServiceRequest.access.public.rows.exclude.status.contains',
    message: '"contains" cannot be used on "status" (ServiceRequestStatus); use one of eq, ne, in, isNull',
  },
  {
    name: 'an unknown operator, with a suggestion',
    text: publicRows('          exclude:\n            serviceCode: { iin: [HOMELESS] }\n'),
    line: 37,
    column: 28,
    path: 'datasets.ServiceRequest.access.public.rows.exclude.serviceCode.iin',
    message: 'unknown condition "iin" (did you mean "in"?); "serviceCode" (String) takes eq, ne, in, lt, lte, gt, gte, contains, startsWith, isNull',
  },
  {
    name: 'a value that is not one of the enum values',
    text: publicRows('          exclude: { status: { eq: OPN } }\n'),
    line: 36,
    path: 'datasets.ServiceRequest.access.public.rows.exclude.status.eq',
    message: 'eq: "OPN" is not a ServiceRequestStatus value (did you mean "OPEN"?); allowed: OPEN, CLOSED',
  },
  {
    name: 'a bad value deep inside not / or / in',
    text: publicRows('          exclude:\n            not:\n              or:\n                - status: { in: [OPEN, CLOSD] }\n'),
    line: 39,
    path: 'datasets.ServiceRequest.access.public.rows.exclude.not.or.0.status.in.1',
    message: 'in: "CLOSD" is not a ServiceRequestStatus value (did you mean "CLOSED"?)',
  },
  {
    name: 'a condition on a sub-field with a value of the wrong type',
    text: publicRows('          exclude: { location: { latitude: { gt: north } } }\n'),
    line: 36,
    path: 'datasets.ServiceRequest.access.public.rows.exclude.location.latitude.gt',
    message: 'gt: "north" is not a Float (a number)',
  },
  {
    name: 'an operator on an object field instead of its sub-fields',
    text: publicRows('          exclude: { location: { isNull: true } }\n'),
    line: 36,
    path: 'datasets.ServiceRequest.access.public.rows.exclude.location.isNull',
    message: 'Location field "isNull" is not mapped in "location": "location" is made of several values, so give conditions for each',
  },
  {
    name: 'a scopeField that is not a String',
    text: withRoles('      department:\n        rows: { scopeField: requestedAt }\n'),
    line: 36,
    path: 'datasets.ServiceRequest.access.department.rows.scopeField',
    message: 'scopeField "requestedAt" must be a String field holding a department\'s name, not DateTime!',
  },
  {
    name: 'a scopeField for a role that is not per-department',
    text: withRoles('      staff:\n        rows: { scopeField: serviceName }\n'),
    line: 36,
    path: 'datasets.ServiceRequest.access.staff.rows.scopeField',
    message: 'scopeField keeps the rows of the caller\'s department, but "staff" is not a per-department role',
  },

  // the key
  {
    name: 'a key hidden from a role that sees other fields',
    text: publicRules(PUBLIC_FIELDS.replace('id: visible', 'id: hidden')),
    line: 34,
    path: 'datasets.ServiceRequest.access.public.fields.id',
    message:
      'the key "id" must be visible or pseudonymize for every role that sees ServiceRequest rows, or rows could not be told apart consistently; "public" sees other fields but its key rule is "hidden"',
  },
  {
    name: 'a key masked for a higher role, reported at that role’s rule',
    text: withRoles('      staff:\n        fields: { id: { mask: { keepLast: 4 } } }\n'),
    line: 36,
    path: 'datasets.ServiceRequest.access.staff.fields.id',
    message: '"staff" sees other fields but its key rule is "mask"',
  },
  {
    name: 'a key without any rule',
    text: publicRules(PUBLIC_FIELDS.replace('id: visible, ', '')),
    line: 33,
    path: 'datasets.ServiceRequest.access.public',
    message: '"public" sees other fields but its key rule is no rule',
  },
];

describe('broken access rules', () => {
  it.each(cases)('report $name', async ({ text, ...expected }) => {
    await expectRefused(text, expected);
  });

  it('report a mistake in a rule once', async () => {
    const loaded = await loadFiles({ 'crm.yaml': publicRules(PUBLIC_FIELDS.replace('status: visible', 'status: visble')) });
    expect(errors(loaded.problems).map((problem) => formatProblem(problem, loaded.dir))).toEqual([
      'crm.yaml:34:40: error: datasets.ServiceRequest.access.public.fields.status: must be one of "visible", "hidden", "null", "pseudonymize", "hundredBlock", "redact", not "visble" (did you mean "visible"?)',
    ]);
    // A broken rule still counts as written: no fail-closed warning on top.
    expect(loaded.problems.filter((problem) => problem.message.startsWith('hidden from'))).toEqual([]);
  });
});

function dataset(loaded: { mappings: { datasets: DatasetMapping[] }[] }): DatasetMapping {
  const found = loaded.mappings[0]?.datasets[0];
  if (!found) throw new Error('nothing loaded');
  return found;
}

describe('inheritance and fail-closed warnings', () => {
  it('warn once per mapped field that some roles have no rule for, naming them', async () => {
    // zipcode: no rule at all; callerPhone: only the department sees it.
    const text = withRoles(
      '      department:\n        fields: { callerPhone: { mask: { keepLast: 4 } } }\n',
      editLine(26, '      requestedAt: CREATED_DT\n      zipcode: ZIP_CD\n      callerPhone: CALLER_PHONE'),
    );
    const loaded = await loadFiles({ 'crm.yaml': text });
    expect(errors(loaded.problems)).toEqual([]);
    const warned = loaded.problems.filter((problem) => problem.message.startsWith('hidden from'));
    expect(warned.map((problem) => formatProblem(problem, loaded.dir))).toEqual([
      'crm.yaml:27:7: warning: datasets.ServiceRequest.fields.zipcode: hidden from public, staff, department, liaison (no rule): no access rule reaches "zipcode" for these roles; write one under access.public.fields (e.g. "zipcode: hidden" to confirm it)',
      'crm.yaml:28:7: warning: datasets.ServiceRequest.fields.callerPhone: hidden from public, staff (no rule): no access rule reaches "callerPhone" for these roles; write one under access.public.fields (e.g. "callerPhone: hidden" to confirm it)',
    ]);
    // Warnings do not keep the file from loading; what the file says is in the model.
    const access = dataset(loaded).access;
    expect(access.get('department')?.fields.get('callerPhone')).toMatchObject({ kind: 'mask', keepLast: 4, at: { line: 38 } });
    expect(access.get('public')?.fields.has('zipcode')).toBe(false);
  });

  it('let higher roles inherit: a rule on the public role covers every role, so no warning', async () => {
    const loaded = await loadFiles({ 'crm.yaml': BASE });
    expect(loaded.problems.filter((problem) => problem.message.startsWith('hidden from'))).toEqual([]);
    expect([...dataset(loaded).access.keys()]).toEqual(['public']);
  });

  it('accept a pseudonymised key, and rows: {} as "every row" that overrides an inherited exclude', async () => {
    const text = withRoles(
      "        rows:\n          exclude: { or: [{ serviceCode: { in: [HOMELESS, ELDERCHK] } }, { requestedAt: { lt: '2020-01-01' } }] }\n" +
        '      staff:\n        rows: {}\n        minimumCellCount: 1\n      liaison:\n        fields: { id: pseudonymize, location: "null" }\n',
    );
    const loaded = await loadFiles({ 'crm.yaml': text });
    expect(errors(loaded.problems)).toEqual([]);
    const access = dataset(loaded).access;
    expect(access.get('public')?.rows).toEqual({
      exclude: { or: [{ serviceCode: { in: ['HOMELESS', 'ELDERCHK'] } }, { requestedAt: { lt: '2020-01-01' } }] },
      at: expect.objectContaining({ line: 35, column: 9 }),
    });
    expect(access.get('staff')).toEqual({ fields: new Map(), rows: { at: expect.objectContaining({ line: 38 }) }, minimumCellCount: 1 });
    expect(access.get('liaison')?.fields.get('id')).toMatchObject({ kind: 'pseudonymize' });
    expect(access.get('liaison')?.fields.get('location')).toMatchObject({ kind: 'null' });
    // The filter is plain data for the code downstream, not the YAML reader's prototype-less maps.
    expect(Object.getPrototypeOf(access.get('public')!.rows!.exclude)).toBe(Object.prototype);
  });

  it('read an unquoted YAML null as the null rule', async () => {
    const loaded = await loadFiles({ 'crm.yaml': withRoles('      staff:\n        fields:\n          serviceName: redact\n          location: null\n') });
    expect(errors(loaded.problems)).toEqual([]);
    expect(dataset(loaded).access.get('staff')?.fields.get('location')).toMatchObject({ kind: 'null', at: { line: 38, column: 11 } });
  });
});

describe('roles for loadMappings', () => {
  it('report a missing roles.yaml, and serve no mapping without it', async () => {
    const dir = await tempDir({ 'crm.yaml': BASE });
    const loaded = await loadMappings(dir, await publicSchema(), { env: {} });
    expect(loaded.mappings).toEqual([]);
    expect(loaded.roles).toBeUndefined();
    expect(errors(loaded.problems)).toEqual([
      {
        severity: 'error',
        file: join(dir, 'roles.yaml'),
        line: 0,
        column: 0,
        path: '',
        message: "cannot read the roles file (ENOENT): it declares the roles that the mapping files' access rules name",
      },
    ]);
  });

  it('serve no mapping when roles.yaml is broken, but still check the mapping files', async () => {
    const loaded = await loadFiles({ 'roles.yaml': editLine(6, '    inherits: publik', ROLES), 'crm.yaml': publicRules(`${PUBLIC_FIELDS}, statuss: visible`) });
    expect(loaded.mappings).toEqual([]);
    expect(errors(loaded.problems).map((problem) => `${problem.file.slice(loaded.dir.length + 1)}:${problem.line}`)).toEqual(['crm.yaml:34', 'roles.yaml:6']);
  });

  it('take the roles it is given instead of reading roles.yaml, which is never read as a mapping', async () => {
    const rolesDir = await tempDir({ 'roles.yaml': ROLES.replace('  liaison:', '  auditor:\n    inherits: staff\n  liaison:') });
    const { roles } = await loadRoles(join(rolesDir, 'roles.yaml'), {});
    const dir = await tempDir({ 'crm.yaml': withRoles('      auditor:\n        fields: { serviceName: redact }\n'), 'roles.yaml': 'not: [a, mapping' });
    const loaded = await loadMappings(dir, await publicSchema(), { env: {}, roles: roles! });
    expect(errors(loaded.problems)).toEqual([]);
    expect(loaded.roles).toBe(roles);
    expect([...dataset(loaded).access.keys()]).toEqual(['public', 'auditor']);
  });
});

describe('the real connectors’ access rules', () => {
  it('load with no problem at all, and give the expected model', async () => {
    const loaded = await loadMappings(join(REPO, 'connectors'), await publicSchema(), { env: {} });
    expect(loaded.problems).toEqual([]);
    expect(loaded.roles?.roles.map((role) => role.name)).toEqual(['public', 'staff', 'department', 'liaison']);
    const find = (typeName: string) => loaded.mappings.flatMap((mapping) => mapping.datasets).find((candidate) => candidate.typeName === typeName)!;
    const rule = (data: DatasetMapping, role: string, field: string) => {
      const found = data.access.get(role)?.fields.get(field);
      return found && { ...found, at: found.at.line };
    };

    const requests = find('ServiceRequest');
    expect(requests.publication).toBe('public');
    expect([...requests.access.keys()]).toEqual(['public', 'staff', 'department']);
    const publicAccess = requests.access.get('public')!;
    expect(publicAccess.minimumCellCount).toBe(3);
    expect(publicAccess.rows?.exclude).toEqual({ serviceCode: { in: ['HOMELESS', 'ELDERCHK'] } });
    expect(rule(requests, 'public', 'address')).toEqual({ kind: 'hundredBlock', at: 137 });
    expect(rule(requests, 'public', 'location')).toEqual({ kind: 'round', decimals: 3, at: 139 });
    expect(rule(requests, 'public', 'description')).toEqual({ kind: 'redact', at: 131 });
    expect(rule(requests, 'public', 'callerPhone')).toEqual({ kind: 'hidden', at: 143 });
    // Staff see every row (rows: {} overrides the public exclude) and the unredacted text.
    expect(requests.access.get('staff')!.rows).toEqual({ at: expect.objectContaining({ line: 148 }) });
    expect(rule(requests, 'staff', 'description')).toEqual({ kind: 'visible', at: 151 });
    expect([...requests.access.get('department')!.fields.keys()]).toEqual(['callerName', 'callerPhone', 'callerEmail', 'internalNotes']);
    expect(requests.fields.get('callerName')).toMatchObject({ ref: { expression: `NULLIF(CONCAT_WS(' ', "CALLER_FNAME", "CALLER_LNAME"), '')` } });

    const orders = find('WorkOrder');
    expect(orders.publication).toBe('public');
    expect(rule(orders, 'public', 'address')).toEqual({ kind: 'hundredBlock', at: 91 });
    expect(rule(orders, 'staff', 'location')).toEqual({ kind: 'visible', at: 100 });
    // No row rule: the rows follow their 311 request, the default for a join to one row.
    expect(orders.access.get('public')!.rows).toBeUndefined();
    expect(orders.joins.map((join) => [join.name, join.cardinality])).toEqual([['serviceRequest', 'one']]);

    const permits = find('Permit');
    expect(permits.publication).toBe('public');
    expect(rule(permits, 'public', 'contractorPhone')).toEqual({ kind: 'hidden', at: 136 });
    expect(rule(permits, 'department', 'contractorPhone')).toEqual({ kind: 'visible', at: 139 });
    // Every mapped permit field is public, the contractor's phone aside.
    const publicRulesOfPermits = permits.access.get('public')!.fields;
    expect([...permits.fields.keys()].filter((name) => publicRulesOfPermits.get(name)?.kind !== 'visible')).toEqual(['contractorPhone']);
  });
});
