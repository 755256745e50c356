/**
 * `civicgraph privacy-report`: writes the privacy review matrix (src/privacy/report.ts) of the
 * roles and mappings in a connectors folder, as Markdown and as a self-contained HTML page,
 * for liaisons and privacy officers to review and sign. Reads no database.
 */
import { mkdir, writeFile } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import type { Environment } from '../config/interpolate.js';
import { loadMappings } from '../config/load-mappings.js';
import { loadRoles, ROLES_FILE } from '../config/load-roles.js';
import { formatProblem, hasErrors, sortProblems } from '../config/problem.js';
import { privacyReportHtml, privacyReportMarkdown } from '../privacy/report.js';
import { withDeclaredTypes } from '../schema/declared-sdl.js';
import { loadPublicSchema } from '../schema/sdl.js';

export interface PrivacyReportOptions {
  connectorsDir: string;
  schemasDir: string;
  outDir: string;
  print?: (line: string) => void;
  /** Where `${VAR}` in the roles and mapping files come from; `process.env` by default. */
  env?: Environment;
}

export const REPORT_MARKDOWN_FILE = 'privacy-report.md';
export const REPORT_HTML_FILE = 'privacy-report.html';

/**
 * Returns the process exit code: 1, with the problems printed and no report written, when the
 * roles file or any mapping file has an error — a report that leaves a department out, or
 * reads roles the gateway would refuse, must not be signed.
 */
export async function privacyReport(options: PrivacyReportOptions): Promise<number> {
  const print = options.print ?? ((line: string) => process.stdout.write(`${line}\n`));
  const env = options.env ?? process.env;
  const publicSchema = await loadPublicSchema(options.schemasDir);
  const rolesLoaded = await loadRoles(join(options.connectorsDir, ROLES_FILE), env);
  const roles = rolesLoaded.roles;
  if (!roles || hasErrors(rolesLoaded.problems)) {
    for (const problem of sortProblems(rolesLoaded.problems)) print(formatProblem(problem));
    print(`no privacy report: ${ROLES_FILE} has errors`);
    return 1;
  }
  const loaded = await loadMappings(options.connectorsDir, publicSchema.schema, { env, roles });
  const problems = sortProblems([...rolesLoaded.problems, ...loaded.problems]);
  for (const problem of problems) print(formatProblem(problem));
  if (hasErrors(problems)) {
    print('no privacy report: fix the errors above first');
    return 1;
  }

  const input = { mappings: loaded.mappings, roles, schema: withDeclaredTypes(publicSchema, loaded.mappings).schema };
  const outDir = resolve(options.outDir);
  await mkdir(outDir, { recursive: true });
  const markdown = join(outDir, REPORT_MARKDOWN_FILE);
  const html = join(outDir, REPORT_HTML_FILE);
  await writeFile(markdown, privacyReportMarkdown(input), 'utf8');
  await writeFile(html, privacyReportHtml(input), 'utf8');
  print(markdown);
  print(html);
  return 0;
}
