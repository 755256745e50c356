/**
 * A full Source over a Scanner: whatever the system did not do (filter, order, page, look
 * up keys, group) is done here, in memory, keeping at most `memoryRowLimit` matching records.
 * Every query's whole filter is applied again to what the system returns, so a system that
 * filters only roughly, or not at all, still gives exactly the rows a SQL source would.
 *
 * The limit counts records that match the whole filter, row rules included, never records
 * merely read: whether a query is refused then depends only on rows the caller may see,
 * so the refusal cannot reveal how many rows a role's rules withhold. (How long reading
 * takes is bounded by the scanner: a REST scan by queryTimeoutMs, a CSV file by its size; and
 * by the query's deadline, which the scanner and the loop here both watch.)
 */
import {
  SourceError,
  type AggregateQuery,
  type CountQuery,
  type FindQuery,
  type KeyLookupQuery,
  type Predicate,
  type Row,
  type Source,
  type SourceValue,
} from '../source.js';
import { STOPPED_AT_DEADLINE } from '../time-limit.js';
import { aggregateRecords } from './aggregate.js';
import { valueIdentity } from './compare.js';
import { matches } from './evaluate.js';
import { sortRecords } from './order.js';
import { readValue } from './read-value.js';
import type { RawRecord, ScanRequest, Scanner } from './scanner.js';

/** Records read between looks at the clock: often enough to stop soon after a deadline, rarely enough to cost nothing per record. */
const DEADLINE_CHECK_EVERY = 1000;

export function scanSource(scanner: Scanner, memoryRowLimit: number): Source {
  const name = scanner.name;

  /**
   * The records matching `where`, in `orderBy` order. With `enough`, reading stops once that
   * many matched and the scanner applied both the filter and the order itself.
   */
  async function collect(request: ScanRequest, enough?: number): Promise<RawRecord[]> {
    const scan = scanner.scan(enough === undefined ? request : { ...request, limit: enough });
    const stopEarly = enough !== undefined && scan.filtered && (scan.ordered || request.orderBy.length === 0);
    const kept: RawRecord[] = [];
    let read = 0;
    for await (const record of scan.records) {
      if (stopEarly && kept.length >= enough) break;
      // Records held in memory (a CSV snapshot) arrive without a pause in which a timer could fire: the loop itself looks.
      if (request.deadline !== undefined && ++read % DEADLINE_CHECK_EVERY === 0 && Date.now() >= request.deadline) {
        throw new SourceError(name, STOPPED_AT_DEADLINE, 'deadline');
      }
      if (request.where && !matches(request.where, record, name)) continue;
      if (kept.length === memoryRowLimit) {
        throw new SourceError(
          name,
          `answering this query needs more than ${memoryRowLimit} records of "${request.table}" in memory (memoryRowLimit); ` +
            'narrow it with a filter, or raise the limit in the mapping',
          'row-limit',
        );
      }
      kept.push(record);
    }
    return scan.ordered ? kept : sortRecords(kept, request.orderBy, name);
  }

  function select(record: RawRecord, selection: FindQuery['select']): Row {
    const row: Row = {};
    for (const [alias, ref] of Object.entries(selection)) row[alias] = readValue(record, ref, name);
    return row;
  }

  return {
    name,
    pushdown: { ...scanner.pushdown, memoryRowLimit },

    async find(query: FindQuery): Promise<Row[]> {
      if (query.limit <= 0) return [];
      const records = await collect({ table: query.table, where: query.where, orderBy: query.orderBy, deadline: query.deadline }, query.offset + query.limit);
      return records.slice(query.offset, query.offset + query.limit).map((record) => select(record, query.select));
    },

    async count(query: CountQuery): Promise<number> {
      return (await collect({ table: query.table, where: query.where, orderBy: [], deadline: query.deadline })).length;
    },

    async findByKeys(query: KeyLookupQuery): Promise<Row[]> {
      const keys = query.keys.filter((key): key is Exclude<SourceValue, null> => key !== null);
      if (keys.length === 0 || query.perKeyLimit === 0) return [];
      // The key condition goes to the scanner with the rest, so a system that filters on the key can use it.
      const byKey: Predicate = { kind: 'compare', ref: query.key, op: 'in', value: keys };
      const where: Predicate = query.where ? { kind: 'and', items: [byKey, query.where] } : byKey;
      const records = await collect({ table: query.table, where, orderBy: query.orderBy ?? [], deadline: query.deadline });
      const perKey = new Map<string, number>();
      const rows: Row[] = [];
      for (const record of records) {
        const key = readValue(record, query.key, name);
        if (query.perKeyLimit !== undefined) {
          const id = valueIdentity(key);
          const seen = perKey.get(id) ?? 0;
          if (seen >= query.perKeyLimit) continue;
          perKey.set(id, seen + 1);
        }
        rows.push({ ...select(record, query.select), [query.keyAlias]: key });
      }
      return rows;
    },

    async aggregate(query: AggregateQuery): Promise<Row[]> {
      const records = await collect({ table: query.table, where: query.where, orderBy: [], deadline: query.deadline });
      return aggregateRecords(records, query, name);
    },

    describeTable: (table) => scanner.describeTable(table),
    estimateRows: (table) => scanner.estimateRows(table),
    listTables: () => scanner.listTables(),
    ping: () => scanner.ping(),
    close: () => scanner.close(),
    ...(scanner.dataVersion && { dataVersion: () => scanner.dataVersion!() }),
  };
}
