/**
 * Checks a mapping file's shape against `mapping.schema.json` — the same schema editors
 * use — and rewrites ajv's errors into messages a liaison can act on, at the line where
 * the offending key or value is written.
 */
import { Ajv, type ErrorObject, type ValidateFunction } from 'ajv';
import mappingSchema from './mapping.schema.json' with { type: 'json' };
import rolesSchema from './roles.schema.json' with { type: 'json' };
import { pathString, type Problem } from './problem.js';
import { didYouMean } from './suggest.js';
import { pointer, type KeyPath, type YamlSource } from './yaml-document.js';

/** Which file format to check against: a connector mapping or `roles.yaml`. */
export type RawFormat = 'mapping' | 'roles';

const SCHEMAS: Record<RawFormat, object> = { mapping: mappingSchema, roles: rolesSchema };
const compiled = new Map<RawFormat, ValidateFunction>();

function validator(format: RawFormat): ValidateFunction {
  let validate = compiled.get(format);
  if (!validate) {
    const ajv = new Ajv({
      allErrors: true,
      // parentSchema on each error gives the allowed keys for "did you mean".
      verbose: true,
      // YAML reads `keywords: [311]` as a number and `${TIMEOUT:-5000}` yields text; both mean what they say.
      coerceTypes: true,
      strict: true,
      // A field is `column-name` or `{ column: … }`: a union of string and object is the format itself.
      allowUnionTypes: true,
      // The `oneOf` branches require keys that the enclosing schema's `properties` define.
      strictRequired: false,
    });
    // Read by VS Code / yaml-language-server; to ajv an annotation only.
    ajv.addVocabulary(['patternErrorMessage']);
    validate = ajv.compile(SCHEMAS[format]);
    compiled.set(format, validate);
  }
  return validate;
}

/**
 * Validates (and, for scalars, coerces in place) `source.data`. `errorAt` lists the JSON
 * pointers of the rejected values (of the key itself for an unknown key), so later checks
 * can skip them instead of reporting the same mistake twice.
 */
export function validateRaw(source: YamlSource, format: RawFormat = 'mapping'): { problems: Problem[]; errorAt: string[] } {
  const validate = validator(format);
  if (validate(source.data)) return { problems: [], errorAt: [] };
  const errors = relevant(validate.errors ?? []);
  return {
    problems: errors.map((error) => toProblem(source, error)),
    errorAt: errors.map((error) =>
      error.keyword === 'additionalProperties'
        ? error.instancePath + pointer([String((error.params as { additionalProperty: unknown }).additionalProperty)])
        : error.propertyName !== undefined
          ? error.instancePath + pointer([error.propertyName])
          : error.instancePath,
    ),
  };
}

/**
 * ajv reports every failed branch of a `oneOf`; keep the branch errors out, and the
 * `oneOf` itself too when the same value already has a more specific error.
 */
function relevant(all: ErrorObject[]): ErrorObject[] {
  // A bad property name is reported by its own check (e.g. `pattern`); the wrapper adds nothing.
  const errors = all.filter((error) => error.keyword !== 'propertyNames');
  const combinators = errors.filter((error) => error.keyword === 'oneOf');
  // When the value's type picks one branch of a `oneOf` (a rule written as text, not as a
  // map), that branch's errors say what is wrong better than "matches no alternative".
  const chosen = new Set<ErrorObject>();
  for (const parent of combinators) {
    if ((parent.params as { passingSchemas?: unknown }).passingSchemas) continue;
    const branches = new Map<string, ErrorObject[]>();
    for (const error of errors) {
      const match = error.schemaPath.startsWith(parent.schemaPath + '/') && /^\/(\d+)\//.exec(error.schemaPath.slice(parent.schemaPath.length));
      if (!match || !error.instancePath.startsWith(parent.instancePath)) continue;
      const list = branches.get(match[1]!) ?? [];
      list.push(error);
      branches.set(match[1]!, list);
    }
    // Only for branches told apart by type (text, nothing, map): the branch the value's type picks.
    const types = (parent.schema as { type?: unknown }[]).map((branch) => branch.type);
    if (!types.every((type) => typeof type === 'string') || new Set(types).size !== types.length) continue;
    const typed = types.flatMap((_, index) =>
      (branches.get(String(index)) ?? []).some((error) => error.keyword === 'type' && error.instancePath === parent.instancePath) ? [] : [index],
    );
    const only = typed.length === 1 ? branches.get(String(typed[0])) : undefined;
    if (!only) continue;
    chosen.add(parent);
    for (const error of only) chosen.add(error);
  }
  return errors.filter((error) => {
    if (chosen.has(error)) return error.keyword !== 'oneOf';
    if (combinators.some((parent) => error !== parent && error.schemaPath.startsWith(parent.schemaPath + '/') && error.instancePath.startsWith(parent.instancePath))) {
      return false;
    }
    if (error.keyword === 'oneOf') {
      return !errors.some(
        (other) => other !== error && other.keyword !== 'oneOf' && other.instancePath === error.instancePath && !other.schemaPath.startsWith(error.schemaPath + '/'),
      );
    }
    return true;
  });
}

