/**
 * The privacy review matrix: for every dataset, what each role sees of each field after
 * inheritance, which rows it sees and how small a statistics cell may be, with a sign-off
 * block per department. Liaisons and privacy officers review and sign it; it is generated
 * from the same mappings and roles the gateway serves, in Markdown and as one self-contained
 * HTML page (inline CSS, no scripts, nothing loaded from elsewhere).
 */
import { basename } from 'node:path';
import { isObjectType, type GraphQLSchema } from 'graphql';
import type { ConnectorMapping, DatasetMapping, Publication } from '../config/mapping.js';
import type { RoleDefinition, RolesConfig } from '../config/roles.js';
import type { ReviewStatus } from './reviews.js';
import {
  FAIL_CLOSED_TEXT,
  fieldCell,
  inheritanceChain,
  joinedRowsCells,
  minimumCellCountCell,
  NO_ACCESS_TEXT,
  noAccessReason,
  rowRuleCell,
  type Placement,
  type ReportCell,
  type ReportDatasets,
} from './report-rules.js';

export interface ReportInput {
  mappings: ConnectorMapping[];
  roles: RolesConfig;
  schema: GraphQLSchema;
  /** The reviews recorded in the console, by mapping file (./reviews.ts); shown in each department's sign-off. */
  reviews?: ReadonlyMap<string, readonly ReviewStatus[]>;
}

interface RoleColumn {
  role: RoleDefinition;
  header: string;
}

interface FieldRow {
  name: string;
  type: string;
  key: boolean;
  cells: ReportCell[];
}

interface RoleSummary {
  role: string;
  access: string;
  rows: ReportCell;
  minimumCellCount: ReportCell;
}

/** One role and one join to one row: the rows it links to a withheld row, and its key. */
interface JoinedRow {
  role: string;
  join: string;
  rows: ReportCell;
  key: ReportCell;
}

interface DatasetSection {
  mapping: DatasetMapping;
  publication: string;
  fields: FieldRow[];
  summaries: RoleSummary[];
  joined: JoinedRow[];
  notes: string[];
}

interface ConnectorSection {
  mapping: ConnectorMapping;
  datasets: DatasetSection[];
}

interface DepartmentSection {
  department: string;
  connectors: ConnectorSection[];
  /** One sentence per recorded review of the department's mapping files, newest first. */
  reviews: string[];
}

interface ReportModel {
  columns: RoleColumn[];
  roles: RolesConfig;
  departments: DepartmentSection[];
}

export const REPORT_TITLE = 'CivicGraph privacy review';

const PUBLICATION_TEXT: Record<Publication, string> = {
  public: 'public — everyone, including anonymous callers',
  internal: 'internal — city staff only, not the public role',
  draft: "draft — only the department's own per-department roles",
};

const LEGEND: readonly string[] = [
  'A plain cell is the role’s own rule.',
  '↑ marks a rule the role inherits: the nearest role it inherits from that has one (named in parentheses).',
  `${FAIL_CLOSED_TEXT} marks a field no role of the chain has a rule for: it is hidden (fail closed).`,
  `${NO_ACCESS_TEXT} marks a role that cannot see the dataset at all (see “Rows and statistics”).`,
  'Per-department roles hold only for callers of the dataset’s own department; callers from other departments see it as the role it inherits from does.',
  '“Joined rows and keys” says, for each join to one row, whether a row linked to a row withheld from the role is withheld too, and how its key is served; where no withheldWith is declared, rows follow the rows they link to (fail closed), marked like a field hidden for want of a rule.',
];

/**
 * How each transform resists differencing: combining several generalised views of the same or
 * nearby values — across datasets, joins, pages and roles — to learn more than one view says.
 */
