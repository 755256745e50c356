/**
 * The one Source implementation for every SQL database CivicGraph reads (PostgreSQL,
 * MySQL/MariaDB, SQL Server, PGlite). Dialect differences live in ./dialects.
 */
import knex, { type Knex } from 'knex';
import { isSqlKind, type SourceConfig } from '../../config/mapping.js';
import type {
  AggregateQuery, ColumnDescription, CountQuery, FindQuery, KeyLookupQuery, Pushdown, Row, Source,
} from '../source.js';
import { msLeft, timeLimit } from '../time-limit.js';
import { connect, type TimeoutMode } from './connect.js';
import { DIALECTS, type Dialect, type DialectName, dialectFor, splitTableName, UNCOUNTED_ROWS } from './dialects/index.js';
import { withStatementTimeout } from './dialects/mssql.js';
import { QueryTimeoutError, toSourceError } from './errors.js';
import { buildAggregate, buildCount, buildFind, buildFindByKeys, distinctKeys, keyChunkSize, NO_COLUMNS } from './query.js';

export type { DialectName } from './dialects/index.js';

/** Opens (lazily: no connection is made until the first statement) a source over SQL. */
export function openSqlSource(name: string, config: SourceConfig): Source {
  if (!isSqlKind(config.kind)) throw new Error(`source "${name}": not a SQL source kind`);
  const { db, timeoutMode } = connect({ ...config, kind: config.kind });
  return new SqlSource(name, db, dialectFor(config.kind), config.queryTimeoutMs, timeoutMode);
}

/** A SQL database does all the work itself. */
const SQL_PUSHDOWN: Pushdown = { filters: 'all', ordering: true, paging: true, grouping: true, keyLookups: true, notes: [] };

class SqlSource implements Source {
  readonly pushdown = SQL_PUSHDOWN;

  constructor(
    readonly name: string,
    private readonly db: Knex,
    private readonly dialect: Dialect,
    private readonly timeoutMs: number,
    private readonly timeoutMode: TimeoutMode,
  ) {}

  async find(query: FindQuery): Promise<Row[]> {
    if (query.limit <= 0) return [];
    return this.run(() => buildFind(this.db, this.dialect, query), query.table, query.deadline);
  }

  async count(query: CountQuery): Promise<number> {
    const rows = await this.run<Array<{ n: unknown }>>(() => buildCount(this.db, this.dialect, query), query.table, query.deadline);
    // Drivers answer count(*) as bigint, string or number depending on the dialect.
    return Number(rows[0]?.n ?? 0);
  }

  async findByKeys(query: KeyLookupQuery): Promise<Row[]> {
    const keys = distinctKeys(query.keys);
    if (keys.length === 0 || query.perKeyLimit === 0) return [];
    const size = this.guard(() => keyChunkSize(this.db, this.dialect, query), query.table);
    const rows: Row[] = [];
    for (let start = 0; start < keys.length; start += size) {
      const chunk = keys.slice(start, start + size);
      rows.push(...(await this.run<Row[]>(() => buildFindByKeys(this.db, this.dialect, query, chunk), query.table, query.deadline)));
    }
    return rows;
  }

  async aggregate(query: AggregateQuery): Promise<Row[]> {
    const rows = await this.run<Row[]>(() => buildAggregate(this.db, this.dialect, query), query.table, query.deadline);
    if (Object.keys(query.groupBy).length + Object.keys(query.aggregates).length > 0) return rows;
    return rows.map((row) => {
      const { [NO_COLUMNS]: _, ...rest } = row;
      return rest;
    });
  }

  async describeTable(table: string): Promise<ColumnDescription[] | undefined> {
    const { schema, table: bare } = splitTableName(table);
    const rows = await this.run<Array<Record<string, unknown>>>(() => this.dialect.describeColumns(this.db, schema, bare));
    // information_schema lists no columns for a table that does not exist (or that we may not see).
    return rows.length === 0 ? undefined : rows.map((row) => this.dialect.toColumn(row));
  }

  async estimateRows(table: string): Promise<number | undefined> {
    const { schema, table: bare } = splitTableName(table);
    const [row] = await this.run<Array<{ n: unknown }>>(() => this.dialect.estimateRows(this.db, schema, bare), table);
    // No row, or NULL: no such table, or one the database keeps no count for (a view).
    if (row === undefined || row.n === null) return undefined;
    const estimate = Number(row.n);
    return estimate === UNCOUNTED_ROWS ? this.count({ table }) : Math.round(estimate);
  }

  async listTables(): Promise<string[]> {
    const rows = await this.run<Array<{ name: unknown }>>(() => this.dialect.listTables(this.db));
    return rows.map((row) => String(row.name));
  }

  async ping(): Promise<void> {
    await this.run(() => this.db.select(this.db.raw('1 as ok')));
  }

  async close(): Promise<void> {
    try {
      await this.db.destroy();
    } catch (error) {
      throw toSourceError(this.name, error, { dialect: this.dialect, timeoutMs: this.timeoutMs });
    }
  }

  private guard<T>(build: () => T, table?: string): T {
    try {
      return build();
    } catch (error) {
      throw toSourceError(this.name, error, { dialect: this.dialect, table, timeoutMs: this.timeoutMs });
    }
  }

