/**
 * `civicgraph sdl <mapping>`: the public types a mapping declares, written out as the SDL a city
 * puts in `schemas/` when it adopts them into its unified schema. The type then comes from the
 * SDL file, and the mapping's `types:` entry is deleted; while both exist, the mapping is refused
 * at load with an error naming both places.
 */
import { writeFile } from 'node:fs/promises';
import { dirname, join, relative, resolve } from 'node:path';
import type { Environment } from '../config/interpolate.js';
import { loadMappings } from '../config/load-mappings.js';
import { loadRoles, ROLES_FILE } from '../config/load-roles.js';
import { formatProblem } from '../config/problem.js';
import { didYouMean } from '../config/suggest.js';
import { declaredSdl } from '../schema/declared-sdl.js';
import { loadPublicSchema } from '../schema/sdl.js';

export interface SdlOptions {
  /** The mapping file; the other files of its folder are loaded with it, as the gateway would. */
  mapping: string;
  /** Only this declared type (default: every one the file declares). */
  type?: string;
  /** The file to write; standard output when absent. */
  out?: string;
  schemasDir: string;
  /** The folder of roles.yaml, which the access rules are checked against. */
  connectorsDir: string;
  env?: Environment;
  print?: (text: string) => void;
  printError?: (line: string) => void;
}

/** Returns the process exit code: 1 when the file declares no such type or its declaration has errors. */
export async function sdl(options: SdlOptions): Promise<number> {
  const print = options.print ?? ((text: string) => process.stdout.write(text));
  const printError = options.printError ?? ((line: string) => process.stderr.write(`${line}\n`));
  const file = resolve(options.mapping);
  const env = options.env ?? process.env;
  const { schema } = await loadPublicSchema(options.schemasDir);
  const rolesLoaded = await loadRoles(join(options.connectorsDir, ROLES_FILE), env);
  if (!rolesLoaded.roles) {
    for (const problem of rolesLoaded.problems) printError(formatProblem(problem));
    printError(`civicgraph sdl: ${ROLES_FILE} in ${options.connectorsDir} does not load (--connectors names its folder)`);
    return 1;
  }
  const loaded = await loadMappings(dirname(file), schema, { env, roles: rolesLoaded.roles });
  const where = relative(process.cwd(), file) || file;
  // Only the declaration must be right to be adopted; the file's other mistakes are the liaison's to fix there.
  const broken = loaded.problems.filter((problem) => problem.file === file && problem.severity === 'error' && problem.path.startsWith('types'));
  if (broken.length > 0) {
    for (const problem of broken) printError(formatProblem(problem));
    printError(`civicgraph sdl: ${where}: fix its types first`);
    return 1;
  }
  const mapping = [...loaded.mappings, ...loaded.unserved].find((candidate) => candidate.file === file);
  const declared = mapping?.types ?? [];
  if (declared.length === 0) {
    const problems = loaded.problems.filter((problem) => problem.file === file && problem.severity === 'error');
    for (const problem of problems) printError(formatProblem(problem));
    printError(`civicgraph sdl: ${where} declares no types${problems.length > 0 ? ' that load (above)' : ' (its datasets fill types of schemas/)'}`);
    return 1;
  }
  const chosen = options.type === undefined ? declared : declared.filter((type) => type.name === options.type);
  if (chosen.length === 0) {
    const names = declared.map((type) => type.name);
    printError(`civicgraph sdl: ${where} declares no type "${options.type}"${didYouMean(options.type!, names) || ` (it declares ${names.join(', ')})`}`);
    return 1;
  }
  const names = chosen.map((type) => type.name).join(', ');
  const text = `# ${names}, declared in ${where} and adopted into the public schema.\n# Once this file is in schemas/, delete ${chosen.map((type) => `types.${type.name}`).join(' and ')} from the mapping.\n\n${declaredSdl(chosen)}\n`;
  if (options.out === undefined) print(text);
  else {
    await writeFile(resolve(options.out), text, 'utf8');
    printError(`civicgraph sdl: wrote ${names} to ${options.out}`);
  }
  return 0;
}