function segments(instancePath: string): KeyPath {
  if (instancePath === '') return [];
  return instancePath
    .slice(1)
    .split('/')
    .map((segment) => segment.replace(/~1/g, '/').replace(/~0/g, '~'));
}

function toProblem(source: YamlSource, error: ErrorObject): Problem {
  const path = segments(error.instancePath);
  const parentSchema = (error.parentSchema ?? {}) as { properties?: Record<string, unknown>; patternErrorMessage?: string };
  const problem = (at: KeyPath, message: string, where: 'key' | 'value' = 'value'): Problem => ({
    severity: 'error',
    ...(where === 'key' ? source.keyAt(at) : source.valueAt(at)),
    path: pathString(path),
    message,
  });
  const params = error.params as Record<string, unknown>;
  if (error.propertyName !== undefined) {
    // A key that fails `propertyNames` (e.g. a role name): point at the key itself.
    const key = error.propertyName;
    const message = error.keyword === 'pattern' ? (parentSchema.patternErrorMessage ?? `must match ${String(params['pattern'])}`) : (error.message ?? 'is not allowed here');
    return { ...problem([...path, key], '', 'key'), path: pathString([...path, key]), message: `"${key}" ${message}` };
  }

  switch (error.keyword) {
    case 'additionalProperties': {
      const key = String(params['additionalProperty']);
      const allowed = Object.keys(parentSchema.properties ?? {});
      const hint = didYouMean(key, allowed) || ` (allowed here: ${allowed.map((name) => `"${name}"`).join(', ')})`;
      return problem([...path, key], `unknown key "${key}"${hint}`, 'key');
    }
    case 'required':
      return problem(path, `missing required key "${String(params['missingProperty'])}"`, 'key');
    case 'type':
      return problem(path, `expected ${describeTypes(String(params['type']))}, got ${describeJson(error.data)}`);
    case 'enum': {
      const allowed = (params['allowedValues'] as unknown[]).map(String);
      return problem(
        path,
        `must be one of ${allowed.map((value) => `"${value}"`).join(', ')}, not ${shown(source, path, error.data)}${didYouMean(String(error.data), allowed, { ignoreCase: true })}`,
      );
    }
    case 'pattern':
      return problem(path, `${shown(source, path, error.data)} ${parentSchema.patternErrorMessage ?? `must match ${String(params['pattern'])}`}`);
    case 'minLength':
      return problem(path, 'must not be empty');
    case 'minItems':
    case 'minProperties':
      return problem(path, 'must not be empty: give at least one entry');
    case 'maxProperties': {
      const limit = Number(params['limit']);
      const entries = `${limit} ${limit === 1 ? 'entry' : 'entries'}`;
      return problem(path, (parentSchema as { minProperties?: number }).minProperties === limit ? `must have exactly ${entries}` : `must have at most ${entries}`);
    }
    case 'uniqueItems':
      return problem(path, 'must not name the same entry twice');
    case 'minimum':
      return problem(path, `must be at least ${String(params['limit'])}`);
    case 'maximum':
      return problem(path, `must be at most ${String(params['limit'])}`);
    case 'exclusiveMinimum':
      return problem(path, `must be more than ${String(params['limit'])}`);
    case 'oneOf': {
      const keys = (error.schema as { required?: string[] }[]).flatMap((branch) => branch.required ?? []);
      const list = keys.map((key) => `"${key}"`).join(', ');
      return params['passingSchemas']
        ? problem(path, `give only one of ${list}`)
        : problem(path, `give a column name, or a map with one of ${list}`);
    }
    default:
      return problem(path, error.message ?? `fails the ${error.keyword} rule`);
  }
}

const TYPE_WORDS: Record<string, string> = {
  string: 'text',
  object: 'a map of keys',
  array: 'a list',
  integer: 'a whole number',
  number: 'a number',
  boolean: 'true or false',
  null: 'nothing',
};

function describeTypes(types: string): string {
  return types
    .split(',')
    .map((type) => TYPE_WORDS[type] ?? type)
    .join(' or ');
}

function describeJson(value: unknown): string {
  if (value === null || value === undefined) return 'nothing';
  if (Array.isArray(value)) return 'a list';
  return TYPE_WORDS[typeof value] ?? typeof value;
}

/**
 * A value as it may appear in a message: never the connection, and never a value that came
 * from the environment (it may be a credential put in the wrong key); those are named by variable.
 */
export function shown(source: YamlSource, path: KeyPath, value: unknown): string {
  const variables = source.variablesAt(path);
  if (variables.length > 0) return `the value of ${variables.map((name) => '${' + name + '}').join(' and ')}`;
  if (path.length === 2 && path[0] === 'source' && path[1] === 'connection') return 'the connection';
  // roles.yaml: the JWT secret and the app tokens.
  if (path.includes('secret') || path.includes('appTokens')) return 'the secret';
  const text = JSON.stringify(value) ?? String(value);
  return text.length > 60 ? text.slice(0, 57) + '…"' : text;
}
