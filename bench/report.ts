/**
 * The results as a console table and as bench/RESULTS.md, with the spec's targets marked
 * met or missed. Ratios are throughput ratios (CivicGraph req/s ÷ the other's req/s) for
 * the same query: above 1 means CivicGraph serves more requests per second.
 */
import type { Machine } from './machine.js';
import type { Measurement } from './measure.js';
import type { PerRequest } from './metrics.js';
import { Q2_PAGE_SIZE, type QueryId, type ServerId } from './queries.js';

export interface Row {
  query: QueryId;
  server: ServerId;
  measurement?: Measurement;
  /** Why the row was not measured ("not available: …", "wrong answer: …"). */
  skipped?: string;
  sourceQueries?: PerRequest;
  notes: string[];
}

export interface Results {
  rows: Row[];
  /** Q2's source queries per request by page size. */
  pageSizes: { pageSize: number; perRequest: PerRequest }[];
  machine: Machine;
  options: { durationSeconds: number; warmupSeconds: number; connections: number };
}

const SERVER_NAMES: Record<ServerId, string> = {
  civicgraph: 'CivicGraph (owning department)',
  'civicgraph-public': 'CivicGraph (public role)',
  baseline: 'baseline (pg + node:http)',
  postgraphile: 'PostGraphile v4',
};

const rps = (row: Row | undefined): number | undefined => row?.measurement?.requestsPerSecond;
const find = (rows: Row[], query: QueryId, server: ServerId): Row | undefined => rows.find((r) => r.query === query && r.server === server);
const fixed = (value: number | undefined, digits = 1): string => (value === undefined ? '' : value.toFixed(digits));
const ratio = (a: number | undefined, b: number | undefined): number | undefined => (a === undefined || b === undefined || b === 0 ? undefined : a / b);
const perRequest = (value: PerRequest | undefined): string => (value === undefined ? '' : 'value' in value ? fixed(value.value, 2) : 'n/a');

function failures(measurement: Measurement): string | undefined {
  const { non2xx, errors, timeouts, mismatches } = measurement.failures;
  const parts = [
    non2xx && `${non2xx} non-2xx`,
    errors && `${errors} errors`,
    timeouts && `${timeouts} timeouts`,
    mismatches && `${mismatches} wrong bodies`,
  ].filter(Boolean);
  return parts.length > 0 ? `under load: ${parts.join(', ')}` : undefined;
}

const HEADER = ['query', 'server', 'req/s', 'p50 ms', 'p99 ms', 'source queries/req', 'CivicGraph/baseline', 'CivicGraph/PostGraphile', 'public/department', 'notes'];

function tableCells(results: Results): string[][] {
  return results.rows.map((row) => {
    const m = row.measurement;
    const isCivic = row.server === 'civicgraph';
    const isPublic = row.server === 'civicgraph-public';
    const notes = [row.skipped, m && failures(m), ...row.notes].filter(Boolean).join('; ');
    const queryLabel = row.query === 'Q2' ? `Q2 (first: ${Q2_PAGE_SIZE})` : row.query;
    return [
      queryLabel,
      SERVER_NAMES[row.server],
      fixed(m?.requestsPerSecond),
      fixed(m?.p50Ms),
      fixed(m?.p99Ms),
      isCivic || isPublic ? perRequest(row.sourceQueries) : '',
      isCivic ? fixed(ratio(rps(row), rps(find(results.rows, row.query, 'baseline'))), 2) : '',
      isCivic ? fixed(ratio(rps(row), rps(find(results.rows, row.query, 'postgraphile'))), 2) : '',
      // What privacy rules cost: the same query's throughput as the public role over the owning department's.
      isPublic ? fixed(ratio(rps(row), rps(find(results.rows, row.query, 'civicgraph'))), 2) : '',
      notes,
    ];
  });
}

type Status = 'met' | 'missed' | 'not measured';

