/**
 * The part of a query's filter an API can apply itself, as query parameters. Sending less
 * than all of it is always safe, as the memory engine checks every record against the whole
 * filter; sending a value the API could misread is not, as it might drop matching records.
 */
import type { FilterParam } from '../../config/mapping.js';
import type { ComparisonOp, Predicate, SourceValue, ValueRef } from '../source.js';
import type { Params } from './endpoint.js';

/**
 * A long `in` list (a look-up of many keys) would push the URL past what servers and
 * proxies accept (often 8 KB, sometimes 2 KB); such a list is applied in memory instead.
 */
const MAX_LIST_LENGTH = 1500;

export interface SentFilter {
  params: Params;
  /** Whether the parameters express all of `where`. */
  complete: boolean;
}

export function filterQuery(where: Predicate | undefined, filterParams: readonly FilterParam[]): SentFilter {
  const params = new Map<string, string>();
  let complete = true;
  for (const part of where === undefined ? [] : conjuncts(where)) {
    const param = part.kind === 'compare' ? paramFor(part, filterParams) : undefined;
    // A parameter carries one value (`status: { eq: status, in: status }` share one); a second comparison stays in memory.
    if (param === undefined || params.has(param[0])) complete = false;
    else params.set(param[0], param[1]);
  }
  return { params: [...params], complete };
}

function conjuncts(predicate: Predicate): Predicate[] {
  return predicate.kind === 'and' ? predicate.items.flatMap(conjuncts) : [predicate];
}

/** `in` one value is `eq` that value (a coded field's public value often has a single raw code), and the reverse. */
function equivalent(op: ComparisonOp, value: SourceValue | SourceValue[]): Array<[ComparisonOp, SourceValue | SourceValue[]]> {
  if (op === 'in' && Array.isArray(value) && value.length === 1) return [['in', value], ['eq', value[0]!]];
  if (op === 'eq' && !Array.isArray(value)) return [['eq', value], ['in', [value]]];
  return [[op, value]];
}

function paramFor(compare: Extract<Predicate, { kind: 'compare' }>, filterParams: readonly FilterParam[]): [string, string] | undefined {
  for (const [op, value] of equivalent(compare.op, compare.value)) {
    const param = paramForOp(compare.ref, op, value, filterParams);
    if (param) return param;
  }
  return undefined;
}

function paramForOp(ref: ValueRef, op: ComparisonOp, value: SourceValue | SourceValue[], filterParams: readonly FilterParam[]): [string, string] | undefined {
  if (!('column' in ref)) return undefined;
  const filterParam = filterParams.find((candidate) => candidate.column === ref.column && candidate.op === op);
  if (!filterParam) return undefined;
  const text = op === 'in' ? listText(value) : Array.isArray(value) || value === null ? undefined : valueText(value);
  return text === undefined ? undefined : [filterParam.param, text];
}

/** `in` values comma-separated; a value holding a comma would be split by the API, so such a list is not sent. */
function listText(value: SourceValue | SourceValue[]): string | undefined {
  if (!Array.isArray(value) || value.length === 0 || value.includes(null)) return undefined;
  const texts = value.map((member) => valueText(member as Exclude<SourceValue, null>));
  const text = texts.join(',');
  return texts.some((member) => member.includes(',')) || text.length > MAX_LIST_LENGTH ? undefined : text;
}

function valueText(value: Exclude<SourceValue, null>): string {
  return value instanceof Date ? value.toISOString() : String(value);
}

/** For `civicgraph validate`: one sentence per filter parameter. */
export function describeFilterParam(table: string, { column, op, param }: FilterParam): string {
  return `${table}: ${column} ${op} → ?${param}=${op === 'in' ? ' (values comma-separated)' : ''}`;
}
