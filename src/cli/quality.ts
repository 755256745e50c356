/**
 * `civicgraph quality [mapping-or-dataset] [--json]`: the quality profile (src/plan/quality) of
 * a mapping's datasets, or of one dataset, each as its department's liaison reads it, printed as
 * tables for a liaison at a terminal or as the profiles' JSON. Each profile is computed by the
 * dataset's own source; a dataset whose source fails is reported with its error, naming the
 * source, and the others are still printed.
 */
import { join, resolve } from 'node:path';
import type { Environment } from '../config/interpolate.js';
import { loadMappings } from '../config/load-mappings.js';
import { loadRoles, ROLES_FILE } from '../config/load-roles.js';
import type { ConnectorMapping } from '../config/mapping.js';
import { formatProblem, hasErrors, sortProblems } from '../config/problem.js';
import { Secret } from '../config/secret.js';
import { didYouMean } from '../config/suggest.js';
import { buildServingState } from '../gateway/serving-state.js';
import { SourcePool } from '../gateway/source-pool.js';
import { profileEveryDepartment, type DatasetQuality, type QualityProfile } from '../plan/quality/profile.js';
import { datasetTypes } from '../schema/datasets.js';
import { loadPublicSchema } from '../schema/sdl.js';

export interface QualityOptions {
  /** A mapping file (path), a mapping's `name`, or a dataset's public type; every dataset when absent. */
  target?: string;
  json: boolean;
  connectorsDir: string;
  schemasDir: string;
  print?: (line: string) => void;
  env?: Environment;
  now?: Date;
}

/** The public types `target` names, or a message saying why it names none. */
function selectDatasets(target: string | undefined, mappings: readonly ConnectorMapping[]): string[] | { error: string } {
  const every = mappings.flatMap((mapping) => mapping.datasets.map((dataset) => dataset.typeName));
  if (target === undefined) return every;
  const byFile = mappings.find((mapping) => mapping.file === resolve(target) || mapping.name === target);
  if (byFile) return byFile.datasets.map((dataset) => dataset.typeName);
  if (every.includes(target)) return [target];
  const names = [...mappings.map((mapping) => mapping.name), ...every];
  return { error: `quality: "${target}" is neither a mapping file, a mapping name nor a dataset${didYouMean(target, names, { ignoreCase: true })}; mappings: ${mappings.map((m) => m.name).join(', ') || 'none'}` };
}

/** Returns the process exit code: 1 when any profile could not be computed, 2 when nothing could be loaded or named. */
export async function quality(options: QualityOptions): Promise<number> {
  const print = options.print ?? ((line: string) => process.stdout.write(`${line}\n`));
  const env = options.env ?? process.env;
  const publicSchema = await loadPublicSchema(options.schemasDir);
  const rolesLoaded = await loadRoles(join(options.connectorsDir, ROLES_FILE), env);
  const roles = rolesLoaded.roles;
  const loaded = await loadMappings(options.connectorsDir, publicSchema.schema, { env, roles });
  const problems = sortProblems([...rolesLoaded.problems, ...loaded.problems]).filter((problem) => problem.severity === 'error');
  // Problems go to standard error, so that --json output stays JSON.
  for (const problem of problems) process.stderr.write(`${formatProblem(problem)}\n`);
  if (!roles || hasErrors(rolesLoaded.problems)) {
    process.stderr.write(`quality: ${ROLES_FILE} has errors\n`);
    return 2;
  }
  const selected = selectDatasets(options.target, loaded.mappings);
  if ('error' in selected) {
    process.stderr.write(`${selected.error}\n`);
    return 2;
  }
  const pool = new SourcePool();
  try {
    const access = { roles, pseudonymKey: env.CIVICGRAPH_PSEUDONYM_KEY ? new Secret(env.CIVICGRAPH_PSEUDONYM_KEY) : undefined };
    const state = await buildServingState(loaded.mappings, publicSchema, (connector) => pool.sourceFor(connector), access);
    const results = await profileEveryDepartment(state.views, roles, { datasets: selected, ...(options.now ? { now: options.now } : {}) });
    if (options.json) print(JSON.stringify(results, null, 2));
    else for (const result of results) print(formatQuality(result));
    return results.some((result) => result.error) ? 1 : 0;
  } finally {
    await pool.closeAll();
  }
}

const number = (n: number) => n.toLocaleString('en-US');
const counted = (n: number, one: string, many: string) => `${number(n)} ${n === 1 ? one : many}`;
const percent = (share: number | null) => (share === null ? '–' : `${(share * 100).toFixed(1)}%`);
/** A value in a table cell: long text cut, so that a description does not push the table off the screen. */
const shown = (value: unknown, width = 32) => {
  const text = value === null || value === undefined ? '–' : String(value);
  return text.length > width ? `${text.slice(0, width - 1)}…` : text;
};
/** The codes a terminal line has room for; --json gives all the profile holds. */
const CODES_SHOWN = 5;
const BARS = '▁▂▃▄▅▆▇█';

