/** A connector mapping's `source` → the implementation for its kind. */
import { isSqlKind, type ConnectorMapping, type FilterParam } from '../config/mapping.js';
import { openCsvSource } from './csv/csv-source.js';
import { openMongoSource } from './mongodb/mongo-source.js';
import { openRestSource } from './rest/rest-source.js';
import type { DeclaredType, Source, TableSettings } from './source.js';
import { openSqlSource } from './sql/sql-source.js';

export function openSource(connector: ConnectorMapping): Source {
  const { kind } = connector.source;
  if (isSqlKind(kind)) return openSqlSource(connector.name, connector.source);
  const tables = tableSettings(connector);
  switch (kind) {
    case 'mongodb':
      return openMongoSource(connector.name, connector.source, tables);
    case 'rest':
      return openRestSource(connector.name, connector.source, tables);
    case 'csv':
      return openCsvSource(connector.name, connector.source, tables);
  }
}

/** Table → what the datasets reading it declare; two datasets over one table share their declarations. */
export function tableSettings(connector: ConnectorMapping): ReadonlyMap<string, TableSettings> {
  const tables = new Map<string, { columns: Map<string, DeclaredType>; filterParams: FilterParam[] }>();
  for (const dataset of connector.datasets) {
    let table = tables.get(dataset.table);
    if (!table) tables.set(dataset.table, (table = { columns: new Map(), filterParams: [] }));
    for (const [column, type] of dataset.columns ?? []) table.columns.set(column, type);
    table.filterParams.push(...(dataset.filterParams ?? []));
  }
  return tables;
}
