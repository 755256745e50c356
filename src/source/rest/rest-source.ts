/** A connector of kind `rest`: a REST/JSON API, filtered, sorted and paged in memory where the API cannot. */
import type { SourceConfig } from '../../config/mapping.js';
import { scanSource } from '../memory/scan-source.js';
import type { Source, TableSettings } from '../source.js';
import { RestScanner } from './rest-scanner.js';

export function openRestSource(name: string, config: SourceConfig, tables: ReadonlyMap<string, TableSettings>): Source {
  return scanSource(new RestScanner(name, config, tables), config.memoryRowLimit);
}
