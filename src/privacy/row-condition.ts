/**
 * A role's row rule as planned from the mappings: a source predicate that may also ask about
 * the row a join to one row links to (`referenced`). Such a question depends on another
 * dataset's rows, so it is answered per request (./resolve-rows.ts); everything else is known
 * when the role's view is built.
 */
import { planFilter, type FilterInput } from '../plan/filter.js';
import type { JoinBinding, ServedDataset } from '../plan/served-dataset.js';
import type { Predicate, ValueRef } from '../source/source.js';

export type RowCondition =
  | Exclude<Predicate, { kind: 'and' | 'or' | 'not' }>
  | { kind: 'and' | 'or'; items: RowCondition[] }
  | { kind: 'not'; item: RowCondition }
  /** The row this row links to through `join` exists and matches `where` (a condition on the target's rows). */
  | { kind: 'referenced'; join: JoinBinding; where: RowCondition };

export const TRUE: RowCondition = { kind: 'constant', value: true };
export const FALSE: RowCondition = { kind: 'constant', value: false };

export function allOf(items: Array<RowCondition | undefined>): RowCondition | undefined {
  const given = items.filter((item): item is RowCondition => item !== undefined);
  if (given.length === 0) return undefined;
  return given.length === 1 ? given[0] : { kind: 'and', items: given };
}

export function not(item: RowCondition): RowCondition {
  return { kind: 'not', item };
}

/** The row links to some row through this key, whether or not that row exists: what a link that cannot be checked is taken to be. */
export function hasReference(ref: ValueRef): RowCondition {
  return { kind: 'compare', ref, op: 'isNull', value: false };
}

/**
 * A row rule's filter, written like the public API's, over the whole dataset (a rule may name
 * fields the role cannot read). A join to one row may stand for a field, with conditions on the
 * row it links to. `unknowable` collects the joins whose target is not served: what their rows
 * hold cannot be known, so the caller withholds every row that links to one.
 */
export function planRowFilter(dataset: ServedDataset, filter: FilterInput, argument: string, unknowable: Set<string>): RowCondition {
  const items = Object.entries(filter).map(([key, operand]): RowCondition => {
    const at = `${argument}.${key}`;
    if (key === 'and' || key === 'or') {
      const parts = (operand as FilterInput[]).map((item, index) => planRowFilter(dataset, item, `${at}[${index}]`, unknowable));
      return { kind: key, items: parts };
    }
    if (key === 'not') return not(planRowFilter(dataset, operand as FilterInput, at, unknowable));
    const declared = dataset.mapping.joins.find((join) => join.name === key && join.cardinality === 'one');
    if (!declared) return planFilter(dataset, { [key]: operand }, argument) ?? TRUE;
    const join = dataset.joins.get(key);
    if (!join) {
      unknowable.add(key);
      return FALSE;
    }
    return { kind: 'referenced', join, where: planRowFilter(join.target, operand as FilterInput, at, unknowable) };
  });
  return items.length === 1 ? items[0]! : { kind: 'and', items };
}
