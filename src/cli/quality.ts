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
const percent = (share: number | null) => (share === null ? '–' : `${(share * 100).toFixed(1)}%`);
const shown = (value: unknown) => (value === null || value === undefined ? '–' : String(value));

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
    `${number(p.rows)} rows; computed ${p.computedAt} by ${p.queries.count} source queries, none answering more than ${number(p.queries.largestResult)} rows`,
    '',
    ...table(
      ['Field', 'Type', 'Read', 'Nulls', 'Distinct', 'Min', 'Max'],
      p.fields.map((f) => [f.field, f.type, f.read, f.nulls === null ? '–' : `${number(f.nulls)} (${percent(f.nullShare)})`, f.distinct === null ? '–' : number(f.distinct), shown(f.min), shown(f.max)]),
    ),
  ];
  if (p.codes.length > 0) {
    lines.push('', 'Codes (most frequent; a code the mapping does not translate fails in the API):');
    lines.push(
      ...table(
        ['Field', 'Untranslated', 'Top codes'],
        p.codes.map((c) => [
          c.field,
          c.untranslatedRows === 0 ? 'none' : `${number(c.untranslatedRows)} rows, ${number(c.untranslatedCodes)} codes: ${c.untranslated.map((u) => `${String(u.code)} (${number(u.rows)})`).join(', ')}`,
          c.top.map((t) => `${String(t.code)}=${t.label === null ? '?' : String(t.label)} ${number(t.rows)}`).join(', '),
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
    lines.push('', `Addresses: ${a.field}: ${number(a.notNormalised)} of ${number(a.values)} do not normalise${a.examples.length > 0 ? `: ${a.examples.map((e) => `"${e.address}" (${number(e.rows)})`).join(', ')}` : ''}`);
  }
  if (p.key) {
    const repeated = p.key.repeated.map((r) => `${shown(r.key)} (${number(r.rows)})`).join(', ');
    lines.push('', `Key ${p.key.field}: ${number(p.key.nulls)} rows without one, ${number(p.key.duplicateRows)} rows repeating another's${repeated ? `: ${repeated}` : ''}`);
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
          j.orphans.map((o) => `${shown(o.value)} (${number(o.rows)})`).join(', '),
        ]),
      ),
    );
  }
  const { months } = p.recordsPerMonth;
  if (months.length > 0) {
    const most = Math.max(...months.map((m) => m.rows));
    lines.push('', `Records per month (${p.recordsPerMonth.field}):`);
    for (const m of months) lines.push(`${m.month}  ${'#'.repeat(Math.max(1, Math.round((m.rows / most) * 40)))} ${number(m.rows)}`);
  }
  return `${lines.join('\n')}\n`;
}
