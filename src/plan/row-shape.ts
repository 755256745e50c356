/**
 * Which source values one query reads and how each row becomes a public object.
 * Only the fields the GraphQL query selects are read, plus the key.
 */
import type { Row, Selection, SourceValue, ValueRef } from '../source/source.js';
import { publicValueReader, type PublicValueReader } from '../response/to-public-value.js';
import { normalizeAddress } from '../source/address.js';
import type { ScalarBinding, ServedDataset } from './served-dataset.js';

export const KEY_ALIAS = 'k';

interface Read {
  alias: string;
  field: ScalarBinding;
  toPublic: PublicValueReader;
}

type Reader =
  | { kind: 'scalar'; name: string; read: Read }
  | { kind: 'object'; name: string; reads: Array<[string, Read]>; transform?: (value: unknown) => unknown }
  /** A position read through its place: the row's hundred block, turned into the place's point; its coordinates are never read. */
  | { kind: 'place'; name: string; alias: string; pointOf: (block: unknown) => unknown };

/**
 * What a row shape asks the source for a field's value, and how it spells what the source returns.
 * An address is read as stored and spelled canonically here: most are canonical already, which one
 * test of the text tells, where the source's nested REPLACEs would rewrite every row. A role's
 * source that reads values in the rows (src/privacy/masked-keys.ts) finds them the same way.
 */
export function selectedForm(ref: ValueRef): { ref: ValueRef; spell: (raw: SourceValue) => SourceValue } {
  return 'normalize' in ref ? { ref: ref.of, spell: spelledAsAddress } : { ref, spell: asStored };
}

function spelledAsAddress(raw: SourceValue): SourceValue {
  return raw === null || raw === undefined ? null : normalizeAddress(String(raw));
}

function asStored(raw: SourceValue): SourceValue {
  return raw;
}

/** Distinct field lists kept per dataset; a query could name many, so the memo is bounded. */
const KEPT_SHAPES = 256;
const shapes = new WeakMap<ServedDataset, Map<string, RowShape>>();

export class RowShape {
  /**
   * The shape of `fields` in `dataset`, built once: a view's datasets are fixed while it serves,
   * and every page and look-up of a query asks for the same fields again.
   */
  static of(dataset: ServedDataset, fieldNames: readonly string[]): RowShape {
    let byFields = shapes.get(dataset);
    if (!byFields) shapes.set(dataset, (byFields = new Map()));
    const key = fieldNames.join(',');
    let shape = byFields.get(key);
    if (!shape) {
      if (byFields.size >= KEPT_SHAPES) byFields.clear();
      byFields.set(key, (shape = new RowShape(dataset, fieldNames)));
    }
    return shape;
  }

  readonly selection: Selection;
  /** Distinguishes shapes, so that batched look-ups share one query only when they read the same values. */
  readonly signature: string;
  private readonly readers: Reader[];

  private constructor(private readonly dataset: ServedDataset, fieldNames: Iterable<string>) {
    const selection: Record<string, ValueRef> = { [KEY_ALIAS]: dataset.key.ref };
    this.readers = [];
    let next = 0;
    // Two fields of one column (a code and its name) are one value to the source. The key keeps its
    // own alias: a role's source may null a field's value (src/privacy/masked-keys.ts), never the key.
    const aliasOf = (ref: ValueRef): string => {
      const text = JSON.stringify(ref);
      const known = Object.keys(selection).find((alias) => alias !== KEY_ALIAS && JSON.stringify(selection[alias]) === text);
      if (known) return known;
      const alias = `f${next++}`;
      selection[alias] = ref;
      return alias;
    };
    const read = (field: ScalarBinding): Read => {
      const toPublic = publicValueReader(field);
      const selected = selectedForm(field.ref);
      if (selected.ref === field.ref) return { alias: aliasOf(field.ref), field, toPublic };
      return { alias: aliasOf(selected.ref), field, toPublic: (raw, source) => toPublic(selected.spell(raw ?? null), source) };
    };
    // A joined field needs the value it joins on, whether or not the query selects it.
    const needed = [...fieldNames].map((name) => dataset.joins.get(name)?.mapping.from ?? name);
    const names = [...new Set(needed)].filter((name) => dataset.fields.has(name)).sort();
    for (const name of names) {
      const binding = dataset.fields.get(name)!;
      if (binding.kind === 'scalar') this.readers.push({ kind: 'scalar', name, read: read(binding.scalar) });
      else if (binding.place) {
        this.readers.push({ kind: 'place', name, alias: aliasOf(binding.place.block), pointOf: binding.transform! });
      } else this.readers.push({ kind: 'object', name, reads: [...binding.fields].map(([sub, field]) => [sub, read(field)]), transform: binding.transform });
    }
    this.selection = selection;
    this.signature = names.join(',');
  }

  toObject(row: Row): Record<string, unknown> {
    const source = this.dataset.connector.name;
    const object: Record<string, unknown> = {};
    for (const reader of this.readers) {
      if (reader.kind === 'scalar') {
        const { field, alias, toPublic } = reader.read;
        const value = toPublic(row[alias] ?? null, source);
        object[reader.name] = field.transform ? field.transform(value) : value;
        continue;
      }
      if (reader.kind === 'place') {
        object[reader.name] = reader.pointOf(row[reader.alias] ?? null);
        continue;
      }
      const values = reader.reads.map(([sub, { alias, toPublic }]) => [sub, toPublic(row[alias] ?? null, source)] as const);
      // A position with no coordinates is no position: `location: null`, not `{latitude: null}`.
      const value = values.some(([, part]) => part === null) ? null : Object.fromEntries(values);
      object[reader.name] = reader.transform ? reader.transform(value) : value;
    }
    return object;
  }
}
