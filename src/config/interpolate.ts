/**
 * `${VAR}` / `${VAR:-default}` substitution in mapping values. Kept apart from YAML
 * handling so that it works on one string and reports offsets the caller turns into lines.
 *
 * Semantics follow the shell and docker compose, which liaisons' IT staff already know:
 * `${VAR:-default}` uses the default when VAR is unset *or empty*; `${VAR}` with VAR set
 * to '' gives ''; `$${` is a literal `${`. A `$` not followed by `{` is left alone, so SQL
 * such as `$1` or `price$` is unaffected.
 */

export type Environment = Readonly<Record<string, string | undefined>>;

export interface Interpolated {
  value: string;
  /** Every variable the text refers to, whether set or not, in order. */
  variables: string[];
  /** Variables that are unset and have no default, with the offset of their `${`. */
  missing: { name: string; offset: number }[];
  /** Offsets of `${` that do not start a well-formed reference. */
  malformed: number[];
}

const REFERENCE = /\$\$\{|\$\{([A-Za-z_][A-Za-z0-9_]*)(?::-([^}]*))?\}|\$\{/g;

export function interpolate(text: string, env: Environment): Interpolated {
  const result: Interpolated = { value: '', variables: [], missing: [], malformed: [] };
  result.value = text.replace(REFERENCE, (match, name: string | undefined, fallback: string | undefined, offset: number) => {
    if (match === '$${') return '${';
    if (name === undefined) {
      result.malformed.push(offset);
      return match;
    }
    result.variables.push(name);
    const value = env[name];
    if (fallback !== undefined) return value === undefined || value === '' ? fallback : value;
    if (value === undefined) {
      result.missing.push({ name, offset });
      return '';
    }
    return value;
  });
  return result;
}
