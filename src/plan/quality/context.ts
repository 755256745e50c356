/**
 * What every measure of a quality profile shares: the role's view of the dataset, its source
 * (counted, so the profile can say what it cost), and the conversions from source values to
 * the plain JSON the profile holds.
 */
import { GraphQLError } from 'graphql';
import { DataError, toPublicValue } from '../../response/to-public-value.js';
import { SourceError, type AggregateQuery, type CountQuery, type Predicate, type Row, type Source, type SourceValue, type ValueRef } from '../../source/source.js';
import type { RequestMemo } from '../request-memo.js';
import type { ScalarBinding, ServedDataset } from '../served-dataset.js';
import type { ProfileValue, QualityError } from './profile-types.js';

/** The longest list a profile gives of anything (codes, examples, orphans). */
export const QUALITY_LIST_LIMIT = 10;

/** Counts what the profile sends one source, and the largest answer, for `QualityProfile.queries`. */
export class QueryTally {
  count = 0;
  largestResult = 0;

  /** The source, answering only the aggregate statements a profile needs, each counted. */
  wrap(source: Source): ProfileSource {
    return {
      aggregate: async (query) => {
        const rows = await source.aggregate(query);
        this.note(rows.length);
        return rows;
      },
      count: async (query) => {
        const n = await source.count(query);
        this.note(1);
        return n;
      },
    };
  }

  private note(rows: number): void {
    this.count += 1;
    this.largestResult = Math.max(this.largestResult, rows);
  }
}

/** A profile never reads rows: only counts and grouped aggregates. */
export interface ProfileSource {
  aggregate(query: AggregateQuery): Promise<Row[]>;
  count(query: CountQuery): Promise<number>;
}

export interface Measure {
  view: ServedDataset;
  source: ProfileSource;
  memo: RequestMemo;
  tally: QueryTally;
  now: Date;
}

export const notNull = (ref: ValueRef): Predicate => ({ kind: 'compare', ref, op: 'isNull', value: false });
export const isNull = (ref: ValueRef): Predicate => ({ kind: 'compare', ref, op: 'isNull', value: true });
export const all = (...items: Predicate[]): Predicate => (items.length === 1 ? items[0]! : { kind: 'and', items });

/** A count a source answered (a bigint, a numeric string) as a number. */
export const countOf = (value: SourceValue | undefined): number => Number(value ?? 0);

/** A public value as JSON: instants as ISO 8601, big integers as numbers where exact, else text. */
export function jsonValue(value: unknown): ProfileValue {
  if (value === null || value === undefined) return null;
  if (value instanceof Date) return value.toISOString();
  if (typeof value === 'bigint') return Number.isSafeInteger(Number(value)) ? Number(value) : String(value);
  if (typeof value === 'string' || typeof value === 'number' || typeof value === 'boolean') return value;
  return JSON.stringify(value);
}

/**
 * A stored value as the API spells it; where the mapping cannot spell it (a key that does not fit
 * its `format`), the stored spelling, which the role reads the field raw to be shown at all.
 */
export function publicValue(field: ScalarBinding, raw: SourceValue, source: string): ProfileValue {
  try {
    return jsonValue(toPublicValue(field, raw, source));
  } catch (error) {
    if (error instanceof DataError) return jsonValue(raw);
    throw error;
  }
}

/** Why a profile (or part of one) failed, naming the source, in words safe to show: never a connection string or value. */
export function qualityError(error: unknown, source: string): QualityError {
  if (error instanceof SourceError) return { source: error.source, reason: error.reason, message: error.message };
  if (error instanceof DataError) return { source: error.source, reason: 'data', message: error.message };
  // The request's runtime budget (src/plan/budget.ts): its words name the limit and the measure, never a value.
  if (error instanceof GraphQLError && (error.extensions.code === 'DEADLINE_EXCEEDED' || error.extensions.code === 'ROW_BUDGET_EXCEEDED')) {
    return { source, reason: error.extensions.code === 'DEADLINE_EXCEEDED' ? 'deadline' : 'rows', message: `source "${source}": ${error.message}` };
  }
  return { source, reason: 'internal', message: `source "${source}": the profile could not be computed` };
}
