/**
 * Loads every connector mapping in a directory. Each file stands alone: a file with any
 * error contributes no datasets, but never keeps the other files from loading, because one
 * department's typo must not take the whole city's gateway down. Only joins look across
 * files (and row rules that reach through them), and a join to a department that is missing
 * is a warning, not an error.
 */
import { readdir, readFile } from 'node:fs/promises';
import { relative, resolve } from 'node:path';
import { concatAST, extendSchema, type GraphQLSchema } from 'graphql';
import { declaredDocument } from '../schema/declared-sdl.js';
import { resolveDeclaredTypes } from './declared-types.js';
import { resolveConnector } from './connector.js';
import type { Environment } from './interpolate.js';
import { loadRoles, ROLES_FILE } from './load-roles.js';
import type { ConnectorMapping, DatasetMapping, DeclaredTypeMapping } from './mapping.js';
import { hasErrors, pathString, sortProblems, type Problem } from './problem.js';
import type { RolesConfig } from './roles.js';
import { validateRaw } from './validate-raw.js';
import { checkRowJoins, type ResolvedFile } from './row-joins.js';
import { readYaml, type KeyPath, type YamlSource } from './yaml-document.js';

export interface LoadedMappings {
  /**
   * One per file without errors, in file-name order. None at all when the roles do not
   * load: access rules that name unknown roles cannot be trusted to protect anything.
   */
  mappings: ConnectorMapping[];
  /**
   * The files with errors, as far as they resolved (their source, and the datasets whose table
   * could be read, with the fields that resolved): never to be served, but for `validate` to
   * check against their systems, so that one run reports all of a file's problems.
   */
  unserved: ConnectorMapping[];
  /** The roles the access rules were checked against (those given, or `<dir>/roles.yaml`); undefined when they did not load. */
  roles?: RolesConfig;
  /** Errors first, then warnings; by file and line (roles.yaml's own problems included when it was read here). */
  problems: Problem[];
}

export interface LoadOptions {
  /** Where `${VAR}` reads from; `process.env` by default. */
  env?: Environment;
  /** The roles access rules may name; by default read from `<dir>/roles.yaml`. */
  roles?: RolesConfig;
}

/** Mapping files are `*.yaml` / `*.yml`; dot-files (editor locks, backups) and the reserved roles.yaml are skipped. */
export function isMappingFile(name: string): boolean {
  return /\.ya?ml$/i.test(name) && !name.startsWith('.') && name !== ROLES_FILE;
}

export async function loadMappings(dir: string, schema: GraphQLSchema, options: LoadOptions = {}): Promise<LoadedMappings> {
  const env = options.env ?? process.env;
  const rolesLoaded = options.roles ? { roles: options.roles, problems: [] } : await loadRoles(resolve(dir, ROLES_FILE), env);
  const { roles } = rolesLoaded;
  const names = (await readdir(dir)).filter(isMappingFile).sort();
  const read = await Promise.all(names.map((name) => readMappingFile(resolve(dir, name), env)));
  // Every file is resolved against the curated schema plus every file's declared types, so a join may target a type another file declares.
  const declared = declareAcrossFiles(read, schema);
  const withDeclared = declared.length === 0 ? schema : extendSchema(schema, concatAST(declared.map(({ file, types }) => declaredDocument(types, file.source!.file))), { assumeValidSDL: true });
  const files = read.map((file) => resolveFile(file, withDeclared, roles));
  checkAcrossFiles(files);
  checkJoinTargets(files);
  if (roles) checkRowJoins(files.filter((file): file is LoadedFile & ResolvedFile => file.mapping !== undefined && !hasErrors(file.problems)), roles);
  const loaded: LoadedMappings = {
    mappings: roles ? files.flatMap((file) => (file.mapping && !hasErrors(file.problems) ? [file.mapping] : [])) : [],
    unserved: files.flatMap((file) => (file.resolved && hasErrors(file.problems) ? [file.resolved] : [])),
    problems: sortProblems([...rolesLoaded.problems, ...files.flatMap((file) => file.problems)]),
  };
  if (roles) loaded.roles = roles;
  return loaded;
}

interface LoadedFile {
  source?: YamlSource;
  /** The file's mapping, while nothing in it or across files is wrong. */
  mapping?: ConnectorMapping;
  /** What resolved, wrong or not. */
  resolved?: ConnectorMapping;
  problems: Problem[];
  /** JSON pointers the JSON Schema rejected. */
  errorAt: string[];
  /** The public types the file declares, as far as they are correct. */
  types: DeclaredTypeMapping[];
}

