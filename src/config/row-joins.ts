/**
 * Row rules that reach into another dataset, checked once every file is resolved (another
 * department's file may fill the dataset they reach into): a rule on the row a join links to
 * may only compare fields that dataset maps, and `withheldWith` must not go round in a circle,
 * where a row would be withheld with a row that is withheld with it.
 */
import { relative } from 'node:path';
import type { ConnectorMapping, DatasetMapping } from './mapping.js';
import { pathString, type Problem } from './problem.js';
import type { RoleDefinition, RolesConfig } from './roles.js';
import { didYouMean } from './suggest.js';
import type { KeyPath, YamlSource } from './yaml-document.js';
import { followedJoins, roleChain } from '../privacy/access-rules.js';

export interface ResolvedFile {
  source: YamlSource;
  mapping: ConnectorMapping;
  problems: Problem[];
}

export function checkRowJoins(files: readonly ResolvedFile[], roles: RolesConfig): void {
  const owners = new Map(files.flatMap((file) => file.mapping.datasets.map((dataset) => [dataset.typeName, { file, dataset }] as const)));
  const reported = new Set<string>();
  const report = (file: ResolvedFile, path: KeyPath, message: string) => {
    const id = `${file.source.file}\u0000${pathString(path)}`;
    if (reported.has(id)) return;
    reported.add(id);
    file.problems.push({ severity: 'error', ...file.source.keyAt(path), path: pathString(path), message });
  };

  for (const file of files) {
    for (const dataset of file.mapping.datasets) {
      for (const [role, access] of dataset.access) {
        if (access.rows?.exclude) checkJoinedFields(file, dataset, ['datasets', dataset.typeName, 'access', role, 'rows', 'exclude'], access.rows.exclude);
      }
    }
  }
  for (const caller of callers(roles, files)) checkCircles(caller);

  /** The fields a rule compares on a linked row must be mapped by the file that fills its dataset. */
  function checkJoinedFields(file: ResolvedFile, dataset: DatasetMapping, path: KeyPath, filter: Record<string, unknown>, linked?: { join: string; target: DatasetMapping; owner: ResolvedFile }) {
    for (const [name, value] of Object.entries(filter)) {
      const entryPath: KeyPath = [...path, name];
      if (name === 'and' || name === 'or') {
        (value as Array<Record<string, unknown>>).forEach((item, index) => checkJoinedFields(file, dataset, [...entryPath, index], item, linked));
      } else if (name === 'not') {
        checkJoinedFields(file, dataset, entryPath, value as Record<string, unknown>, linked);
      } else if (linked) {
        if (linked.target.fields.get(name)?.kind === 'scalar') continue;
        const where = linked.owner === file ? `this file, line ${linked.target.at.line}` : `${relative(process.cwd(), linked.owner.source.file)}:${linked.target.at.line}`;
        report(file, entryPath, `${linked.target.typeName} (filled by ${where}) does not map "${name}", so this row rule cannot look at it on the row "${linked.join}" links to${didYouMean(name, linked.target.fields.keys(), { ignoreCase: true })}`);
      } else {
        const join = dataset.joins.find((candidate) => candidate.name === name && candidate.cardinality === 'one');
        const owner = join && owners.get(join.target);
        // A target no file fills is already a warning at the join; the engine then withholds every row linked to one.
        if (join && owner) checkJoinedFields(file, dataset, entryPath, value as Record<string, unknown>, { join: name, target: owner.dataset, owner: owner.file });
      }
    }
  }

  /** A circle of followed joins, for one caller (a role, for one department where it is per department). */
  function checkCircles(chainOf: (dataset: DatasetMapping, file: ResolvedFile) => RoleDefinition[]) {
    const edges = new Map<string, Array<{ join: string; target: string }>>();
    for (const { file, dataset } of owners.values()) {
      const { followed } = followedJoins(chainOf(dataset, file), dataset);
      edges.set(dataset.typeName, followed.filter((join) => owners.has(join.target)).map((join) => ({ join: join.name, target: join.target })));
    }
    const done = new Set<string>();
    const visit = (typeName: string, trail: Array<{ from: string; join: string }>) => {
      const start = trail.findIndex((step) => step.from === typeName);
      if (start >= 0) {
        const circle = trail.slice(start);
        const words = [...circle.map((step) => `${step.from}.${step.join}`), typeName].join(' → ');
        for (const step of circle) {
          const { file } = owners.get(step.from)!;
          report(
            file,
            ['datasets', step.from, 'joins', step.join],
            `rows are withheld with the row this join links to, and that goes round in a circle (${words}): a row cannot wait on a row that waits on it. ` +
              `Under access.<role>.rows of one of these datasets, declare withheldWith without the join that closes the circle (every join to one row is followed until withheldWith names the ones to follow)`,
          );
        }
        return;
      }
      if (done.has(typeName)) return;
      for (const edge of edges.get(typeName) ?? []) visit(edge.target, [...trail, { from: typeName, join: edge.join }]);
      done.add(typeName);
    };
    for (const typeName of edges.keys()) visit(typeName, []);
  }
}

/**
 * Everyone whose rules differ: each role, and each per-department role once for each
 * department (it holds only on that department's datasets), as the engine builds its views.
 */
function callers(roles: RolesConfig, files: readonly ResolvedFile[]): Array<(dataset: DatasetMapping, file: ResolvedFile) => RoleDefinition[]> {
  const departments = [...new Set(files.map((file) => file.mapping.department))];
  return roles.roles.flatMap((role) =>
    role.perDepartment
      ? departments.map((department) => (_: DatasetMapping, file: ResolvedFile) => roleChain(roles, role, file.mapping.department === department))
      : [() => roleChain(roles, role, false)],
  );
}
