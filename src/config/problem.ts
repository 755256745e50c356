/**
 * What the loader and the checks report about a mapping file. Liaisons fix files from
 * these messages alone, so each one points at a line and names the key it concerns.
 */
import { relative } from 'node:path';

export interface Problem {
  /** An error keeps the file's datasets from being served; a warning does not. */
  severity: 'error' | 'warning';
  /** Absolute path of the mapping file. */
  file: string;
  /** 1-based; 0 only when no position is known. */
  line: number;
  column: number;
  /** Dotted key path, e.g. `datasets.ServiceRequest.fields.status.codes`; '' for the whole file. */
  path: string;
  message: string;
}

/** `connectors/crm-311.yaml:14:7: error: datasets.ServiceRequest.fields.status: unknown key "colum" …` */
export function formatProblem(problem: Problem, cwd: string = process.cwd()): string {
  const where = `${relative(cwd, problem.file) || problem.file}:${problem.line}:${problem.column}`;
  const path = problem.path ? `${problem.path}: ` : '';
  return `${where}: ${problem.severity}: ${path}${problem.message}`;
}

export function pathString(segments: readonly (string | number)[]): string {
  return segments.join('.');
}

export function hasErrors(problems: readonly Problem[]): boolean {
  return problems.some((problem) => problem.severity === 'error');
}

/** Errors first, then by file and position, so the first line printed is the one to fix first. */
export function sortProblems(problems: readonly Problem[]): Problem[] {
  const rank = (problem: Problem) => (problem.severity === 'error' ? 0 : 1);
  return [...problems].sort(
    (a, b) =>
      a.file.localeCompare(b.file) || rank(a) - rank(b) || a.line - b.line || a.column - b.column,
  );
}