async function readMappingFile(file: string, env: Environment): Promise<LoadedFile> {
  let text: string;
  try {
    text = await readFile(file, 'utf8');
  } catch (error) {
    const reason = (error as NodeJS.ErrnoException).code ?? 'unreadable';
    return { problems: [{ severity: 'error', file, line: 0, column: 0, path: '', message: `cannot read the file (${reason})` }], errorAt: [], types: [] };
  }
  const source = readYaml(file, text, env);
  if (source.data === undefined) return { source, problems: source.problems, errorAt: [], types: [] };
  const validated = validateRaw(source);
  return { source, problems: [...source.problems, ...validated.problems], errorAt: validated.errorAt, types: [] };
}

/**
 * Reads each file's declared types against the curated schema. A name (of a type or of the
 * enum a field declares) belongs to the first file, by name, that declares it; a later one
 * gets an error pointing at it and its type is left out.
 */
function declareAcrossFiles(files: LoadedFile[], curated: GraphQLSchema): Array<{ file: LoadedFile; types: DeclaredTypeMapping[] }> {
  const owners = new Map<string, { file: LoadedFile; type: DeclaredTypeMapping }>();
  const declared: Array<{ file: LoadedFile; types: DeclaredTypeMapping[] }> = [];
  for (const file of files) {
    if (!file.source || file.source.data === undefined) continue;
    const resolved = resolveDeclaredTypes(file.source, curated, file.errorAt);
    file.problems.push(...resolved.problems);
    for (const type of resolved.types) {
      // Root fields too: two types with one root field name would make no role's schema.
      const names = [type.name, ...type.fields.filter((field) => field.values).map((field) => field.type), `root field "${type.one}"`, `root field "${type.many}"`];
      const taken = names.map((name) => [name, owners.get(name)] as const).find(([, owner]) => owner !== undefined);
      if (taken) {
        const [name, owner] = taken;
        const where = `${relative(process.cwd(), owner!.file.source!.file)}:${owner!.type.at.line}`;
        file.problems.push({ severity: 'error', ...file.source.keyAt(['types', type.name]), path: `types.${type.name}`, message: `${name} is already declared by ${where}; a ${name.startsWith('root field') ? 'root field' : 'type'} is declared by one mapping file only` });
        continue;
      }
      for (const name of names) owners.set(name, { file, type });
      file.types.push(type);
    }
    if (file.types.length > 0) declared.push({ file, types: file.types });
  }
  return declared;
}

function resolveFile(file: LoadedFile, schema: GraphQLSchema, roles: RolesConfig | undefined): LoadedFile {
  if (!file.source || file.source.data === undefined) return file;
  const resolved = resolveConnector(file.source, schema, file.errorAt, roles, file.types);
  file.problems.push(...resolved.problems);
  if (resolved.mapping) file.resolved = resolved.mapping;
  if (resolved.mapping && !hasErrors(file.problems)) file.mapping = resolved.mapping;
  return file;
}

/**
 * A `name` and a dataset type each belong to one file. The first file (by name) that claims
 * one and is otherwise correct keeps it, so a broken newcomer cannot take a working
 * system's datasets away; every other claimant gets an error pointing at the owner.
 */
function checkAcrossFiles(files: LoadedFile[]): void {
  const claims = new Map<string, { file: LoadedFile; path: KeyPath; where: 'key' | 'value' }[]>();
  const claim = (id: string, file: LoadedFile, path: KeyPath, where: 'key' | 'value') => {
    const list = claims.get(id) ?? [];
    list.push({ file, path, where });
    claims.set(id, list);
  };
  for (const file of files) {
    const data = file.source?.data as { name?: unknown; datasets?: unknown } | undefined;
    if (typeof data !== 'object' || data === null) continue;
    if (typeof data.name === 'string' && !file.errorAt.includes('/name')) claim(`name\u0000${data.name}`, file, ['name'], 'value');
    if (typeof data.datasets === 'object' && data.datasets !== null && !Array.isArray(data.datasets)) {
      for (const typeName of Object.keys(data.datasets)) claim(`type\u0000${typeName}`, file, ['datasets', typeName], 'key');
    }
  }
  const ownErrors = new Set(files.filter((file) => hasErrors(file.problems)));
  for (const [id, list] of claims) {
    if (list.length < 2) continue;
    const owner = list.find((entry) => !ownErrors.has(entry.file)) ?? list[0]!;
    const [kind, value] = id.split('\u0000') as [string, string];
    const ownerFile = owner.file.source!.file;
    const ownerSource = owner.file.source!;
    const ownerLine = (owner.where === 'key' ? ownerSource.keyAt(owner.path) : ownerSource.valueAt(owner.path)).line;
    for (const entry of list) {
      if (entry === owner) continue;
      const source = entry.file.source!;
      const where = entry.where === 'key' ? source.keyAt(entry.path) : source.valueAt(entry.path);
      const other = `${relative(process.cwd(), ownerFile)}:${ownerLine}`;
      entry.file.problems.push({
        severity: 'error',
        ...where,
        path: entry.path.join('.'),
        message:
          kind === 'name'
            ? `name "${value}" is already used by ${other}; each mapping file needs its own name`
            : `${value} is already filled by ${other}; a type can be filled by only one mapping file`,
      });
      delete entry.file.mapping;
    }
  }
}

