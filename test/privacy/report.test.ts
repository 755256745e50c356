import { buildSchema } from 'graphql';
import { describe, expect, it } from 'vitest';
import type { ConnectorMapping, DatasetMapping, FieldMapping, FieldRule, RoleAccess, SourceLocation } from '../../src/config/mapping.js';
import { PUBLIC_LIMITS } from '../../src/config/limits.js';
import type { RoleDefinition, RolesConfig } from '../../src/config/roles.js';
import { Secret } from '../../src/config/secret.js';
import { escapeHtml, privacyReportHtml, privacyReportMarkdown, type ReportInput } from '../../src/privacy/report.js';
import { filterText, ruleText } from '../../src/privacy/report-rules.js';

const at: SourceLocation = { file: '/city/connectors/crm-311.yaml', line: 1, column: 1 };

const schema = buildSchema(`
  type Location { latitude: Float longitude: Float }
  type ServiceRequest {
    id: ID!
    serviceCode: String
    description: String
    address: String
    location: Location
    requestedAt: DateTime
    callerPhone: String
    assignedDepartment: String
  }
  type Permit { id: ID! permitNumber: String contractor: String }
  scalar DateTime
  type Query { a: Int }
`);

function role(name: string, inherits?: string, perDepartment = false, description?: string): RoleDefinition {
  return { name, inherits, perDepartment, description, limits: PUBLIC_LIMITS, at };
}

const roles: RolesConfig = {
  file: '/city/connectors/roles.yaml',
  roles: [
    role('public', undefined, false, 'Anyone'),
    role('staff', 'public', false, 'City employees'),
    role('department', 'staff', true, 'Staff of the department that owns the data'),
    role('liaison', 'department', true),
  ],
  publicRole: 'public',
  appTokens: [],
};

function scalar(name: string, column = name.toUpperCase()): FieldMapping {
  return { kind: 'scalar', name, ref: { column }, at };
}

function access(fields: Record<string, FieldRule>, extra: Omit<RoleAccess, 'fields'> = {}): RoleAccess {
  return { fields: new Map(Object.entries(fields).map(([name, rule]) => [name, { ...rule, at }])), ...extra };
}

function dataset(overrides: Partial<DatasetMapping> & Pick<DatasetMapping, 'typeName' | 'fields' | 'access'>): DatasetMapping {
  return {
    table: 'T',
    keyField: 'id',
    joins: [],
    publication: 'public',
    metadata: { title: 'Title', description: 'Description', keywords: [], accessLevel: 'public' },
    cacheMaxAgeMs: 0,
    at,
    ...overrides,
  };
}

const serviceRequests = dataset({
  typeName: 'ServiceRequest',
  fields: new Map<string, FieldMapping>([
    ['id', scalar('id')],
    ['serviceCode', scalar('serviceCode')],
    ['description', scalar('description')],
    ['address', { ...(scalar('address') as Extract<FieldMapping, { kind: 'scalar' }>), normalize: 'address' }],
    [
      'location',
      {
        kind: 'object',
        name: 'location',
        fields: new Map([
          ['latitude', scalar('latitude') as never],
          ['longitude', scalar('longitude') as never],
        ]),
        at,
      },
    ],
    ['requestedAt', scalar('requestedAt')],
    ['callerPhone', scalar('callerPhone')],
    ['assignedDepartment', scalar('assignedDepartment')],
  ]),
  addressField: 'address',
  joins: [{ name: 'permitsAtAddress', target: 'Permit', cardinality: 'many', from: 'address', to: 'address', at }],
  metadata: {
    title: '311 Service Requests <b>',
    description: 'Requests made to 311. <script>alert("x")</script> <img src="https://evil.example/p.gif"> & more',
    keywords: [],
    accessLevel: 'public',
  },
  access: new Map([
    [
      'public',
      access(
        {
          id: { kind: 'visible' },
          serviceCode: { kind: 'visible' },
          description: { kind: 'redact' },
          address: { kind: 'hundredBlock' },
          location: { kind: 'round', decimals: 3 },
          requestedAt: { kind: 'truncate', unit: 'month' },
        },
        { rows: { exclude: { serviceCode: { in: ['HOMELESS', 'ELDERCHK'] } }, at }, minimumCellCount: 5 },
      ),
    ],
    [
      'staff',
      access({
        address: { kind: 'visible' },
        location: { kind: 'snap', cell: 0.005 },
        requestedAt: { kind: 'visible' },
        callerPhone: { kind: 'mask', keepLast: 4 },
      }),
    ],
    [
      'department',
      access(
        { description: { kind: 'visible' }, callerPhone: { kind: 'pseudonymize' }, assignedDepartment: { kind: 'null' } },
        { rows: { scopeField: 'assignedDepartment', at }, minimumCellCount: 0 },
      ),
    ],
    ['liaison', access({ callerPhone: { kind: 'visible' }, assignedDepartment: { kind: 'visible' } }, { rows: { at } })],
    ['auditor', access({ id: { kind: 'visible' }, nickname: { kind: 'visible' } })],
  ]),
});

