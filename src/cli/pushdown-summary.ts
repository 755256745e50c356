/**
 * A source's Pushdown in words, for `civicgraph validate`: a liaison should know which
 * queries the department's system answers itself and which the gateway answers in memory
 * (and so how large a query may grow before it is refused).
 */
import type { ConnectorMapping } from '../config/mapping.js';
import type { Pushdown } from '../source/source.js';

const WORK = [
  ['ordering', 'ordering'],
  ['paging', 'paging'],
  ['grouping', 'statistics'],
  ['keyLookups', 'batched key look-ups'],
] as const;

function list(items: readonly string[]): string {
  return items.length <= 1 ? (items[0] ?? '') : `${items.slice(0, -1).join(', ')} and ${items.at(-1)}`;
}

export function pushdownSummary(connector: ConnectorMapping, pushdown: Pushdown): string[] {
  const inSource: string[] = [];
  const inMemory: string[] = [];
  if (pushdown.filters === 'all') inSource.push('filters');
  else if (pushdown.filters === 'some') {
    inSource.push('some filters');
    inMemory.push('the other filters');
  } else inMemory.push('filters');
  for (const [key, words] of WORK) (pushdown[key] ? inSource : inMemory).push(words);

  const head = `source "${connector.name}" (${connector.source.kind})`;
  const lines =
    inMemory.length === 0
      ? [`${head}: the system does all the work: ${list(inSource)}`]
      : [
          `${head}: ${inSource.length > 0 ? `the system does ${list(inSource)}; ` : ''}the gateway does ${list(inMemory)} in memory, ` +
            `holding at most ${(pushdown.memoryRowLimit ?? connector.source.memoryRowLimit).toLocaleString('en-US')} matching records per query (memoryRowLimit)`,
        ];
  return [...lines, ...pushdown.notes.map((note) => `  ${note}`)];
}
