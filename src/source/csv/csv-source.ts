/** A Source over CSV files: the scanner hands over typed records, the memory engine answers the queries. */
import type { SourceConfig } from '../../config/mapping.js';
import { scanSource } from '../memory/scan-source.js';
import type { Source, TableSettings } from '../source.js';
import { CsvScanner } from './csv-scanner.js';

export function openCsvSource(name: string, config: SourceConfig, tables: ReadonlyMap<string, TableSettings>): Source {
  return scanSource(new CsvScanner(name, config, tables), config.memoryRowLimit);
}