const crm: ConnectorMapping = {
  file: '/city/connectors/crm-311.yaml',
  types: [],
  name: 'crm-311',
  system: 'Riverton 311 CRM',
  department: '311 Customer Service',
  liaison: { name: 'Dana Whitfield', email: 'opendata-311@riverton.example' },
  source: { kind: 'pglite', connection: new Secret('memory://'), pool: { min: 0, max: 1 }, queryTimeoutMs: 1000, timezone: 'America/Chicago', memoryRowLimit: 100_000, at },
  datasets: [serviceRequests],
};

const permits: ConnectorMapping = {
  ...crm,
  file: '/city/connectors/permits.yaml',
  name: 'permits',
  system: 'Riverton Permitting',
  department: 'Building & Inspections',
  liaison: { name: 'Priya <Raman>', email: 'opendata-permits@riverton.example' },
  datasets: [
    dataset({
      typeName: 'Permit',
      publication: 'internal',
      fields: new Map([
        ['id', scalar('id')],
        ['permitNumber', scalar('permitNumber')],
        ['contractor', scalar('contractor')],
      ]),
      access: new Map([
        ['public', access({ id: { kind: 'visible' }, permitNumber: { kind: 'visible' } })],
        ['staff', access({ contractor: { kind: 'redact' } })],
      ]),
    }),
    dataset({
      typeName: 'Permit',
      publication: 'draft',
      metadata: { title: 'Draft permits', description: 'Not yet published', keywords: [], accessLevel: 'non-public' },
      fields: new Map([['id', scalar('id')]]),
      access: new Map([['staff', access({ id: { kind: 'visible' } })]]),
    }),
  ],
};

const input: ReportInput = { mappings: [crm, permits], roles, schema };
const markdown = privacyReportMarkdown(input);
const html = privacyReportHtml(input);

/** The Markdown table row whose first cell is `first`, split into its cells. */
function mdRow(text: string, first: string, after?: string): string[] {
  const from = after ? text.indexOf(after) : 0;
  expect(from, `section ${after}`).toBeGreaterThanOrEqual(0);
  const line = text
    .slice(from)
    .split('\n')
    .find((candidate) => candidate.startsWith(`| ${first} |`));
  expect(line, `row ${first}`).toBeDefined();
  return line!.slice(2, -2).split(' | ');
}

