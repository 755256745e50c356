/**
 * Grouped statistics, computed by the source with GROUP BY. Groups whose raw codes map to
 * one public value (the CRM's N, O and IP are all OPEN) are merged here, exactly: counts
 * and sums add, minima and maxima compare, averages are merged sums over merged counts.
 * A field the role reads through a transform its source computes groups by the value it
 * reads: an address by its hundred block, a location by its rounded cell.
 */
import type { Aggregate, GroupKey, Predicate, Row, SourceValue, TimeBucket, TransformRef } from '../source/source.js';
import { toPublicValue } from '../response/to-public-value.js';
import { orderEnumStem } from './order.js';
import { badRequest } from './bad-request.js';
import type { RequestMemo } from './request-memo.js';
import { comparedValue, comparedValues, type ComparedValue, type ScalarBinding, type ServedDataset } from './served-dataset.js';

export const TIME_BUCKETS: readonly TimeBucket[] = ['day', 'week', 'month', 'year'];

/** An enum value of `groupBy`: plain data (graphql-jit writes enum values into compiled code). */
export interface GroupChoice {
  /** The dataset field grouped on, as audit lines name it. */
  path: string;
  /** The field of the stats key type that shows this group's value, and that field's GraphQL type. */
  keyName: string;
  keyType: string;
  /** What the source groups by: one value (in a time bucket), or each `member` of an object; by path. */
  parts: Array<{ path: string; bucket?: TimeBucket; member?: string }>;
}

export type StatsValue = 'min' | 'max' | 'sum' | 'avg';

/**
 * SQL sums decimals exactly; MongoDB's $sum and JavaScript add doubles, which leave noise in
 * the last digits (22916.979999999996). Fifteen significant digits, all a double holds
 * reliably, give every kind of source the same answer.
 */
function significant(value: number): number {
  return Number(value.toPrecision(15));
}

export interface StatsRequest {
  groupBy: readonly GroupChoice[];
  /** The measures each selected value kind needs, by field name. */
  values: Partial<Record<StatsValue, readonly string[]>>;
}

export interface StatsGroup {
  key: Record<string, unknown>;
  /** Null when the group is suppressed. */
  count: number | null;
  /** The group counts too few rows for the role to see its figures (or hides such a group's). */
  suppressed: boolean;
  min: Record<string, unknown>;
  max: Record<string, unknown>;
  sum: Record<string, number | null>;
  avg: Record<string, number | null>;
}

const isTime = (field: ScalarBinding) => field.type.name === 'DateTime' || field.type.name === 'Date';
const isNumber = (field: ScalarBinding) => field.type.name === 'Int' || field.type.name === 'Float';

/** Top-level scalar fields the role reads raw: grouping on a transformed one by its raw value would reveal raw values. */
function topLevel(dataset: ServedDataset): ScalarBinding[] {
  return [...dataset.fields.values()].flatMap((field) => (field.kind === 'scalar' && !field.scalar.transform ? [field.scalar] : []));
}

/**
 * The `groupBy` enum values: a field read raw, or a date field's day/week/month/year; a field
 * read through a transform its source computes, by the value read (a date read truncated by
 * itself, not in other buckets); an object read so (a location rounded), by all of it.
 */
export function groupChoices(dataset: ServedDataset): Map<string, GroupChoice> {
  const choices = new Map<string, GroupChoice>();
  for (const field of topLevel(dataset)) {
    const { path } = field;
    if (!isTime(field)) {
      choices.set(orderEnumStem(path), { path, keyName: path, keyType: field.type.name, parts: [{ path }] });
      continue;
    }
    for (const bucket of TIME_BUCKETS) {
      const keyName = `${path}${bucket[0]!.toUpperCase()}${bucket.slice(1)}`;
      choices.set(`${orderEnumStem(path)}_${bucket.toUpperCase()}`, { path, keyName, keyType: 'Date', parts: [{ path, bucket }] });
    }
  }
  for (const field of dataset.fields.values()) {
    const values = comparedValues(field).filter((value) => value.served);
    if (values.length === 0) continue;
    const parts = values.map(({ field: { path } }) => (field.kind === 'scalar' ? { path } : { path, member: path.slice(field.name.length + 1) }));
    const keyType = field.kind === 'scalar' ? field.scalar.type.name : field.type.name;
    choices.set(orderEnumStem(field.name), { path: field.name, keyName: field.name, keyType, parts });
  }
  return choices;
}

