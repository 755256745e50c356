/**
 * Turns a mapping file's text into plain data for validation while remembering where every
 * key and value was written: JSON Schema errors and semantic checks speak in JSON pointers,
 * liaisons in lines. Interpolation happens here, on the parsed values, so that line numbers
 * refer to the file as written and a `${…}` can never change the YAML structure.
 */
import { isAlias, isMap, isScalar, isSeq, LineCounter, parseDocument, type Document, type Node } from 'yaml';
import type { SourceLocation } from './mapping.js';
import { interpolate, type Environment } from './interpolate.js';
import { pathString, type Problem } from './problem.js';

export type KeyPath = readonly (string | number)[];

export interface YamlSource {
  file: string;
  /** Plain JSON-like data; `undefined` when the YAML does not parse. */
  data: unknown;
  /** YAML syntax errors, unset variables and malformed `${`. */
  problems: Problem[];
  /** Where the value at `path` starts (the nearest written ancestor if it is absent). */
  valueAt(path: KeyPath): SourceLocation;
  /** Where the key of the entry at `path` is written; the value's position for list items and the root. */
  keyAt(path: KeyPath): SourceLocation;
  /** The environment variables a string value was built from; empty when it was written literally. */
  variablesAt(path: KeyPath): readonly string[];
  /** Whether the map key at `path` was quoted, i.e. is explicitly text (`"1"` rather than `1`). */
  keyIsQuoted(path: KeyPath): boolean;
  /** A plain value's text as written (`null`, `~`, or '' for an empty value); undefined for maps, lists and absent values. */
  writtenAt(path: KeyPath): string | undefined;
}

interface Entry {
  key?: SourceLocation;
  value: SourceLocation;
  variables: string[];
  quotedKey: boolean;
  written?: string;
}

export function pointer(path: KeyPath): string {
  return path.map((segment) => '/' + String(segment).replace(/~/g, '~0').replace(/\//g, '~1')).join('');
}

/**
 * A copy of `text` in V8's one-byte form where its characters allow. A mapping file written with
 * one character beyond Latin-1 (a dash in a comment) is read as two-byte text, and so is every
 * string the parser cuts from it; one such string in an answer (a code's name) makes the whole
 * serialised answer two-byte, which is several times slower to measure, encode and send.
 */
function compact(text: string): string {
  return NARROW.test(text) ? Buffer.from(text, 'latin1').toString('latin1') : text;
}
const NARROW = /^[\u0000-\u00ff]*$/;

export function readYaml(file: string, text: string, env: Environment): YamlSource {
  const lineCounter = new LineCounter();
  const problems: Problem[] = [];
  const entries = new Map<string, Entry>();
  const at = (offset: number): SourceLocation => {
    const { line, col } = lineCounter.linePos(offset);
    return { file, line, column: col };
  };

  const doc = parseDocument(text, { lineCounter, prettyErrors: true, uniqueKeys: true });
  for (const issue of [...doc.errors, ...doc.warnings]) {
    const position = issue.linePos?.[0];
    problems.push({
      severity: issue.name === 'YAMLWarning' ? 'warning' : 'error',
      file,
      line: position?.line ?? 0,
      column: position?.col ?? 0,
      path: '',
      // The parser appends a snippet of the offending lines; it could show a credential typed into the file.
      message: `YAML syntax: ${issue.message.split('\n')[0]!.replace(/ at line \d+, column \d+:?$/, '')}`,
    });
  }

  let data: unknown;
  if (doc.errors.length === 0) {
    data = convert(doc, doc.contents, [], undefined, false);
  }

  function convert(document: Document, node: unknown, path: KeyPath, key: SourceLocation | undefined, quotedKey: boolean): unknown {
    const resolved = isAlias(node) ? node.resolve(document) : node;
    const start = (resolved as Node | null)?.range?.[0] ?? 0;
    const entry: Entry = { value: at(start), variables: [], quotedKey };
    if (key) entry.key = key;
    entries.set(pointer(path), entry);

    if (isMap(resolved)) {
      // A null prototype so that a key such as `__proto__` or `constructor` is just a key.
      const object: Record<string, unknown> = Object.create(null);
      for (const pair of resolved.items) {
        const keyNode = pair.key as Node | null;
        const keyLocation = at(keyNode?.range?.[0] ?? start);
        if (!isScalar(keyNode)) {
          problems.push({ severity: 'error', ...keyLocation, path: pathString(path), message: 'keys must be plain names, not lists or maps' });
          continue;
        }
        // The key as written: `01` stays "01" (YAML would read it as the number 1).
        const name = compact(keyNode.source ?? String(keyNode.value));
        const quoted = keyNode.type === 'QUOTE_DOUBLE' || keyNode.type === 'QUOTE_SINGLE';
        object[name] = convert(document, pair.value, [...path, name], keyLocation, quoted);
      }
      return object;
    }
    if (resolved === null || resolved === undefined) entry.written = '';
    if (isSeq(resolved)) {
      return resolved.items.map((item, index) => convert(document, item, [...path, index], undefined, false));
    }
    if (isScalar(resolved)) {
      const value = resolved.value;
      entry.written = resolved.source ?? '';
      if (typeof value !== 'string') return typeof value === 'bigint' ? Number(value) : (value ?? null);
      if (!value.includes('${')) return compact(value);
      const result = interpolate(value, env);
      entry.variables = result.variables;
      const raw = text.slice(resolved.range?.[0] ?? 0, resolved.range?.[1] ?? 0);
      const locate = (needle: string, fallback: SourceLocation) => {
        const index = raw.indexOf(needle);
        return index < 0 ? fallback : at(start + index);
      };
      for (const { name } of result.missing) {
        problems.push({
          severity: 'error',
          ...locate('${' + name, entry.value),
          path: pathString(path),
          message: `environment variable ${name} is not set (set it, or give a default: \${${name}:-…})`,
        });
      }
      for (const _ of result.malformed) {
        problems.push({
          severity: 'error',
          ...locate('${', entry.value),
          path: pathString(path),
          message: 'malformed "${": write ${NAME} or ${NAME:-default} (NAME: letters, digits, _), or $${ for a literal "${"',
        });
      }
      return compact(result.value);
    }
    return null;
  }

  const lookup = (path: KeyPath): Entry => {
    for (let length = path.length; length >= 0; length--) {
      const entry = entries.get(pointer(path.slice(0, length)));
      if (entry) return entry;
    }
    return { value: { file, line: 1, column: 1 }, variables: [], quotedKey: false };
  };

  return {
    file,
    data,
    problems,
    valueAt: (path) => lookup(path).value,
    keyAt: (path) => {
      const entry = lookup(path);
      return entry.key ?? entry.value;
    },
    variablesAt: (path) => entries.get(pointer(path))?.variables ?? [],
    keyIsQuoted: (path) => entries.get(pointer(path))?.quotedKey ?? false,
    writtenAt: (path) => entries.get(pointer(path))?.written,
  };
}
