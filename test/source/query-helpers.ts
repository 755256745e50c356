/**
 * Shorthands the connector suites under test/source write their queries with — value refs
 * (`col`, `address`), predicates (`cmp`, `not`, `and`, `or`), order keys (`asc`, `desc`,
 * `byId`) — and `rejection`, which awaits a promise that must reject with a SourceError and
 * returns that error for the suite to check.
 */
import { expect } from 'vitest';
import { type OrderKey, type Predicate, SourceError, type SourceValue, type ValueRef } from '../../src/source/source.js';

export type CompareOp = Extract<Predicate, { kind: 'compare' }>['op'];

export const col = (column: string): ValueRef => ({ column });
export const address = (of: ValueRef): ValueRef => ({ normalize: 'address', of });

/** A comparison of a column (given by name) or of any value ref. */
export const cmp = (ref: string | ValueRef, op: CompareOp, value: SourceValue | SourceValue[]): Predicate => ({
  kind: 'compare',
  ref: typeof ref === 'string' ? col(ref) : ref,
  op,
  value,
});
export const not = (item: Predicate): Predicate => ({ kind: 'not', item });
export const and = (...items: Predicate[]): Predicate => ({ kind: 'and', items });
export const or = (...items: Predicate[]): Predicate => ({ kind: 'or', items });

export const asc = (column: string): OrderKey => ({ ref: col(column), direction: 'asc' });
export const desc = (column: string): OrderKey => ({ ref: col(column), direction: 'desc' });
export const byId: OrderKey = asc('id');

/** The error `promise` rejects with, failing the test unless it is a SourceError. */
export async function rejection(promise: Promise<unknown>): Promise<SourceError> {
  const error = await promise.then(
    () => undefined,
    (e: unknown) => e,
  );
  expect(error).toBeInstanceOf(SourceError);
  return error as SourceError;
}
