/**
 * The match rate of each join: of this dataset's rows with a value to join on, how many find a
 * row of the target (how many work orders' 311 references find their request), as the role
 * sees the target.
 *
 * The two sides usually live in two departments' systems, so no one statement can compare them:
 * the gateway reads the distinct values of the side that has fewer, a page at a time (grouped
 * and counted by its source, never its rows), and asks the other side's source which of each
 * page it holds (grouped by the same value, in one `in` list). It holds one page at a time and
 * the values matched so far, and stops after QUALITY_JOIN_VALUES distinct values, saying so.
 * Orphans (values that find nothing) can be listed when this dataset's side was the one read.
 */
import { DataError, toPublicValue } from '../../response/to-public-value.js';
import type { SourceValue } from '../../source/source.js';
import type { JoinBinding, ScalarBinding, ServedDataset } from '../served-dataset.js';
import { toSourceValues } from '../to-source-value.js';
import { countOf, notNull, publicValue, QUALITY_LIST_LIMIT, qualityError, type Measure, type ProfileSource } from './context.js';
import type { JoinQuality } from './profile-types.js';

/** Distinct values read per page: the most rows any statement of a join's measure returns. */
export const JOIN_PAGE = 500;
/** Distinct values read at most per join. */
export const QUALITY_JOIN_VALUES = 50_000;

interface Side {
  dataset: ServedDataset;
  field: ScalarBinding;
  source: ProfileSource;
}

const identity = (value: SourceValue): string => (value instanceof Date ? `date:${value.getTime()}` : String(value));

/** The values `to` stores for a stored value of `from`: through the API's spelling of it, as a join converts them. */
function counterparts(from: ScalarBinding, to: ScalarBinding, raw: SourceValue, source: string): SourceValue[] {
  let value: unknown;
  try {
    value = toPublicValue(from, raw, source);
  } catch (error) {
    // A value the mapping cannot spell (a key outside its `format`) joins nothing.
    if (error instanceof DataError) return [];
    throw error;
  }
  return value === null ? [] : toSourceValues(to, value);
}

async function distinctCount(side: Side): Promise<{ rows: number; distinct: number }> {
  const [totals = {}] = await side.source.aggregate({
    table: side.dataset.mapping.table,
    groupBy: {},
    aggregates: { rows: { fn: 'count', ref: side.field.ref }, distinct: { fn: 'countDistinct', ref: side.field.ref } },
  });
  return { rows: countOf(totals.rows), distinct: countOf(totals.distinct) };
}

/** One page of `side`'s distinct non-null values with their row counts, in a fixed order. */
async function page(side: Side, offset: number, values?: SourceValue[]): Promise<Array<{ value: SourceValue; rows: number }>> {
  const where = values ? { kind: 'compare' as const, ref: side.field.ref, op: 'in' as const, value: values } : notNull(side.field.ref);
  const rows = await side.source.aggregate({
    table: side.dataset.mapping.table,
    where,
    groupBy: { value: { ref: side.field.ref } },
    aggregates: { n: { fn: 'count' } },
    ...(values ? {} : { orderBy: [{ alias: 'value', direction: 'asc' as const }], limit: JOIN_PAGE, offset }),
  });
  return rows.filter((row) => row.value !== null && row.value !== undefined).map((row) => ({ value: row.value!, rows: countOf(row.n) }));
}

async function measureJoin(measure: Measure, name: string, join: JoinBinding): Promise<JoinQuality> {
  const mine: Side = { dataset: measure.view, field: join.from, source: measure.source };
  const theirs: Side = { dataset: join.target, field: join.to, source: measure.tally.wrap(join.target.sourceFor(measure.memo)) };
  const base = { join: name, target: join.target.type.name, from: join.from.path, to: join.to.path };
  const [own, other] = [await distinctCount(mine), await distinctCount(theirs)];
  const readMine = own.distinct <= other.distinct;
  const [read, asked] = readMine ? [mine, theirs] : [theirs, mine];
  const readSource = read.dataset.connector.name;
  const matchedOwn = new Set<string>();
  let matched = 0;
  const orphans: JoinQuality['orphans'] = [];
  let offset = 0;
  for (; offset < QUALITY_JOIN_VALUES; offset += JOIN_PAGE) {
    const values = await page(read, offset);
    const wanted = new Map<string, SourceValue>();
    const counterpartsOf = values.map(({ value }) => counterparts(read.field, asked.field, value, readSource));
    for (const raw of counterpartsOf.flat()) wanted.set(identity(raw), raw);
    const found = wanted.size === 0 ? [] : await page(asked, 0, [...wanted.values()]);
    if (readMine) {
      const present = new Set(found.map(({ value }) => identity(value)));
      values.forEach(({ value, rows }, i) => {
        if (counterpartsOf[i]!.some((raw) => present.has(identity(raw)))) matched += rows;
        else orphans.push({ value: publicValue(mine.field, value, readSource), rows });
      });
      // Keep only the most frequent orphans: the list never holds more than a page and a short list.
      orphans.sort((a, b) => b.rows - a.rows || String(a.value).localeCompare(String(b.value)));
      orphans.splice(QUALITY_LIST_LIMIT);
    } else {
      for (const { value, rows } of found) {
        const id = identity(value);
        if (matchedOwn.has(id)) continue;
        matchedOwn.add(id);
        matched += rows;
      }
    }
    if (values.length < JOIN_PAGE) break;
  }
  const complete = offset < QUALITY_JOIN_VALUES;
  return { ...base, references: own.rows, matched, matchRate: own.rows === 0 ? null : matched / own.rows, orphans, complete };
}

export async function measureJoins(measure: Measure): Promise<JoinQuality[]> {
  const out: JoinQuality[] = [];
  for (const [name, join] of measure.view.joins) {
    try {
      out.push(await measureJoin(measure, name, join));
    } catch (error) {
      // The target's department being down leaves this dataset's own figures standing.
      out.push({
        join: name, target: join.target.type.name, from: join.from.path, to: join.to.path,
        references: 0, matched: 0, matchRate: null, orphans: [], complete: false,
        error: qualityError(error, join.target.connector.name),
      });
    }
  }
  return out;
}
