/**
 * Date fields: values in the future or from before the system existed, and the records per
 * month of the dataset's first date field, each counted by the source.
 *
 * When the system existed comes from the mapping's `since:` where it says, else from the data:
 * the earliest value of the dataset's first date field, its records' creation (a request's
 * `requestedAt`, a work order's `createdAt`), since no record can close, change or fall due
 * before the first record was made. That field itself then has nothing before it by
 * definition: only `since:` can tell that its earliest values are wrong.
 */
import { instantToWallClock, wallClockToInstant } from '../../source/timezone.js';
import type { Predicate, SourceValue } from '../../source/source.js';
import { readsRaw, type ScalarBinding } from '../served-dataset.js';
import { toSourceValues } from '../to-source-value.js';
import { countOf, notNull, type Measure } from './context.js';
import type { DateQuality, ExistedSince, FieldQuality, MonthCount, QualityProfile } from './profile-types.js';

/** Months a histogram shows at most: a century, the latest first if there are more. */
export const HISTOGRAM_MONTHS = 1200;

const isDate = (field: ScalarBinding) => field.type.name === 'DateTime' || field.type.name === 'Date';

/** Date fields the role reads raw, in the mapping's order. */
export function dateFields(measure: Measure): ScalarBinding[] {
  return [...measure.view.fields.values()].flatMap((binding) => {
    if (!readsRaw(binding)) return [];
    return (binding.kind === 'scalar' ? [binding.scalar] : [...binding.fields.values()]).filter(isDate);
  });
}

/** The stored value an instant compares as in `field`: the instant itself, its wall-clock time, or (a Date field) its day in the source's zone. */
function storedAt(field: ScalarBinding, instant: Date): SourceValue | undefined {
  const value = field.type.name === 'Date' ? instantToWallClock(instant, field.timezone).slice(0, 10) : instant;
  return toSourceValues(field, value)[0];
}

/** The instant an API value of a date field stands for: a Date field's day starts at midnight in the source's zone. */
function instantOf(field: ScalarBinding, value: FieldQuality['min']): Date | undefined {
  if (typeof value !== 'string') return undefined;
  return field.type.name === 'Date' ? wallClockToInstant(`${value.slice(0, 10)}T00:00:00`, field.timezone) : new Date(value);
}

export function existedSince(measure: Measure, fields: readonly FieldQuality[]): { since: ExistedSince; at: Date; field?: ScalarBinding } | null {
  const first = dateFields(measure)[0];
  const since = measure.view.mapping.since;
  if (since !== undefined) {
    const at = wallClockToInstant(`${since}T00:00:00`, measure.view.connector.source.timezone);
    return { since: { at: at.toISOString(), from: 'mapping' }, at };
  }
  if (!first) return null;
  const at = instantOf(first, fields.find((quality) => quality.field === first.path)?.min ?? null);
  return at ? { since: { at: at.toISOString(), from: 'data', field: first.path }, at, field: first } : null;
}

async function countWhere(measure: Measure, where: Predicate): Promise<number> {
  return measure.source.count({ table: measure.view.mapping.table, where });
}

export async function measureDates(measure: Measure, existed: ReturnType<typeof existedSince>): Promise<DateQuality[]> {
  const out: DateQuality[] = [];
  for (const field of dateFields(measure)) {
    const now = storedAt(field, measure.now);
    const future = now === undefined ? 0 : await countWhere(measure, { kind: 'compare', ref: field.ref, op: 'gt', value: now });
    const start = existed && existed.field !== field ? storedAt(field, existed.at) : undefined;
    const beforeExisted = start === undefined ? 0 : await countWhere(measure, { kind: 'compare', ref: field.ref, op: 'lt', value: start });
    out.push({ field: field.path, future, beforeExisted });
  }
  return out;
}

export async function recordsPerMonth(measure: Measure): Promise<QualityProfile['recordsPerMonth']> {
  const field = dateFields(measure)[0];
  if (!field) return { field: null, months: [], complete: true };
  const rows = await measure.source.aggregate({
    table: measure.view.mapping.table,
    where: notNull(field.ref),
    groupBy: { month: { ref: field.ref, bucket: 'month' } },
    aggregates: { n: { fn: 'count' } },
    orderBy: [{ alias: 'month', direction: 'desc' }],
    limit: HISTOGRAM_MONTHS,
  });
  const months: MonthCount[] = rows.map((row) => ({ month: String(row.month).slice(0, 7), rows: countOf(row.n) })).reverse();
  return { field: field.path, months, complete: rows.length < HISTOGRAM_MONTHS };
}