/**
 * A join's target may be filled by another file, so this runs once every file is resolved.
 * The target is judged by the files that load on their own: if one fills it but does not map
 * the field the join matches on, the join's file has an error. A target no loaded file fills
 * is a warning: the engine leaves the join out while that department is missing (or broken).
 */
function checkJoinTargets(files: LoadedFile[]): void {
  const loaded = () => files.filter((file): file is LoadedFile & { mapping: ConnectorMapping } => file.mapping !== undefined && !hasErrors(file.problems));
  const filled = (list: ReturnType<typeof loaded>) =>
    new Map(list.flatMap((file) => file.mapping.datasets.map((dataset) => [dataset.typeName, { file, dataset }] as const)));
  const joinsOf = (file: LoadedFile & { mapping: ConnectorMapping }) =>
    file.mapping.datasets.flatMap((dataset) => dataset.joins.map((join) => ({ dataset, join })));
  const report = (file: LoadedFile, severity: Problem['severity'], path: KeyPath, message: string, where: 'key' | 'value') => {
    const source = file.source!;
    file.problems.push({ severity, ...(where === 'key' ? source.keyAt(path) : source.valueAt(path)), path: pathString(path), message });
  };
  const joinPath = (dataset: DatasetMapping, name: string): KeyPath => ['datasets', dataset.typeName, 'joins', name];

  const before = loaded();
  const targets = filled(before);
  // An inverse join adds a field to its target: one name per field, across every file that adds one.
  const addedTo = new Map<string, { file: LoadedFile; dataset: DatasetMapping }>();
  for (const file of before) {
    for (const { dataset, join } of joinsOf(file)) {
      if (!join.inverse) continue;
      const field = `${join.target}.${join.inverse.name}`;
      const owner = targets.get(join.target);
      const ownJoin = owner?.dataset.joins.find((other) => other.name === join.inverse!.name);
      const earlier = addedTo.get(field);
      if (ownJoin || earlier) {
        const other = ownJoin ? owner!.file : earlier!.file;
        const line = ownJoin ? ownJoin.at.line : earlier!.dataset.at.line;
        report(file, 'error', [...joinPath(dataset, join.name), 'inverse', 'name'], `${field} is already a join (${relative(process.cwd(), other.source!.file)}:${line}): give the inverse join another name`, 'value');
        continue;
      }
      addedTo.set(field, { file, dataset });
    }
  }
  for (const file of before) {
    for (const { dataset, join } of joinsOf(file)) {
      const owner = targets.get(join.target);
      const to = owner?.dataset.fields.get(join.to);
      if (!owner || to?.kind === 'scalar') continue;
      const other = owner.file === file ? `this file, line ${owner.dataset.at.line}` : `${relative(process.cwd(), owner.file.source!.file)}:${owner.dataset.at.line}`;
      report(
        file,
        'error',
        [...joinPath(dataset, join.name), 'on', join.from],
        `${join.target} (filled by ${other}) does not map "${join.to}", so "${join.name}" has nothing to match on: map it there, or join on another field`,
        'value',
      );
    }
  }
  for (const file of files) if (hasErrors(file.problems)) delete file.mapping;

  // Warnings are judged against what finally loads, so a target dropped just above counts as missing.
  const after = loaded();
  const served = filled(after);
  for (const file of after) {
    for (const { dataset, join } of joinsOf(file)) {
      if (served.has(join.target)) continue;
      report(
        file,
        'warning',
        [...joinPath(dataset, join.name), 'target'],
        `no mapping file that loads fills ${join.target}, so the join "${join.name}" is left out until one does`,
        'value',
      );
    }
  }
}