/** The key's public value from the source's group values, one per part (with the role's value of each). */
function keyValue(choice: GroupChoice, parts: readonly ComparedValue[], raw: SourceValue[], source: string): unknown {
  const values = choice.parts.map(({ bucket }, i) => {
    const value = parts[i]!;
    const group = raw[i] ?? null;
    if (bucket) return group;
    if (value.place) return value.place.binding.places.pointOf(group)?.[value.place.axis] ?? null;
    return value.served ? servedValue(value.field, value.served, group) : toPublicValue(value.field, group, source);
  });
  if (choice.parts[0]?.member === undefined) return values[0];
  // A position is whole or null, as the role reads it.
  return values.some((value) => value === null) ? null : Object.fromEntries(choice.parts.map((part, i) => [part.member, values[i]]));
}

/** A transform as the source computed it → the value the role reads. */
function servedValue(field: ScalarBinding, served: TransformRef, raw: SourceValue): unknown {
  if (raw === null) return null;
  switch (served.transform) {
    case 'hundredBlock':
      return String(raw);
    case 'round':
    case 'snap':
      return Number(raw);
    case 'truncate': {
      // The source gives the calendar date that starts the day, month or year.
      const day = raw instanceof Date ? raw.toISOString().slice(0, 10) : String(raw).slice(0, 10);
      return field.type.name === 'Date' ? day : new Date(`${day}T00:00:00.000Z`);
    }
  }
}

/** Fields with a minimum and maximum (numbers and dates) and fields with a sum and average (numbers). */
export function measurableFields(dataset: ServedDataset): { ordered: ScalarBinding[]; numeric: ScalarBinding[] } {
  const fields = topLevel(dataset).filter((field) => !field.mapping.codes);
  return { ordered: fields.filter((field) => isNumber(field) || isTime(field)), numeric: fields.filter(isNumber) };
}

export async function resolveStats(dataset: ServedDataset, memo: RequestMemo, where: Predicate | undefined, request: StatsRequest): Promise<StatsGroup[]> {
  const groupBy: Record<string, GroupKey> = {};
  // Each part is the role's own value at its path (graphql-jit inlines enum values as plain data, which
  // loses a key format's functions): one that is not comparable is refused, never grouped on.
  const values = request.groupBy.map((choice) =>
    choice.parts.map(({ path }) => {
      const value = comparedValue(dataset, path);
      if (!value || (choice.parts.length > 1 && !value.served)) throw badRequest('groupBy', `${path} cannot be grouped on`);
      return value;
    }),
  );
  // Parts that group by one value share one source group: both coordinates of a position read through its place are its
  // block, which `ADDRESS` groups by too (refs are plain data, so equal text is the same value).
  const sameRef = (a: GroupKey['ref'], b: GroupKey['ref']) => a === b || JSON.stringify(a) === JSON.stringify(b);
  const aliases = request.groupBy.map((choice, index) =>
    choice.parts.map(({ bucket }, part) => {
      const { ref } = values[index]![part]!;
      const shared = bucket ? undefined : Object.keys(groupBy).find((alias) => !groupBy[alias]!.bucket && sameRef(groupBy[alias]!.ref, ref));
      if (shared) return shared;
      const alias = `g${index}_${part}`;
      groupBy[alias] = bucket ? { ref, bucket } : { ref };
      return alias;
    }),
  );

  const fieldsByName = new Map(topLevel(dataset).map((field) => [field.path, field]));
  const aggregates: Record<string, Aggregate> = { n: { fn: 'count' } };
  for (const name of request.values.min ?? []) aggregates[`min_${name}`] = { fn: 'min', ref: fieldsByName.get(name)!.ref };
  for (const name of request.values.max ?? []) aggregates[`max_${name}`] = { fn: 'max', ref: fieldsByName.get(name)!.ref };
  for (const name of new Set([...(request.values.sum ?? []), ...(request.values.avg ?? [])])) {
    aggregates[`sum_${name}`] = { fn: 'sum', ref: fieldsByName.get(name)!.ref };
    aggregates[`count_${name}`] = { fn: 'count', ref: fieldsByName.get(name)!.ref };
  }

  const rows = await dataset.sourceFor(memo).aggregate({ table: dataset.mapping.table, where, groupBy, aggregates });
  const source = dataset.connector.name;
  const merged = new Map<string, { key: Record<string, unknown>; rows: Row[] }>();
  for (const row of rows) {
    const key: Record<string, unknown> = {};
    request.groupBy.forEach((choice, index) => {
      key[choice.keyName] = keyValue(choice, values[index]!, aliases[index]!.map((alias) => row[alias] ?? null), source);
    });
    const id = JSON.stringify(key);
    const group = merged.get(id) ?? { key, rows: [] };
    group.rows.push(row);
    merged.set(id, group);
  }

  const summed = [...new Set([...(request.values.sum ?? []), ...(request.values.avg ?? [])])];
  const groups = [...merged.values()].map(({ key, rows: parts }) => {
    const group: StatsGroup = { key, count: total(parts, 'n'), suppressed: false, min: {}, max: {}, sum: {}, avg: {} };
    for (const name of request.values.min ?? []) group.min[name] = extreme(parts, fieldsByName.get(name)!, 'min', source);
    for (const name of request.values.max ?? []) group.max[name] = extreme(parts, fieldsByName.get(name)!, 'max', source);
    for (const name of summed) {
      const counted = total(parts, `count_${name}`);
      group.sum[name] = counted === 0 ? null : significant(total(parts, `sum_${name}`));
      group.avg[name] = counted === 0 ? null : significant(total(parts, `sum_${name}`) / counted);
    }
    return group;
  });
  // Deterministic order: by the group values, in groupBy order, nulls last. Sorted before suppression,
  // so that which cells suppression picks to protect a small one never depends on the order a source returns groups in.
  groups.sort((a, b) => {
    for (const choice of request.groupBy) {
      const order = compare(a.key[choice.keyName], b.key[choice.keyName]);
      if (order !== 0) return order;
    }
    return 0;
  });
  if (dataset.minimumCellCount !== undefined) {
    suppressSmallCells(groups, dataset.minimumCellCount, request.groupBy.map((choice) => choice.keyName));
  }
  return groups;
}