describe('field matrix (Markdown)', () => {
  it('has one column per role in inheritance order, per-department roles marked', () => {
    expect(mdRow(markdown, 'Field')).toEqual([
      'Field',
      'Type',
      'public',
      'staff',
      'department (own department only)',
      'liaison (own department only)',
    ]);
  });

  it('states for each transform how it resists comparison of several generalised views', () => {
    for (const rule of ['hundred block', 'rounded or snapped position', 'rounded or snapped number (not a position)', 'date cut to day, month or year', 'personal data redacted', 'masked', 'pseudonym', 'always null']) {
      expect(mdRow(markdown, rule, '## How each transform resists comparison')[1]!.length, rule).toBeGreaterThan(10);
      expect(html).toContain(`<tr><th>${rule}</th>`);
    }
    expect(mdRow(markdown, 'rounded or snapped position', '## How each transform resists comparison')[1]).toMatch(/Every record at one block serves one point/);
  });

  it('shows own, inherited and fail-closed rules exactly', () => {
    const sr = '### ServiceRequest';
    expect(mdRow(markdown, 'id (key)', sr)).toEqual(['id (key)', 'ID!', 'visible', '↑ visible (from public)', '↑ visible (from public)', '↑ visible (from public)']);
    expect(mdRow(markdown, 'description', sr)).toEqual([
      'description',
      'String',
      'personal data redacted',
      '↑ personal data redacted (from public)',
      'visible',
      '↑ visible (from department)',
    ]);
    expect(mdRow(markdown, 'address', sr)).toEqual(['address', 'String', 'hundred block', 'visible', '↑ visible (from staff)', '↑ visible (from staff)']);
    expect(mdRow(markdown, 'location', sr)).toEqual([
      'location',
      'Location',
      'the point of its hundred block (one per block, in every dataset), rounded to 3 decimals (≈110 m)',
      'the point of its hundred block (one per block, in every dataset), snapped to 0.005° grid (≈560 m)',
      '↑ the point of its hundred block (one per block, in every dataset), snapped to 0.005° grid (≈560 m) (from staff)',
      '↑ the point of its hundred block (one per block, in every dataset), snapped to 0.005° grid (≈560 m) (from staff)',
    ]);
    // Without a normalised street address to place them by, rows serve no generalised position at all.
    const unplaced = privacyReportMarkdown({ ...input, mappings: [{ ...crm, datasets: [{ ...serviceRequests, addressField: undefined }] }] });
    expect(mdRow(unplaced, 'location', sr)[2]).toBe('always null: the dataset has no normalised street address to place its rows by (rounded to 3 decimals (≈110 m))');
    expect(mdRow(markdown, 'requestedAt', sr)).toEqual(['requestedAt', 'DateTime', 'cut to month', 'visible', '↑ visible (from staff)', '↑ visible (from staff)']);
    expect(mdRow(markdown, 'callerPhone', sr)).toEqual(['callerPhone', 'String', '✗ hidden (no rule)', 'masked: last 4 kept', 'pseudonym', 'visible']);
    expect(mdRow(markdown, 'assignedDepartment', sr)).toEqual([
      'assignedDepartment',
      'String',
      '✗ hidden (no rule)',
      '✗ hidden (no rule)',
      'always null',
      'visible',
    ]);
  });

  it('states that per-department roles hold for their own department only', () => {
    expect(markdown).toContain(
      "Per-department roles (department, liaison): these columns are what 311 Customer Service callers holding them see on this department's datasets",
    );
  });

  it('shows no access where the publication level keeps a role out', () => {
    const internal = '### Permit — Title';
    expect(mdRow(markdown, 'permitNumber', internal)).toEqual(['permitNumber', 'String', '—', '↑ visible (from public)', '↑ visible (from public)', '↑ visible (from public)']);
    expect(mdRow(markdown, 'contractor', internal)).toEqual(['contractor', 'String', '—', 'personal data redacted', '↑ personal data redacted (from staff)', '↑ personal data redacted (from staff)']);
    expect(mdRow(markdown, 'public', `${internal}`)[1]).toBe('no access: the dataset is internal (city staff only)');

    const draft = '### Permit — Draft permits';
    expect(mdRow(markdown, 'id (key)', draft)).toEqual(['id (key)', 'ID!', '—', '—', '↑ visible (from staff)', '↑ visible (from staff)']);
    expect(mdRow(markdown, 'staff', draft)[1]).toBe("no access: the dataset is a draft (its own department's roles only)");
    expect(mdRow(markdown, 'department (own department only)', draft)[1]).toBe('sees the dataset');
  });
});

