/**
 * One role's row rules over every dataset, with the rows that hang off withheld rows: a row
 * whose join to one row links it to a row withheld from the role is withheld too, for every
 * join `withheldWith` follows (by default all of them, fail closed). A join it does not follow
 * keeps the row but serves its key only where the key names a row the role may read.
 *
 * What cannot be checked is taken to be withheld: a row linked to a dataset the role cannot
 * read at all, or to one that is not being served, is withheld (a followed join) or has a null
 * key (one not followed).
 */
import type { RoleDefinition } from '../config/roles.js';
import type { FilterInput } from '../plan/filter.js';
import { planFilter } from '../plan/filter.js';
import type { JoinBinding, ServedDataset } from '../plan/served-dataset.js';
import { followedJoins, nearest } from './access-rules.js';
import { allOf, FALSE, hasReference, not, planRowFilter, type RowCondition } from './row-condition.js';

export interface RoleRowRule {
  /** The rows the role may see; undefined: every row. */
  visible: RowCondition | undefined;
  /** Joins not followed into a dataset that withholds rows from the role: their key is served only where it names a row the role may read. */
  masked: JoinBinding[];
  /** Fields holding keys into a dataset the role cannot read at all, or that is not served: always null for the role. */
  nulled: string[];
}

/**
 * @param chains the rules that apply to the role, per served dataset it may see (by type).
 * @param departmentName the caller's department, for `scopeField`.
 */
export function roleRowRules(datasets: readonly ServedDataset[], chains: ReadonlyMap<string, RoleDefinition[]>, departmentName: string | undefined): Map<string, RoleRowRule> {
  const visible = new Map<string, RowCondition | undefined>();
  const resolving = new Set<string>();

  function visibleOf(dataset: ServedDataset): RowCondition | undefined {
    const name = dataset.type.name;
    if (visible.has(name)) return visible.get(name);
    resolving.add(name);
    const chain = chains.get(name)!;
    const unknowable = new Set<string>();
    const parts: Array<RowCondition | undefined> = [ownRule(dataset, chain, departmentName, unknowable)];
    for (const declared of followedJoins(chain, dataset.mapping).followed) {
      const join = dataset.joins.get(declared.name);
      // A circle of withheldWith is refused at load (config/row-joins.ts); should one reach the
      // engine anyway (a file kept at its last good version beside a newer one), it fails closed.
      if (!join || !chains.has(join.target.type.name) || resolving.has(join.target.type.name)) {
        unknowable.add(declared.name);
        continue;
      }
      const target = visibleOf(join.target);
      if (target) parts.push(not({ kind: 'referenced', join, where: not(target) }));
    }
    for (const joinName of unknowable) parts.push(not(hasReference(fromRef(dataset, joinName))));
    const rule = allOf(parts);
    resolving.delete(name);
    visible.set(name, rule);
    return rule;
  }

  const rules = new Map<string, RoleRowRule>();
  for (const dataset of datasets) {
    const chain = chains.get(dataset.type.name);
    if (!chain) continue;
    const rule: RoleRowRule = { visible: visibleOf(dataset), masked: [], nulled: [] };
    for (const declared of followedJoins(chain, dataset.mapping).unfollowed) {
      const join = dataset.joins.get(declared.name);
      if (!join || !chains.has(join.target.type.name)) rule.nulled.push(declared.from);
      else if (visibleOf(join.target)) rule.masked.push(join);
    }
    rules.set(dataset.type.name, rule);
  }
  return rules;
}

/** The dataset's own exclusions and department scope, planned over the whole dataset: a rule may name fields the role itself cannot read. */
function ownRule(dataset: ServedDataset, chain: readonly RoleDefinition[], departmentName: string | undefined, unknowable: Set<string>): RowCondition | undefined {
  const rows = nearest(chain, dataset.mapping, (access) => access.rows)?.value;
  if (!rows) return undefined;
  const parts: RowCondition[] = [];
  if (rows.exclude) parts.push(not(planRowFilter(dataset, rows.exclude as FilterInput, 'rows.exclude', unknowable)));
  if (rows.scopeField) {
    const scoped = departmentName === undefined ? undefined : planFilter(dataset, { [rows.scopeField]: { eq: departmentName } }, 'rows.scopeField');
    parts.push(scoped ?? FALSE);
  }
  return allOf(parts);
}

function fromRef(dataset: ServedDataset, joinName: string) {
  const join = dataset.mapping.joins.find((candidate) => candidate.name === joinName)!;
  const field = dataset.fields.get(join.from);
  if (field?.kind !== 'scalar') throw new Error(`${dataset.type.name}.${join.from} is not a mapped scalar`);
  return field.scalar.ref;
}
