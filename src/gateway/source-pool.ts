/**
 * Open sources, shared across configuration reloads: a source whose settings did not
 * change keeps its connections (an embedded PGlite database must never be opened twice),
 * and a source no mapping uses any more is closed.
 */
import { createHash } from 'node:crypto';
import type { ConnectorMapping } from '../config/mapping.js';
import { instrumentSource } from '../observe/instrumented-source.js';
import type { Metrics } from '../observe/metrics.js';
import { openSource, tableSettings } from '../source/open-source.js';
import type { Source } from '../source/source.js';

/** Everything a source is opened with: a mapping edit that changes any of it opens a new source. */
function settingsKey(connector: ConnectorMapping): string {
  const { kind, connection, pool, queryTimeoutMs, timezone, memoryRowLimit, rest, csv } = connector.source;
  // Secrets are hashed so that the key, which stays in memory, never holds them.
  const hash = (text: string) => createHash('sha256').update(text).digest('hex');
  const restKey = rest && { ...rest, headers: rest.headers.map(([name, value]) => [name, hash(value.reveal())]) };
  const tables = [...tableSettings(connector)].map(([table, settings]) => [table, [...settings.columns], settings.filterParams]);
  return JSON.stringify([connector.name, kind, hash(connection.reveal()), pool, queryTimeoutMs, timezone, memoryRowLimit, restKey, csv, tables]);
}

export class SourcePool {
  private readonly open = new Map<string, Source>();

  /** With metrics, every source counts and times the queries it is sent. */
  constructor(private readonly metrics?: Metrics) {}

  /** The one source for the connector's settings, opened on first use. */
  sourceFor(connector: ConnectorMapping): Source {
    const key = settingsKey(connector);
    let source = this.open.get(key);
    if (!source) {
      const opened = openSource(connector);
      source = this.metrics ? instrumentSource(opened, this.metrics) : opened;
      this.open.set(key, source);
    }
    return source;
  }

  /** Closes every source the given mappings no longer use. */
  async closeUnused(inUse: readonly ConnectorMapping[]): Promise<void> {
    const keep = new Set(inUse.map(settingsKey));
    const unused = [...this.open].filter(([key]) => !keep.has(key));
    for (const [key] of unused) this.open.delete(key);
    await Promise.all(unused.map(([, source]) => source.close().catch(() => undefined)));
  }

  async closeAll(): Promise<void> {
    await this.closeUnused([]);
  }
}