const DIFFERENCING: ReadonlyArray<readonly [rule: string, how: string]> = [
  [
    'hundred block',
    'One value per block, a function of the normalised address alone: every row at one block, in every dataset, reads the same text, so comparing rows, datasets or pages gives the block and nothing finer. Filters, orders and groups compare that value; rows of one block are ordered by id.',
  ],
  [
    'rounded or snapped position',
    "Not a function of the row's own coordinates: every row reads the point of its place, its hundred block — the mean of the raw positions of the rows the role may read at that block, in every dataset that serves positions so, computed once per load and then rounded or snapped. Every record at one block serves one point, so no rounding boundary lies between a case and its work orders or its neighbours. A row without a hundred block reads no position (null). A block with a single record serves that record's position at the rule's resolution, never finer; the point of a block can move at a reload as rows are added. Filters, circles, boxes, orders and groups compare the served points.",
  ],
  [
    'rounded or snapped number (not a position)',
    'Rounded per value: near-identical values served from several related rows can be compared at a cell edge. Use it only for values no other served row repeats.',
  ],
  [
    'date cut to day, month or year',
    'Cut per value: the same instant reads the same in every dataset. Two different instants a short, known delay apart (a request and the work order opened minutes later), both cut, can tell that a unit boundary fell between them; cut both to a unit much longer than such delays, or serve one of them unaltered only where it may be read exactly.',
  ],
  ['personal data redacted', 'Each datum is replaced by a fixed token ([phone], [email], [name], …) or cut to its hundred block, the same in every text: comparing texts tells where a datum was, never its value.'],
  ['masked', 'The same value always reads the same mask (its last characters only), so several reads add nothing; a role reads one rule per field.'],
  ['pseudonym', 'A keyed HMAC: equal values read equal pseudonyms (rows can be linked, by design), and without the key no number of pseudonyms gives back a value. Never filtered, ordered or grouped on.'],
  ['always null', 'Nothing to compare.'],
];

function perDepartmentNote(department: string, columns: readonly RoleColumn[]): string | undefined {
  const names = columns.filter((column) => column.role.perDepartment).map((column) => column.role.name);
  if (names.length === 0) return undefined;
  return `Per-department roles (${names.join(', ')}): these columns are what ${department} callers holding them see on this department's datasets; callers holding them for another department see these datasets as the role they inherit from does.`;
}

function buildModel(input: ReportInput): ReportModel {
  const columns: RoleColumn[] = input.roles.roles.map((role) => ({
    role,
    header: role.perDepartment ? `${role.name} (own department only)` : role.name,
  }));
  const departments: DepartmentSection[] = [];
  const datasets: ReportDatasets = new Map(input.mappings.flatMap((mapping) => mapping.datasets.map((dataset) => [dataset.typeName, { mapping: dataset, department: mapping.department }] as const)));
  for (const mapping of input.mappings) {
    let department = departments.find((section) => section.department === mapping.department);
    if (!department) departments.push((department = { department: mapping.department, connectors: [], reviews: [] }));
    department.reviews.push(...(input.reviews?.get(mapping.file) ?? []).map(reviewText));
    department.connectors.push({ mapping, datasets: mapping.datasets.map((dataset) => datasetSection(input, columns, mapping, dataset, datasets)) });
  }
  return { columns, roles: input.roles, departments };
}

