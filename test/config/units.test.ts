import { readFile, readdir } from 'node:fs/promises';
import { dirname, join, resolve } from 'node:path';
import { describe, expect, it } from 'vitest';
import { rawCode } from '../../src/config/dataset.js';
import { interpolate } from '../../src/config/interpolate.js';
import schema from '../../src/config/mapping.schema.json' with { type: 'json' };
import rolesSchema from '../../src/config/roles.schema.json' with { type: 'json' };
import { formatProblem } from '../../src/config/problem.js';
import { closest } from '../../src/config/suggest.js';
import { REPO } from './helpers.js';

describe('interpolate', () => {
  it('substitutes set variables and defaults with shell semantics', () => {
    const env = { HOST: 'db', EMPTY: '' };
    expect(interpolate('postgres://${HOST}:${PORT:-5432}/x', env)).toEqual({ value: 'postgres://db:5432/x', variables: ['HOST', 'PORT'], missing: [], malformed: [] });
    expect(interpolate('${EMPTY:-fallback}|${EMPTY}', env).value).toBe('fallback|');
    expect(interpolate('${HOST:-}', {}).value).toBe('');
  });

  it('reports unset variables with their offset, and malformed references', () => {
    expect(interpolate('a ${NOPE} b', {})).toMatchObject({ value: 'a  b', missing: [{ name: 'NOPE', offset: 2 }] });
    expect(interpolate('x ${not a name}', {}).malformed).toEqual([2]);
  });

  it('leaves $ alone unless it starts ${, and turns $${ into a literal ${', () => {
    expect(interpolate('price$ = $1 and $${HOME}', { HOME: '/root' })).toEqual({ value: 'price$ = $1 and ${HOME}', variables: [], missing: [], malformed: [] });
  });
});

describe('rawCode', () => {
  it.each([
    ['1', false, 1],
    ['-2', false, -2],
    ['2.5', false, 2.5],
    ['01', false, '01'],
    ['1.50', false, '1.50'],
    ['1e3', false, '1e3'],
    ['true', false, true],
    ['false', false, false],
    ['1', true, '1'],
    ['true', true, 'true'],
    ['IP', false, 'IP'],
  ] as const)('reads %j (quoted: %s) as %j', (written, quoted, expected) => {
    expect(rawCode(written, quoted)).toStrictEqual(expected);
  });
});

describe('closest', () => {
  it('suggests plausible typos only', () => {
    expect(closest('colum', ['column', 'expression', 'codes', 'fields'])).toBe('column');
    expect(closest('acessLevel', ['accessLevel', 'title'])).toBe('accessLevel');
    expect(closest('tabel', ['table', 'key'])).toBe('table');
    expect(closest('foo', ['column', 'key'])).toBeUndefined();
    expect(closest('case_no', ['CASE_NO', 'CASE_NUM'], { ignoreCase: true })).toBe('CASE_NO');
  });
});

describe('formatProblem', () => {
  it('prints file:line:column: severity: path: message, relative to cwd', () => {
    const problem = { severity: 'error', file: join(REPO, 'connectors/crm-311.yaml'), line: 14, column: 7, path: 'datasets.ServiceRequest.fields.status', message: 'unknown key "colum" (did you mean "column"?)' } as const;
    expect(formatProblem(problem, REPO)).toBe('connectors/crm-311.yaml:14:7: error: datasets.ServiceRequest.fields.status: unknown key "colum" (did you mean "column"?)');
    expect(formatProblem({ ...problem, path: '', severity: 'warning' }, REPO)).toBe('connectors/crm-311.yaml:14:7: warning: unknown key "colum" (did you mean "column"?)');
  });
});

describe('mapping.schema.json', () => {
  type Node = Record<string, unknown>;
  function walk(node: unknown, at: string, visit: (node: Node, at: string) => void) {
    if (typeof node !== 'object' || node === null) return;
    if (Array.isArray(node)) return node.forEach((item, index) => walk(item, `${at}/${index}`, visit));
    visit(node as Node, at);
    for (const [key, value] of Object.entries(node)) walk(value, `${at}/${key}`, visit);
  }

  it.each([
    // A row filter's keys are the dataset's field names, and a condition's may be an object field's sub-fields.
    ['mapping.schema.json', schema, ['#/definitions/condition']],
    ['roles.schema.json', rolesSchema, []],
  ] as const)('%s documents every property and closes every object with named properties', (_name, root, deliberatelyOpen) => {
    const undocumented: string[] = [];
    const open: string[] = [];
    walk(root, '#', (node, at) => {
      const properties = node['properties'] as Record<string, Node> | undefined;
      if (!properties) return;
      // Closed: no other keys (false), or other keys only of one checked kind (a schema).
      if (node['additionalProperties'] === undefined || node['additionalProperties'] === true) open.push(at);
      for (const [name, property] of Object.entries(properties)) {
        const target = property['$ref'] ? resolvePointer(String(property['$ref']), root) : property;
        if (typeof target['description'] !== 'string') undocumented.push(`${at}/properties/${name}`);
      }
    });
    expect(undocumented).toEqual([]);
    expect(open).toEqual(deliberatelyOpen);
  });

  it('is the schema the real and example connector files point their editors at (roles.yaml: its own)', async () => {
    const files = (await readdir(join(REPO, 'connectors'), { recursive: true })).filter((name) => name.endsWith('.yaml'));
    expect(files).toContain(join('examples', 'open311-rest.yaml'));
    for (const name of files) {
      const file = join(REPO, 'connectors', name);
      const first = (await readFile(file, 'utf8')).split('\n')[0]!;
      const target = /^# yaml-language-server: \$schema=(.+)$/.exec(first)?.[1];
      expect(target, name).toBeDefined();
      const expected = name === 'roles.yaml' ? 'src/config/roles.schema.json' : 'src/config/mapping.schema.json';
      expect(resolve(dirname(file), target!)).toBe(join(REPO, expected));
    }
  });

  function resolvePointer(ref: string, root: object): Node {
    return ref
      .replace(/^#\//, '')
      .split('/')
      .reduce<Node>((node, key) => node[key] as Node, root as unknown as Node);
  }
});
