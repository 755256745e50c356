/**
 * The code maps and time zones the baseline applies, read from the same connector mapping
 * files CivicGraph serves, so that both recode values identically without a second copy of
 * the tables to keep in step. (The baseline's SQL is hand-written; only this data is shared.)
 */
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { parse } from 'yaml';

interface MappingFile {
  source: { timezone: string };
  datasets: Record<string, { fields: Record<string, unknown> }>;
}

function mappingFile(name: string): MappingFile {
  const path = fileURLToPath(new URL(`../../connectors/${name}.yaml`, import.meta.url));
  return parse(readFileSync(path, 'utf8')) as MappingFile;
}

export interface SystemData {
  timezone: string;
  /** Raw code → public value for `type.field`. */
  codes(type: string, field: string): ReadonlyMap<string, string>;
}

export function systemData(name: string): SystemData {
  const file = mappingFile(name);
  return {
    timezone: file.source.timezone,
    codes(type, field) {
      const mapping = file.datasets[type]?.fields[field] as { codes?: Record<string, unknown> } | undefined;
      if (!mapping?.codes) throw new Error(`connectors/${name}.yaml: ${type}.${field} has no codes`);
      return new Map(Object.entries(mapping.codes).map(([raw, value]) => [raw, String(value)]));
    },
  };
}

/** The public value of a code; a code the map lacks is a data error, as in the gateway. */
export function recode(map: ReadonlyMap<string, string>, raw: string | number | null): string | null {
  if (raw === null) return null;
  const value = map.get(String(raw));
  if (value === undefined) throw new Error(`code ${JSON.stringify(raw)} is not in the mapping's codes`);
  return value;
}