describe('row rules and minimum cell counts', () => {
  const sr = '#### Rows and statistics';

  it('renders exclusions, scopes, inheritance and their absence in words', () => {
    expect(mdRow(markdown, 'public', sr)).toEqual(['public', 'sees the dataset', 'rows where serviceCode in \\[HOMELESS, ELDERCHK\\] are withheld', '5']);
    expect(mdRow(markdown, 'staff', sr)).toEqual([
      'staff',
      'sees the dataset',
      "↑ inherits public's row rules: rows where serviceCode in \\[HOMELESS, ELDERCHK\\] are withheld",
      // A threshold is the role's own: staff reads the rows themselves.
      'none',
    ]);
    expect(mdRow(markdown, 'department (own department only)', sr)).toEqual([
      'department (own department only)',
      'sees the dataset',
      "only rows whose assignedDepartment is the caller's department",
      '0',
    ]);
    // An empty `rows` declares no restriction, and overrides what it would inherit.
    expect(mdRow(markdown, 'liaison (own department only)', sr)).toEqual(['liaison (own department only)', 'sees the dataset', 'no row restriction', 'none']);
  });

  it('says "no row restriction" and "none" where no role of the chain declares any', () => {
    expect(mdRow(markdown, 'staff', '### Permit — Title\n')).toEqual(['staff', 'sees the dataset', 'no row restriction', 'none']);
  });

  it('puts filters into readable text', () => {
    expect(filterText({ serviceCode: { in: ['HOMELESS', 'ELDERCHK'] } })).toBe('serviceCode in [HOMELESS, ELDERCHK]');
    expect(filterText({ status: { eq: 'CLOSED' }, requestedAt: { lt: '2020-01-01' } })).toBe('status = CLOSED and requestedAt < 2020-01-01');
    expect(filterText({ or: [{ description: { contains: 'domestic violence' } }, { closedAt: { isNull: true } }] })).toBe(
      '((description contains "domestic violence") or (closedAt is empty))',
    );
    expect(filterText({ not: { agencyResponsible: { startsWith: 'Police' } } })).toBe('not (agencyResponsible starts with Police)');
    expect(filterText({ location: { latitude: { gte: 41.9 } }, zipcode: { ne: '62563', isNull: false } })).toBe(
      'location.latitude ≥ 41.9 and zipcode ≠ 62563 and zipcode is not empty',
    );
  });
});

describe('rule words', () => {
  it.each([
    [{ kind: 'visible' }, false, 'visible'],
    [{ kind: 'hidden' }, false, 'hidden'],
    [{ kind: 'null' }, false, 'always null'],
    [{ kind: 'mask', keepLast: 4 }, false, 'masked: last 4 kept'],
    [{ kind: 'mask', keepLast: 0 }, false, 'masked entirely'],
    [{ kind: 'pseudonymize' }, false, 'pseudonym'],
    [{ kind: 'hundredBlock' }, false, 'hundred block'],
    [{ kind: 'round', decimals: 3 }, true, 'rounded to 3 decimals (≈110 m)'],
    [{ kind: 'round', decimals: 2 }, true, 'rounded to 2 decimals (≈1.1 km)'],
    [{ kind: 'round', decimals: 1 }, false, 'rounded to 1 decimal'],
    [{ kind: 'snap', cell: 0.005 }, true, 'snapped to 0.005° grid (≈560 m)'],
    [{ kind: 'snap', cell: 10 }, false, 'snapped to a grid of 10'],
    [{ kind: 'truncate', unit: 'day' }, false, 'cut to day'],
    [{ kind: 'truncate', unit: 'month' }, false, 'cut to month'],
    [{ kind: 'truncate', unit: 'year' }, false, 'cut to year'],
    [{ kind: 'redact' }, false, 'personal data redacted'],
  ] as Array<[FieldRule, boolean, string]>)('%j → %s', (rule, coordinates, words) => {
    expect(ruleText(rule, coordinates)).toBe(words);
  });
});