function datasetSection(input: ReportInput, columns: readonly RoleColumn[], connector: ConnectorMapping, dataset: DatasetMapping, datasets: ReportDatasets): DatasetSection {
  const type = input.schema.getType(dataset.typeName);
  const schemaFields = isObjectType(type) ? type.getFields() : {};
  const chains = columns.map((column) => inheritanceChain(input.roles, column.role));
  const reasons = chains.map((chain) => noAccessReason(input.roles, chain, dataset));

  const address = dataset.addressField === undefined ? undefined : dataset.fields.get(dataset.addressField);
  const placement: Placement = address?.kind === 'scalar' && address.normalize === 'address' && !address.codes && !address.format ? 'placed' : 'unplaced';
  const fields: FieldRow[] = [...dataset.fields.values()].map((field) => {
    const coordinates = field.kind === 'object' || /^(lat|latitude|lon|lng|longitude)$/i.test(field.name);
    const position = field.kind === 'object' && field.fields.size === 2 && field.fields.has('latitude') && field.fields.has('longitude');
    return {
      name: field.name,
      type: schemaFields[field.name]?.type.toString() ?? '?',
      key: field.name === dataset.keyField,
      cells: chains.map((chain, index) =>
        reasons[index] ? { kind: 'noAccess', text: NO_ACCESS_TEXT } : fieldCell(chain, dataset, field.name, coordinates, position ? placement : undefined),
      ),
    };
  });

  const toOne = dataset.joins.filter((join) => join.cardinality === 'one');
  const joinedByRole = columns.map((column, index) =>
    reasons[index] ? [] : toOne.map((join) => ({ join, ...joinedRowsCells(input.roles, column.role, dataset, connector.department, join, datasets) })),
  );
  const joined: JoinedRow[] = joinedByRole.flatMap((entries, index) =>
    entries.map(({ join, rows, key }) => ({ role: columns[index]!.header, join: `${join.name} → ${join.target}`, rows, key })),
  );

  const summaries: RoleSummary[] = columns.map((column, index) => {
    const reason = reasons[index];
    const chain = chains[index]!;
    const none: ReportCell = { kind: 'noAccess', text: NO_ACCESS_TEXT };
    const linked = joinedByRole[index]!.filter((entry) => entry.withholds).map((entry) => entry.join);
    return {
      role: column.header,
      access: reason ?? 'sees the dataset',
      rows: reason ? none : rowRuleCell(chain, dataset, linked),
      minimumCellCount: reason ? none : minimumCellCountCell(input.roles, chain, dataset),
    };
  });

  const notes: string[] = [];
  const departmentNote = perDepartmentNote(connector.department, columns);
  if (departmentNote) notes.push(departmentNote);
  const known = new Set(input.roles.roles.map((role) => role.name));
  for (const [role, access] of dataset.access) {
    if (!known.has(role)) notes.push(`The rules for role "${role}" have no effect: the roles file defines no such role.`);
    for (const field of access.fields.keys()) {
      if (!dataset.fields.has(field)) notes.push(`The rule of role "${role}" for field "${field}" has no effect: the dataset maps no such field.`);
    }
  }
  for (const join of dataset.joins) {
    const rows = join.cardinality === 'one' ? ", and through it to this dataset's rows (see “Joined rows and keys”)" : '';
    const back = join.inverse ? ` Its inverse gives ${join.target} the list ${join.inverse.name} of this dataset's rows, under the same condition and this dataset's rules.` : '';
    notes.push(
      `Join ${join.name} → ${join.target} (${join.from} = ${join.to}): offered to a role only where it reads both fields unaltered; the target dataset's own rules apply to its rows${rows}.${back}`,
    );
  }
  // Inverse joins other files declare on this dataset add fields to it: its reviewer sees them here too.
  for (const other of input.mappings.flatMap((mapping) => mapping.datasets.map((candidate) => ({ mapping, candidate })))) {
    for (const join of other.candidate.joins) {
      if (!join.inverse || join.target !== dataset.typeName) continue;
      notes.push(
        `Join ${join.inverse.name} → ${other.candidate.typeName} (${join.to} = ${join.from}), the inverse of ${other.candidate.typeName}.${join.name} in ${other.mapping.name}'s mapping: offered to a role only where it reads both fields unaltered; ${other.candidate.typeName}'s own rules apply to its rows.`,
      );
    }
  }
  return { mapping: dataset, publication: PUBLICATION_TEXT[dataset.publication], fields, summaries, joined, notes };
}

function reviewText(review: ReviewStatus): string {
  const version = `${review.version.slice(0, 'sha256:'.length + 12)}…`;
  return `${review.file} reviewed by ${review.subject} (${review.role}) at ${review.at}, version ${version}: ${review.current ? 'the file as it is now' : 'the file has changed since'}`;
}

