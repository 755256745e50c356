/**
 * `GET /console/api/overview`: every department, its mapping files and sources, and each
 * dataset's state: served or failing (with the file:line problems the last reload found),
 * its publication and DCAT access level, what its system does and what the gateway does in
 * memory, and the reviews of its file. Read from the configuration being served and one ping
 * per source; no data is read, so every console user sees every department's.
 */
import { readFile } from 'node:fs/promises';
import { relative } from 'node:path';
import { parse } from 'yaml';
import { pushdownSummary } from '../../cli/pushdown-summary.js';
import type { Problem } from '../../config/problem.js';
import { mappingVersion, type ReviewStatus } from '../../privacy/reviews.js';
import { departmentSlug } from '../authenticate.js';
import { mayActFor, type ConsoleUser } from './access.js';
import type { ConsoleContext } from './context.js';

/** A source that has not answered a ping in this long is shown as down. */
const PING_TIMEOUT_MS = 3_000;

export interface ProblemView {
  file: string;
  line: number;
  column: number;
  severity: Problem['severity'];
  path: string;
  message: string;
}

export interface DatasetView {
  type: string;
  title: string;
  table: string;
  publication: string;
  accessLevel: string;
  state: 'served' | 'failing';
  problems: ProblemView[];
}

export interface SourceView {
  name: string;
  kind: string;
  system: string;
  /** The mapping file, relative to the connectors folder. */
  file: string;
  /** `sha256:…` of the file as it is now, for a review. */
  version: string | undefined;
  state: 'up' | 'down';
  error?: string;
  /** What the system does and what the gateway does in memory, in sentences. */
  work: string[];
  /** Problems of the file that are about no one dataset (its source, its YAML). */
  problems: ProblemView[];
  datasets: DatasetView[];
  reviews: ReviewStatus[];
}

export interface DepartmentView {
  name: string;
  slug: string;
  /** Whether the caller acts for it (may preview, profile and review its datasets). */
  mine: boolean;
  liaison?: { name: string; email: string };
  sources: SourceView[];
  /** Files of the department that do not load at all, with their problems. */
  failingFiles: Array<{ file: string; problems: ProblemView[] }>;
}

export async function overview(context: ConsoleContext, user: ConsoleUser): Promise<{ departments: DepartmentView[] }> {
  const { mappings, sources, datasets, problems } = context.gateway.served;
  const dir = context.gateway.configuration.connectorsDir;
  const view = (problem: Problem): ProblemView => ({ ...problem, file: relative(dir, problem.file) || problem.file });
  const served = new Set(datasets.map((dataset) => `${dataset.connector.file}\n${dataset.type.name}`));
  const reviews = await context.reviews.byFile(mappings.map((mapping) => mapping.file));
  const departments = new Map<string, DepartmentView>();
  const department = (name: string): DepartmentView => {
    let found = departments.get(departmentSlug(name));
    if (!found) departments.set(departmentSlug(name), (found = { name, slug: departmentSlug(name), mine: mayActFor(user, name), sources: [], failingFiles: [] }));
    return found;
  };

  await Promise.all(
    mappings.map(async (connector) => {
      const source = sources.get(connector.name)!;
      const ping = await pinged(source.ping());
      const own = problems.filter((problem) => problem.file === connector.file);
      const datasetViews: DatasetView[] = connector.datasets.map((dataset) => ({
        type: dataset.typeName,
        title: dataset.metadata.title,
        table: dataset.table,
        publication: dataset.publication,
        accessLevel: dataset.metadata.accessLevel,
        state: served.has(`${connector.file}\n${dataset.typeName}`) ? 'served' : 'failing',
        problems: own.filter((problem) => aboutDataset(problem, dataset.typeName)).map(view),
      }));
      const entry = department(connector.department);
      entry.liaison = connector.liaison;
      entry.sources.push({
        name: connector.name,
        kind: connector.source.kind,
        system: connector.system,
        file: relative(dir, connector.file),
        version: await mappingVersion(connector.file).catch(() => undefined),
        ...ping,
        work: pushdownSummary(connector, source.pushdown),
        problems: own.filter((problem) => !connector.datasets.some((dataset) => aboutDataset(problem, dataset.typeName))).map(view),
        datasets: datasetViews,
        reviews: reviews.get(connector.file) ?? [],
      });
    }),
  );

  // A file that has never loaded serves nothing; its department is what its text says, if it says.
  const loaded = new Set(mappings.map((mapping) => mapping.file));
  const unloaded = [...new Set(problems.filter((problem) => !loaded.has(problem.file) && problem.severity === 'error').map((problem) => problem.file))];
  for (const file of unloaded) {
    const entry = department((await declaredDepartment(file)) ?? 'Files that do not load');
    entry.failingFiles.push({ file: relative(dir, file) || file, problems: problems.filter((problem) => problem.file === file).map(view) });
  }
  const sorted = [...departments.values()].sort((a, b) => Number(b.mine) - Number(a.mine) || a.name.localeCompare(b.name));
  for (const entry of sorted) entry.sources.sort((a, b) => a.name.localeCompare(b.name));
  return { departments: sorted };
}

const aboutDataset = (problem: Problem, type: string) => problem.path === `datasets.${type}` || problem.path.startsWith(`datasets.${type}.`);

/** A source's answer to a ping, in words that carry no secret (sources word their errors so). */
async function pinged(ping: Promise<void>): Promise<{ state: 'up' | 'down'; error?: string }> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`no answer within ${PING_TIMEOUT_MS / 1000} s`)), PING_TIMEOUT_MS);
  });
  try {
    await Promise.race([ping, timeout]);
    return { state: 'up' };
  } catch (error) {
    return { state: 'down', error: error instanceof Error ? error.message : 'unreachable' };
  } finally {
    clearTimeout(timer);
  }
}

/** The `department:` a mapping file's text gives, when it parses that far. */
async function declaredDepartment(file: string): Promise<string | undefined> {
  try {
    const value = (parse(await readFile(file, 'utf8')) as { department?: unknown } | null)?.department;
    return typeof value === 'string' && value.trim() !== '' ? value : undefined;
  } catch {
    return undefined;
  }
}