describe('report structure', () => {
  it('groups datasets by department with the liaison, publication and a sign-off block each', () => {
    const crmAt = markdown.indexOf('## 311 Customer Service');
    const permitsAt = markdown.indexOf('## Building \\& Inspections');
    expect(crmAt).toBeGreaterThan(0);
    expect(permitsAt).toBeGreaterThan(crmAt);
    const crmSection = markdown.slice(crmAt, permitsAt);
    expect(crmSection).toContain('Liaison: Dana Whitfield \\<opendata-311@riverton.example\\>');
    expect(crmSection).toContain('Mapping file `crm-311.yaml` — Riverton 311 CRM (crm-311)');
    expect(crmSection).toContain('- Publication: **public — everyone, including anonymous callers**');
    expect(crmSection).toMatch(/### Sign-off — 311 Customer Service\n\nReviewed by: _+\n\nDate: _+\n\nSignature: _+/);
    const permitsSection = markdown.slice(permitsAt);
    expect(permitsSection).toContain('- Publication: **internal — city staff only, not the public role**');
    expect(permitsSection).toContain("- Publication: **draft — only the department's own per-department roles**");
    expect(permitsSection.match(/### Sign-off/g)).toHaveLength(1);
    expect(html.match(/<div class="signoff">/g)).toHaveLength(2);
  });

  it('lists joins and flags rules that have no effect', () => {
    expect(markdown).toContain('The rules for role "auditor" have no effect: the roles file defines no such role.');
    expect(markdown).toContain('The rule of role "auditor" for field "nickname" has no effect: the dataset maps no such field.');
    expect(markdown).toContain('Join permitsAtAddress → Permit (address = address)');
  });

  it('says a role whose key field is hidden cannot see the dataset', () => {
    const keyless: ReportInput = {
      ...input,
      mappings: [{ ...crm, datasets: [{ ...serviceRequests, access: new Map([['staff', access({ id: { kind: 'visible' }, serviceCode: { kind: 'visible' } })]]) }] }],
    };
    const text = privacyReportMarkdown(keyless);
    expect(mdRow(text, 'public', '#### Rows')[1]).toBe('no access: the key field id is hidden for this role, so the dataset is not served to it');
    expect(mdRow(text, 'serviceCode', '### ServiceRequest')).toEqual(['serviceCode', 'String', '—', 'visible', '↑ visible (from staff)', '↑ visible (from staff)']);
  });

  it('is deterministic', () => {
    expect(privacyReportMarkdown(input)).toBe(markdown);
    expect(privacyReportHtml(input)).toBe(html);
  });
});

describe('escaping', () => {
  it('escapes every value in the HTML: no markup from a mapping survives', () => {
    expect(html).not.toContain('<script>');
    expect(html).not.toContain('<img');
    expect(html).not.toContain('<b>');
    expect(html).toContain('Requests made to 311. &#60;script&#62;alert(&#34;x&#34;)&#60;/script&#62; &#60;img src=&#34;https://evil.example/p.gif&#34;&#62; &#38; more');
    expect(html).toContain('Priya &#60;Raman&#62;');
    expect(html).toContain('<h2>Building &#38; Inspections</h2>');
  });

  it('escapes markup in the Markdown too', () => {
    // Every '<' is backslash-escaped, so no renderer reads it as HTML.
    expect(markdown).not.toMatch(/(?<!\\)</);
    expect(markdown).toContain('\\<script\\>alert("x")\\</script\\>');
  });

  it('escapeHtml covers the five HTML-special characters', () => {
    expect(escapeHtml(`<a href="x" title='y'>&</a>`)).toBe('&#60;a href=&#34;x&#34; title=&#39;y&#39;&#62;&#38;&#60;/a&#62;');
  });

  it('loads nothing and runs nothing: inline CSS only', () => {
    expect(html.startsWith('<!DOCTYPE html>')).toBe(true);
    expect(html).toMatch(/<style>[^<]+<\/style>/);
    expect(html).toContain(`<meta http-equiv="Content-Security-Policy" content="default-src 'none'; style-src 'unsafe-inline'">`);
    const tags = html.match(/<[^>]*>/g) ?? [];
    const names = new Set(tags.map((tag) => /^<\/?([a-z0-9!]+)/i.exec(tag)?.[1]?.toLowerCase()));
    expect([...names].filter((name) => !['!doctype', 'html', 'head', 'meta', 'title', 'style', 'body', 'h1', 'h2', 'h3', 'h4', 'p', 'ul', 'li', 'table', 'thead', 'tbody', 'tr', 'th', 'td', 'strong', 'code', 'br', 'section', 'div', 'span'].includes(name!))).toEqual([]);
    for (const tag of tags) expect(tag).not.toMatch(/\s(?:src|href|action|srcset|on\w+)\s*=/i);
    expect(html).not.toMatch(/url\(|@import|<script/i);
    expect(html.match(/<style>/g)).toHaveLength(1);
  });

  it('marks cells by kind for the reader', () => {
    expect(html).toContain('<td class="failClosed">✗ hidden (no rule)</td>');
    expect(html).toContain('<td class="inherited">↑ visible (from public)</td>');
    expect(html).toContain('<td class="own">pseudonym</td>');
    expect(html).toContain('<td class="noAccess">—</td>');
  });
});

describe('joined rows and keys', () => {
  const works = (rows: RoleAccess['rows'] | undefined, target: DatasetMapping = serviceRequests): ReportInput => {
    const workOrders = dataset({
      typeName: 'WorkOrder',
      fields: new Map([
        ['id', scalar('id')],
        ['serviceRequestId', scalar('serviceRequestId')],
      ]),
      joins: [
        { name: 'serviceRequest', target: 'ServiceRequest', cardinality: 'one', from: 'serviceRequestId', to: 'id', at },
        { name: 'permitsHere', target: 'Permit', cardinality: 'many', from: 'id', to: 'id', at },
      ],
      access: new Map([['public', access({ id: { kind: 'visible' }, serviceRequestId: { kind: 'visible' } }, rows ? { rows } : {})]]),
    });
    const worksMapping: ConnectorMapping = { ...crm, file: '/city/connectors/public-works.yaml', name: 'public-works', department: 'Public Works', datasets: [workOrders] };
    return { mappings: [{ ...crm, datasets: [target] }, worksMapping], roles, schema };
  };
  const section = '### WorkOrder';
  const joined = (text: string, role: string) => mdRow(text, role, '#### Joined rows and keys');
  const rowRule = (text: string, role: string) => mdRow(text.slice(text.indexOf(section)), role, '#### Rows and statistics');

  it('states the default, per role: rows linked to a withheld request are withheld, their key never names one', () => {
    const text = privacyReportMarkdown(works(undefined));
    expect(joined(text, 'public')).toEqual([
      'public',
      'serviceRequest → ServiceRequest',
      'withheld with it (the default: every join to one row is followed)',
      'serviceRequestId as stored: it never names a row withheld from this role',
    ]);
    // Staff inherit the public's exclusion of HOMELESS and ELDERCHK requests, and so that of their work orders.
    expect(joined(text, 'staff')[2]).toBe('withheld with it (the default: every join to one row is followed)');
    // The 311 liaison sees every request; on Public Works' datasets a liaison of Public Works is staff there.
    expect(joined(text, 'liaison (own department only)')[2]).toBe('withheld with it (the default: every join to one row is followed)');
    expect(rowRule(text, 'public')).toEqual([
      'public',
      'sees the dataset',
      'rows whose serviceRequest (ServiceRequest) is withheld from the role are withheld too',
      '3 (default for the public role)',
    ]);
    // Only joins to one row are listed.
    expect(text.slice(text.indexOf(section))).not.toMatch(/\| permitsHere/);
    expect(privacyReportHtml(works(undefined))).toContain('<td class="failClosed">withheld with it (the default: every join to one row is followed)</td>');
  });

  it('says where withheldWith keeps such rows, and that their key is then null wherever it names a row the role may not read', () => {
    const text = privacyReportMarkdown(works({ withheldWith: [], at }));
    expect(joined(text, 'public').slice(2)).toEqual([
      'kept (withheldWith leaves it out)',
      'serviceRequestId null wherever it names a ServiceRequest row this role may not read, withheld or missing alike',
    ]);
    expect(rowRule(text, 'public')[2]).toBe('no row restriction');
  });

  it('withholds every linked row, or nulls every key, where the role cannot read the linked dataset at all', () => {
    const internal = { ...serviceRequests, publication: 'internal' as const };
    expect(joined(privacyReportMarkdown(works(undefined, internal)), 'public')[2]).toBe(
      'every row linking to one is withheld (the default: every join to one row is followed): this role cannot read ServiceRequest',
    );
    expect(joined(privacyReportMarkdown(works({ withheldWith: [], at }, internal)), 'public')[3]).toBe('serviceRequestId always null: this role cannot read ServiceRequest');
  });
});