/** Records per month as one line a year: a bar per month (a space for none), then the year's total. */
function histogram(months: QualityProfile['recordsPerMonth']['months']): string[] {
  const most = Math.max(...months.map((m) => m.rows));
  const years = new Map<string, Map<number, number>>();
  for (const { month, rows } of months) {
    const year = years.get(month.slice(0, 4)) ?? new Map<number, number>();
    year.set(Number(month.slice(5, 7)), rows);
    years.set(month.slice(0, 4), year);
  }
  return [...years].map(([year, counts]) => {
    const bars = Array.from({ length: 12 }, (_, i) => {
      const rows = counts.get(i + 1) ?? 0;
      return rows === 0 ? ' ' : BARS[Math.min(BARS.length - 1, Math.floor((rows / most) * BARS.length))]!;
    }).join('');
    return `${year}  ${bars}  ${number([...counts.values()].reduce((sum, n) => sum + n, 0))}`;
  });
}

function table(header: readonly string[], rows: ReadonlyArray<readonly string[]>): string[] {
  const widths = header.map((title, i) => Math.max(title.length, ...rows.map((row) => row[i]!.length)));
  const line = (cells: readonly string[]) => cells.map((cell, i) => cell.padEnd(widths[i]!)).join('  ').trimEnd();
  return [line(header), line(widths.map((width) => '-'.repeat(width))), ...rows.map(line)];
}

/** One dataset's profile as text tables, or its error. */
export function formatQuality(result: DatasetQuality): string {
  if (result.error) return `${result.dataset} (${result.source}, ${result.department}): no profile: ${result.error.message}\n`;
  const p: QualityProfile = result.profile;
  const lines = [
    `${p.dataset} — ${p.title} (${p.source}, ${p.department}), as ${p.role}`,
    `${counted(p.rows, 'row', 'rows')}; computed ${p.computedAt} by ${counted(p.queries.count, 'source query', 'source queries')}, none answering more than ${counted(p.queries.largestResult, 'row', 'rows')}`,
    '',
    ...table(
      ['Field', 'Type', 'Read', 'Nulls', 'Distinct', 'Min', 'Max'],
      p.fields.map((f) => [f.field, f.type, f.read, f.nulls === null ? '–' : `${number(f.nulls)} (${percent(f.nullShare)})`, f.distinct === null ? '–' : number(f.distinct), shown(f.min, 28), shown(f.max, 28)]),
    ),
  ];
  if (p.codes.length > 0) {
    lines.push('', 'Codes (most frequent; a code the mapping does not translate fails in the API):');
    lines.push(
      ...table(
        ['Field', 'Untranslated', 'Top codes'],
        p.codes.map((c) => [
          c.field,
          c.untranslatedRows === 0
            ? 'none'
            : `${counted(c.untranslatedRows, 'row', 'rows')}, ${counted(c.untranslatedCodes, 'code', 'codes')}: ${c.untranslated.slice(0, CODES_SHOWN).map((u) => `${shown(u.code, 16)} (${number(u.rows)})`).join(', ')}`,
          c.top.slice(0, CODES_SHOWN).map((t) => `${shown(t.code, 16)}=${t.label === null ? '?' : shown(t.label, 16)} ${number(t.rows)}`).join(', ') + (c.top.length > CODES_SHOWN ? ', …' : ''),
        ]),
      ),
    );
  }
  if (p.dates.length > 0) {
    const since = p.existedSince ? `${p.existedSince.at} (${p.existedSince.from === 'mapping' ? 'the mapping\'s since:' : `the earliest ${p.existedSince.field}`})` : 'unknown';
    lines.push('', `Dates (future: after ${p.computedAt}; before the system existed: before ${since}):`);
    lines.push(...table(['Field', 'Future', 'Before'], p.dates.map((d) => [d.field, number(d.future), number(d.beforeExisted)])));
  }
  for (const a of p.addresses) {
    const examples = a.examples.slice(0, CODES_SHOWN).map((e) => `"${shown(e.address, 40)}" (${number(e.rows)})`).join(', ');
    lines.push('', `Addresses: ${a.field}: ${number(a.notNormalised)} of ${number(a.values)} do not normalise${examples ? `: ${examples}` : ''}`);
  }
  if (p.key) {
    const repeated = p.key.repeated.slice(0, CODES_SHOWN).map((r) => `${shown(r.key)} (${number(r.rows)})`).join(', ');
    lines.push('', `Key ${p.key.field}: ${counted(p.key.nulls, 'row', 'rows')} without one, ${counted(p.key.duplicateRows, 'row repeats', 'rows repeat')} another's${repeated ? `: ${repeated}` : ''}`);
  }
  if (p.joins.length > 0) {
    lines.push('', 'Joins (rows whose value finds a row of the target, as this role sees it):');
    lines.push(
      ...table(
        ['Join', 'Matched', 'Rate', 'Orphans'],
        p.joins.map((j) => [
          `${j.join} → ${j.target}.${j.to}`,
          j.error ? `error: ${j.error.message}` : `${number(j.matched)} of ${number(j.references)}${j.complete ? '' : ' (first values only)'}`,
          percent(j.matchRate),
          j.orphans.slice(0, CODES_SHOWN).map((o) => `${shown(o.value)} (${number(o.rows)})`).join(', '),
        ]),
      ),
    );
  }
  const { months } = p.recordsPerMonth;
  if (months.length > 0) {
    lines.push('', `Records per month of ${p.recordsPerMonth.field} (January to December; the year's total):`, ...histogram(months));
  }
  return `${lines.join('\n')}\n`;
}