// ---------------------------------------------------------------- Markdown

/** Text safe in a Markdown table cell: no line breaks, no table or inline syntax, no raw HTML. */
function md(text: string): string {
  return text
    .replace(/\s+/g, ' ')
    .trim()
    .replace(/[\\`*_[\]<>|#~&]/g, (character) => `\\${character}`);
}

function mdRow(cells: readonly string[]): string {
  return `| ${cells.join(' | ')} |`;
}

export function privacyReportMarkdown(input: ReportInput): string {
  const model = buildModel(input);
  const lines: string[] = [`# ${REPORT_TITLE}`, ''];
  lines.push(
    'For every dataset the gateway serves: what each role sees of each field after inheritance, which rows it sees, and the smallest statistics cell it is shown.',
    '',
    '## Roles',
    '',
    mdRow(['Role', 'Inherits from', 'Per department', 'Description']),
    mdRow(['---', '---', '---', '---']),
    ...model.columns.map(({ role }) =>
      mdRow([
        md(role.name) + (role.name === model.roles.publicRole ? ' (anonymous callers and app tokens)' : ''),
        role.inherits ? md(role.inherits) : '—',
        role.perDepartment ? 'yes: holds on its own department’s datasets only' : 'no',
        md(role.description ?? ''),
      ]),
    ),
    '',
    '## How to read the tables',
    '',
    ...LEGEND.map((line) => `- ${md(line)}`),
    '',
    '## How each transform resists comparison',
    '',
    mdRow(['Rule', 'Combining several generalised views']),
    mdRow(['---', '---']),
    ...DIFFERENCING.map(([rule, how]) => mdRow([md(rule), md(how)])),
    '',
  );
  for (const department of model.departments) {
    lines.push(`## ${md(department.department)}`, '');
    for (const { mapping, datasets } of department.connectors) {
      lines.push(
        `Mapping file \`${basename(mapping.file).replace(/`/g, '')}\` — ${md(mapping.system)} (${md(mapping.name)})  `,
        `Liaison: ${md(mapping.liaison.name)} \\<${md(mapping.liaison.email)}\\>`,
        '',
      );
      for (const dataset of datasets) lines.push(...datasetMarkdown(model, dataset));
    }
    lines.push(
      `### Sign-off — ${md(department.department)}`,
      '',
      ...(department.reviews.length > 0 ? ['Reviews recorded in the console:', '', ...department.reviews.map((review) => `- ${md(review)}`), ''] : []),
      'Reviewed by: ________________________________________',
      '',
      'Date: ________________________________________',
      '',
      'Signature: ________________________________________',
      '',
    );
  }
  return `${lines.join('\n').trimEnd()}\n`;
}

function datasetMarkdown(model: ReportModel, section: DatasetSection): string[] {
  const { mapping } = section;
  const lines = [
    `### ${md(mapping.typeName)} — ${md(mapping.metadata.title)}`,
    '',
    md(mapping.metadata.description),
    '',
    `- Publication: **${md(section.publication)}**`,
    `- DCAT access level: ${md(mapping.metadata.accessLevel)}`,
    `- Key field: ${md(mapping.keyField)}`,
    '',
    mdRow(['Field', 'Type', ...model.columns.map((column) => md(column.header))]),
    mdRow(['---', '---', ...model.columns.map(() => '---')]),
    ...section.fields.map((field) =>
      mdRow([`${md(field.name)}${field.key ? ' (key)' : ''}`, md(field.type), ...field.cells.map((cell) => md(cell.text))]),
    ),
    '',
    '#### Rows and statistics',
    '',
    mdRow(['Role', 'Dataset', 'Row rule', 'Minimum statistics cell count']),
    mdRow(['---', '---', '---', '---']),
    ...section.summaries.map((summary) =>
      mdRow([md(summary.role), md(summary.access), md(summary.rows.text), md(summary.minimumCellCount.text)]),
    ),
    '',
  ];
  if (section.joined.length > 0) {
    lines.push(
      '#### Joined rows and keys',
      '',
      mdRow(['Role', 'Join', 'Rows linked to a row withheld from the role', 'Key']),
      mdRow(['---', '---', '---', '---']),
      ...section.joined.map((row) => mdRow([md(row.role), md(row.join), md(row.rows.text), md(row.key.text)])),
      '',
    );
  }
  if (section.notes.length > 0) lines.push(...section.notes.map((note) => `- ${md(note)}`), '');
  return lines;
}