  /**
   * Runs one statement under the time limit, queryTimeoutMs or what is left before the caller's
   * deadline, whichever ends first, the wait for a pooled connection included: a statement whose
   * caller stopped waiting while the pool was busy never reaches the system. Every failure
   * becomes a SourceError.
   */
  private async run<T>(build: () => Knex.QueryBuilder, table?: string, deadline?: number): Promise<T> {
    const limit = timeLimit(this.timeoutMs, deadline);
    let connection: unknown;
    try {
      connection = await this.connectionWithin(msLeft(limit));
      const ms = msLeft(limit);
      // knex reads a time limit of 0 as none at all.
      if (ms === 0) throw new QueryTimeoutError();
      return (await this.within(build().connection(connection), ms)) as T;
    } catch (error) {
      throw toSourceError(this.name, error, { dialect: this.dialect, table, timeoutMs: this.timeoutMs, byDeadline: limit.byDeadline });
    } finally {
      if (connection !== undefined) await this.db.client.releaseConnection(connection);
    }
  }

  private within(builder: Knex.QueryBuilder, ms: number): PromiseLike<unknown> {
    switch (this.timeoutMode) {
      case 'cancel':
        return builder.timeout(ms, { cancel: true });
      case 'driver':
        return withStatementTimeout(builder, ms);
      case 'abandon':
        return abandonAfter(builder, ms);
    }
  }

  /** A connection from the pool, waited for at most `ms`; one that arrives later goes straight back. */
  private async connectionWithin(ms: number): Promise<unknown> {
    if (ms === 0) throw new QueryTimeoutError();
    const pending: Promise<unknown> = this.db.client.acquireConnection();
    let timer: NodeJS.Timeout | undefined;
    const expired = new Promise<never>((_, reject) => {
      timer = setTimeout(() => reject(new QueryTimeoutError()), ms);
    });
    try {
      return await Promise.race([pending, expired]);
    } catch (error) {
      pending.then((late) => this.db.client.releaseConnection(late), () => undefined);
      throw error;
    } finally {
      clearTimeout(timer);
    }
  }
}

/**
 * For PGlite, which runs in this process and may even block the event loop while a
 * statement runs (pg_sleep does): the statement cannot be stopped, so the caller gets a
 * timeout either when the timer fires or, if the loop was blocked, when the late result
 * arrives. knex's own timeout is not used because it would destroy PGlite's only connection.
 */
async function abandonAfter<T>(work: PromiseLike<T>, ms: number): Promise<T> {
  const started = performance.now();
  let timer: NodeJS.Timeout | undefined;
  const expired = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new QueryTimeoutError()), ms);
  });
  try {
    const result = await Promise.race([Promise.resolve(work), expired]);
    if (performance.now() - started > ms) throw new QueryTimeoutError();
    return result;
  } finally {
    clearTimeout(timer);
  }
}

/** A statement as knex compiles it for a dialect, with native placeholders ($1, ?, @p0). */
export interface CompiledSql {
  sql: string;
  bindings: readonly unknown[];
}

const compilers = new Map<DialectName, Knex>();

/** A connection-less knex for the dialect: it compiles, it never connects. */
function compiler(dialect: DialectName): Knex {
  let db = compilers.get(dialect);
  if (!db) {
    db = knex({ client: DIALECTS[dialect].client });
    compilers.set(dialect, db);
  }
  return db;
}

function compiled(builder: Knex.QueryBuilder): CompiledSql {
  const { sql, bindings } = builder.toSQL().toNative();
  return { sql, bindings };
}

/** The SQL `find` runs for `query`, without a connection (for reviewing dialects that cannot run here). */
export function compileFind(dialect: DialectName, query: FindQuery): CompiledSql {
  return compiled(buildFind(compiler(dialect), DIALECTS[dialect], query));
}

export function compileCount(dialect: DialectName, query: CountQuery): CompiledSql {
  return compiled(buildCount(compiler(dialect), DIALECTS[dialect], query));
}

/** The statements `findByKeys` runs for `query`: one per chunk of keys that fits the dialect's parameter limit. */
export function compileFindByKeys(dialect: DialectName, query: KeyLookupQuery): CompiledSql[] {
  const db = compiler(dialect);
  const d = DIALECTS[dialect];
  const keys = distinctKeys(query.keys);
  const size = keyChunkSize(db, d, query);
  const out: CompiledSql[] = [];
  for (let start = 0; start < keys.length; start += size) out.push(compiled(buildFindByKeys(db, d, query, keys.slice(start, start + size))));
  return out;
}

/** The SQL `aggregate` runs for `query`. */
export function compileAggregate(dialect: DialectName, query: AggregateQuery): CompiledSql {
  return compiled(buildAggregate(compiler(dialect), DIALECTS[dialect], query));
}

export function compileListTables(dialect: DialectName): CompiledSql {
  return compiled(DIALECTS[dialect].listTables(compiler(dialect)));
}

export function compileDescribeTable(dialect: DialectName, table: string): CompiledSql {
  const { schema, table: bare } = splitTableName(table);
  return compiled(DIALECTS[dialect].describeColumns(compiler(dialect), schema, bare));
}

/** The statement `estimateRows` reads the database's own row count with. */
export function compileEstimateRows(dialect: DialectName, table: string): CompiledSql {
  const { schema, table: bare } = splitTableName(table);
  return compiled(DIALECTS[dialect].estimateRows(compiler(dialect), schema, bare));
}
