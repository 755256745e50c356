/**
 * `civicgraph validate`: the checks the gateway runs at load, printed for a liaison, and
 * for each source what its system does itself and what the gateway does in memory.
 * Without --offline it also asks each source whether the mapped tables and columns exist
 * and have types that can serve their fields; a source it cannot reach is an error.
 */
import type { Environment } from '../config/interpolate.js';
import { loadMappings } from '../config/load-mappings.js';
import { formatProblem, sortProblems, type Problem } from '../config/problem.js';
import { join, relative } from 'node:path';
import { loadRoles, ROLES_FILE } from '../config/load-roles.js';
import { Secret } from '../config/secret.js';
import { buildServingState, checkAgainstSource } from '../gateway/serving-state.js';
import { SourcePool } from '../gateway/source-pool.js';
import { withDeclaredTypes } from '../schema/declared-sdl.js';
import { loadPublicSchema } from '../schema/sdl.js';
import { pushdownSummary } from './pushdown-summary.js';

export interface ValidateOptions {
  connectorsDir: string;
  schemasDir: string;
  offline: boolean;
  print?: (line: string) => void;
  /** Where mapping files' `${VAR}` come from; `process.env` by default. */
  env?: Environment;
}

/** Returns the process exit code: 1 when any mapping has an error. */
export async function validate(options: ValidateOptions): Promise<number> {
  const print = options.print ?? ((line: string) => process.stdout.write(`${line}\n`));
  const publicSchema = await loadPublicSchema(options.schemasDir);
  const env = options.env ?? process.env;
  const rolesLoaded = await loadRoles(join(options.connectorsDir, ROLES_FILE), env);
  const loaded = await loadMappings(options.connectorsDir, publicSchema.schema, { env, roles: rolesLoaded.roles });
  const problems: Problem[] = [...rolesLoaded.problems, ...loaded.problems];

  // Opening a source makes no connection: its pushdown is known before it is asked anything.
  const pool = new SourcePool();
  const pushdown: string[] = [];
  try {
    for (const connector of loaded.mappings) pushdown.push(...pushdownSummary(connector, pool.sourceFor(connector).pushdown));
    if (!options.offline && rolesLoaded.roles) {
      const access = { roles: rolesLoaded.roles, pseudonymKey: env.CIVICGRAPH_PSEUDONYM_KEY ? new Secret(env.CIVICGRAPH_PSEUDONYM_KEY) : undefined };
      // A live check that cannot reach the system has checked nothing: an error here, though a gateway serves such a source.
      const state = await buildServingState(loaded.mappings, publicSchema, (connector) => pool.sourceFor(connector), access, 'error');
      problems.push(...state.problems);
      for (const connector of loaded.unserved) {
        for (const checked of await checkAgainstSource(connector, pool.sourceFor(connector), withDeclaredTypes(publicSchema, [connector]).schema, 'error')) problems.push(...checked.problems);
      }
    }
  } finally {
    await pool.closeAll();
  }

  for (const problem of sortProblems(problems)) print(formatProblem(problem));
  for (const line of pushdown) print(line);
  // The unified schema is the city's: say which public types exist only because a mapping declares them.
  for (const mapping of loaded.mappings) {
    const file = relative(process.cwd(), mapping.file) || mapping.file;
    for (const type of mapping.types) {
      print(`type ${type.name} comes from ${file}:${type.at.line} only, not from ${relative(process.cwd(), options.schemasDir) || options.schemasDir}/: \`civicgraph sdl ${file}\` writes its SDL for the city to adopt`);
    }
  }
  const errors = problems.filter((problem) => problem.severity === 'error').length;
  const warnings = problems.length - errors;
  const datasets = loaded.mappings.reduce((count, mapping) => count + mapping.datasets.length, 0);
  print(`${errors} error${errors === 1 ? '' : 's'}, ${warnings} warning${warnings === 1 ? '' : 's'}; ${datasets} datasets in ${loaded.mappings.length} valid mapping files`);
  return errors > 0 ? 1 : 0;
}