// ---------------------------------------------------------------- HTML

export function escapeHtml(text: string): string {
  return text.replace(/[&<>"']/g, (character) => `&#${character.charCodeAt(0)};`);
}

const STYLE = `
body { font: 14px/1.45 system-ui, -apple-system, "Segoe UI", sans-serif; color: #1b1f24; margin: 2rem auto; max-width: 80rem; padding: 0 1rem; }
h1 { font-size: 1.6rem; } h2 { font-size: 1.35rem; border-bottom: 2px solid #1b1f24; margin-top: 2.5rem; } h3 { font-size: 1.1rem; margin-top: 2rem; } h4 { font-size: 1rem; }
table { border-collapse: collapse; margin: .5rem 0 1rem; width: 100%; }
th, td { border: 1px solid #c9ced6; padding: .3rem .5rem; text-align: left; vertical-align: top; }
th { background: #eef1f5; }
td.own { background: #fff; }
td.inherited { background: #f4f7fb; color: #3d4b5c; }
td.failClosed { background: #fdecea; color: #8a1c12; font-weight: 600; }
td.noAccess { background: #e6e8eb; color: #5f6873; text-align: center; }
td.none { color: #5f6873; }
.meta { color: #3d4b5c; }
.note { font-size: .9em; color: #3d4b5c; }
.signoff { border: 1px solid #1b1f24; padding: .75rem 1rem; margin: 1.5rem 0 2rem; page-break-inside: avoid; }
.signoff p { margin: 1.2rem 0 .2rem; }
.line { display: inline-block; min-width: 22rem; border-bottom: 1px solid #1b1f24; }
@media print { body { margin: 0; max-width: none; } section.department { page-break-before: always; } }
`;

export function privacyReportHtml(input: ReportInput): string {
  const model = buildModel(input);
  const h = escapeHtml;
  const out: string[] = [
    '<!DOCTYPE html>',
    '<html lang="en">',
    '<head>',
    '<meta charset="utf-8">',
    // Nothing but the inline style may load or run, whatever a description contains.
    `<meta http-equiv="Content-Security-Policy" content="default-src 'none'; style-src 'unsafe-inline'">`,
    '<meta name="viewport" content="width=device-width, initial-scale=1">',
    `<title>${h(REPORT_TITLE)}</title>`,
    `<style>${STYLE}</style>`,
    '</head>',
    '<body>',
    `<h1>${h(REPORT_TITLE)}</h1>`,
    '<p>For every dataset the gateway serves: what each role sees of each field after inheritance, which rows it sees, and the smallest statistics cell it is shown.</p>',
    '<h2>Roles</h2>',
    '<table><thead><tr><th>Role</th><th>Inherits from</th><th>Per department</th><th>Description</th></tr></thead><tbody>',
    ...model.columns.map(
      ({ role }) =>
        `<tr><td>${h(role.name)}${role.name === model.roles.publicRole ? ' (anonymous callers and app tokens)' : ''}</td><td>${h(role.inherits ?? '—')}</td><td>${
          role.perDepartment ? 'yes: holds on its own department’s datasets only' : 'no'
        }</td><td>${h(role.description ?? '')}</td></tr>`,
    ),
    '</tbody></table>',
    '<h2>How to read the tables</h2>',
    `<ul>${LEGEND.map((line) => `<li>${h(line)}</li>`).join('')}</ul>`,
    '<h2>How each transform resists comparison</h2>',
    '<table><thead><tr><th>Rule</th><th>Combining several generalised views</th></tr></thead><tbody>',
    ...DIFFERENCING.map(([rule, how]) => `<tr><th>${h(rule)}</th><td>${h(how)}</td></tr>`),
    '</tbody></table>',
  ];
  for (const department of model.departments) {
    out.push('<section class="department">', `<h2>${h(department.department)}</h2>`);
    for (const { mapping, datasets } of department.connectors) {
      out.push(
        `<p class="meta">Mapping file <code>${h(basename(mapping.file))}</code> — ${h(mapping.system)} (${h(mapping.name)})<br>Liaison: ${h(mapping.liaison.name)} &lt;${h(mapping.liaison.email)}&gt;</p>`,
      );
      for (const dataset of datasets) out.push(...datasetHtml(model, dataset));
    }
    out.push(
      '<div class="signoff">',
      `<h3>Sign-off — ${h(department.department)}</h3>`,
      ...(department.reviews.length > 0 ? [`<p>Reviews recorded in the console:</p><ul class="reviews">${department.reviews.map((review) => `<li>${h(review)}</li>`).join('')}</ul>`] : []),
      '<p>Reviewed by: <span class="line">&nbsp;</span></p>',
      '<p>Date: <span class="line">&nbsp;</span></p>',
      '<p>Signature: <span class="line">&nbsp;</span></p>',
      '</div>',
      '</section>',
    );
  }
  out.push('</body>', '</html>');
  return `${out.join('\n')}\n`;
}

function cellHtml(cell: ReportCell): string {
  return `<td class="${cell.kind}">${escapeHtml(cell.text)}</td>`;
}

function datasetHtml(model: ReportModel, section: DatasetSection): string[] {
  const h = escapeHtml;
  const { mapping } = section;
  const lines = [
    `<h3>${h(mapping.typeName)} — ${h(mapping.metadata.title)}</h3>`,
    `<p>${h(mapping.metadata.description)}</p>`,
    `<ul class="meta"><li>Publication: <strong>${h(section.publication)}</strong></li><li>DCAT access level: ${h(mapping.metadata.accessLevel)}</li><li>Key field: ${h(mapping.keyField)}</li></ul>`,
    `<table><thead><tr><th>Field</th><th>Type</th>${model.columns.map((column) => `<th>${h(column.header)}</th>`).join('')}</tr></thead><tbody>`,
    ...section.fields.map(
      (field) => `<tr><th>${h(field.name)}${field.key ? ' (key)' : ''}</th><td>${h(field.type)}</td>${field.cells.map(cellHtml).join('')}</tr>`,
    ),
    '</tbody></table>',
    '<h4>Rows and statistics</h4>',
    '<table><thead><tr><th>Role</th><th>Dataset</th><th>Row rule</th><th>Minimum statistics cell count</th></tr></thead><tbody>',
    ...section.summaries.map(
      (summary) => `<tr><th>${h(summary.role)}</th><td>${h(summary.access)}</td>${cellHtml(summary.rows)}${cellHtml(summary.minimumCellCount)}</tr>`,
    ),
    '</tbody></table>',
  ];
  if (section.joined.length > 0) {
    lines.push(
      '<h4>Joined rows and keys</h4>',
      '<table><thead><tr><th>Role</th><th>Join</th><th>Rows linked to a row withheld from the role</th><th>Key</th></tr></thead><tbody>',
      ...section.joined.map((row) => `<tr><th>${h(row.role)}</th><td>${h(row.join)}</td>${cellHtml(row.rows)}${cellHtml(row.key)}</tr>`),
      '</tbody></table>',
    );
  }
  if (section.notes.length > 0) lines.push(`<ul class="note">${section.notes.map((note) => `<li>${h(note)}</li>`).join('')}</ul>`);
  return lines;
}