function targets(results: Results): { target: string; status: Status; detail: string }[] {
  const { rows } = results;
  const q1 = ratio(rps(find(rows, 'Q1', 'civicgraph')), rps(find(rows, 'Q1', 'postgraphile')));
  const q2 = ratio(rps(find(rows, 'Q2', 'civicgraph')), rps(find(rows, 'Q2', 'baseline')));
  const counts = results.pageSizes.map(({ perRequest }) => ('value' in perRequest ? perRequest.value : undefined));
  const allCounted = counts.length > 0 && counts.every((c) => c !== undefined);
  const constant = allCounted && counts.every((c) => Math.abs(c! - counts[0]!) < 0.005);
  const status = (measured: boolean, met: boolean): Status => (!measured ? 'not measured' : met ? 'met' : 'missed');
  return [
    { target: 'Q1 throughput ≥ PostGraphile’s', status: status(q1 !== undefined, (q1 ?? 0) >= 1), detail: q1 === undefined ? '' : `${q1.toFixed(2)}×` },
    { target: 'Q2 throughput ≥ 0.7 × baseline', status: status(q2 !== undefined, (q2 ?? 0) >= 0.7), detail: q2 === undefined ? '' : `${q2.toFixed(2)}×` },
    {
      target: 'Q2 source queries/request constant from page size 10 to 1,000',
      status: status(allCounted, constant),
      detail: results.pageSizes.map(({ pageSize, perRequest: p }) => `${pageSize}: ${perRequest(p)}`).join(', '),
    },
  ];
}

function plainTable(header: string[], cells: string[][]): string {
  const widths = header.map((h, i) => Math.max(h.length, ...cells.map((row) => row[i]!.length)));
  const line = (row: string[]): string => row.map((cell, i) => cell.padEnd(widths[i]!)).join('  ').trimEnd();
  return [line(header), line(widths.map((w) => '-'.repeat(w))), ...cells.map(line)].join('\n');
}

function markdownTable(header: string[], cells: string[][]): string {
  const escape = (cell: string): string => cell.replace(/\|/g, '\\|').replace(/\n/g, ' ');
  return [header, header.map(() => '---'), ...cells].map((row) => `| ${row.map(escape).join(' | ')} |`).join('\n');
}

export function consoleReport(results: Results): string {
  const pageCells = results.pageSizes.map(({ pageSize, perRequest: p }) => [String(pageSize), perRequest(p), 'value' in p ? '' : p.unavailable]);
  const targetCells = targets(results).map((t) => [t.target, t.status, t.detail]);
  return [
    plainTable(HEADER, tableCells(results)),
    '',
    'Q2 source queries per request, by page size (CivicGraph):',
    plainTable(['first', 'source queries/req', 'notes'], pageCells),
    '',
    plainTable(['target', 'status', 'measured'], targetCells),
  ].join('\n');
}

export function markdownReport(results: Results): string {
  const { machine, options } = results;
  const pageCells = results.pageSizes.map(({ pageSize, perRequest: p }) => [String(pageSize), perRequest(p), 'value' in p ? '' : p.unavailable]);
  const targetCells = targets(results).map((t) => [t.target, `**${t.status}**`, t.detail]);
  return `# CivicGraph benchmark results

Written by \`npm run bench\` (see [README.md](README.md) for what each side is and how to read the ratios).

## Machine

| | |
|---|---|
| CPU | ${machine.cpu} |
| cores | ${machine.cores} |
| memory | ${machine.memoryGiB} GiB |
| Node.js | ${machine.node} |
| PostgreSQL | ${machine.postgres} |
| date | ${machine.date} |
| load average (1 / 5 / 15 min) at the end | ${machine.load} |

Servers, load generator and PostgreSQL share this machine. Each (server × query) ran ${options.durationSeconds} s
with ${options.connections} connections after a ${options.warmupSeconds} s warm-up.

## Throughput and latency

${markdownTable(HEADER, tableCells(results))}

Ratios are CivicGraph's requests per second divided by the other server's, for the same query.
CivicGraph answers the baseline comparisons as the department that owns the data (every row,
raw values); \`public/department\` is the same query's throughput as the anonymous public role
(withheld rows excluded in SQL, addresses cut to the hundred block, coordinates rounded, free
text redacted) over the owning department's: what the privacy rules cost. Q2 has no public
variant: its join matches requests to permits by exact address, which the public role reads
only as a hundred block, so the join is not offered to it.

## Q2 source queries per request, by page size (CivicGraph)

${markdownTable(['first', 'source queries/req', 'notes'], pageCells)}

## Targets

${markdownTable(['target', 'status', 'measured'], targetCells)}
`;
}
