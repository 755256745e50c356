/** A connector mapping's `source` → the implementation for its kind. */
import type { ConnectorMapping } from '../config/mapping.js';
import type { Source } from './source.js';
import { openSqlSource } from './sql/sql-source.js';

export function openSource(connector: ConnectorMapping): Source {
  switch (connector.source.kind) {
    case 'postgres':
    case 'mysql':
    case 'mssql':
    case 'pglite':
      return openSqlSource(connector.name, connector.source);
  }
}