/** The sum of one aggregate over the source groups merged into one public group. */
function total(parts: readonly Row[], alias: string): number {
  let sum = 0;
  for (const part of parts) sum += Number(part[alias] ?? 0);
  return sum;
}

/** The least or greatest public value of a field over the source groups merged into one. */
function extreme(parts: readonly Row[], field: ScalarBinding, which: 'min' | 'max', source: string): unknown {
  let best: unknown = null;
  for (const part of parts) {
    const value = toPublicValue(field, part[`${which}_${field.path}`] ?? null, source);
    if (value !== null && (best === null || (which === 'min' ? compare(value, best) < 0 : compare(value, best) > 0))) best = value;
  }
  return best;
}

function compare(a: unknown, b: unknown): number {
  if (a === b) return 0;
  if (a === null || a === undefined) return 1;
  if (b === null || b === undefined) return -1;
  if (isPlainObject(a) && isPlainObject(b)) {
    // A position: by its members in order (latitude, then longitude).
    const [left, right] = [Object.values(a), Object.values(b)];
    for (let i = 0; i < left.length; i++) {
      const order = compare(left[i], right[i]);
      if (order !== 0) return order;
    }
    return 0;
  }
  const left = a instanceof Date ? a.getTime() : a;
  const right = b instanceof Date ? b.getTime() : b;
  return (left as number | string) < (right as number | string) ? -1 : (left as number | string) > (right as number | string) ? 1 : 0;
}

function isPlainObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !(value instanceof Date);
}

/**
 * Hides the figures of groups counting fewer than `k` rows, and enough others that no hidden
 * figure can be recovered by subtraction from a total: along every key of the grouping, each
 * line of groups that share the other keys (a row or column of the table, whose sum is the
 * margin a coarser query shows) holds no hidden group or at least two. Repeats until stable,
 * since each group hidden to protect one line can leave another line with a single one.
 */
export function suppressSmallCells(groups: StatsGroup[], k: number, keyNames: readonly string[]): void {
  const hidden = new Set(groups.filter((group) => group.count !== null && group.count < k));
  const dimensions = keyNames.length === 0 ? [] : keyNames.map((_, index) => index);
  for (let changed = true; changed; ) {
    changed = false;
    for (const dimension of dimensions) {
      const lines = new Map<string, StatsGroup[]>();
      for (const group of groups) {
        const others = JSON.stringify(keyNames.filter((_, index) => index !== dimension).map((name) => group.key[name] ?? null));
        const line = lines.get(others);
        if (line) line.push(group);
        else lines.set(others, [group]);
      }
      for (const line of lines.values()) {
        if (line.length < 2 || line.filter((group) => hidden.has(group)).length !== 1) continue;
        const partner = line.filter((group) => !hidden.has(group)).sort((a, b) => (a.count ?? 0) - (b.count ?? 0))[0]!;
        hidden.add(partner);
        changed = true;
      }
    }
  }
  for (const group of hidden) {
    group.count = null;
    group.suppressed = true;
    for (const values of [group.min, group.max, group.sum, group.avg] as Array<Record<string, unknown>>) {
      for (const name of Object.keys(values)) values[name] = null;
    }
  }
}
