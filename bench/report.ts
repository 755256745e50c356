/**
 * The results as a console table and as bench/RESULTS.md, with the spec's targets marked
 * met or missed. Ratios are throughput ratios (CivicGraph req/s ÷ the other's req/s) for
 * the same query: above 1 means CivicGraph serves more requests per second.
 */
import type { Machine } from './machine.js';
import type { Measurement } from './measure.js';
import type { PerRequest } from './metrics.js';
import { Q2_PAGE_SIZE, type QueryId, type ServerId } from './queries.js';
import { median } from './turns.js';

export interface Row {
  query: QueryId;
  server: ServerId;
  measurement?: Measurement;
  /** Each round's measurement where the row was measured in turns with another (`measurement` is their median). */
  rounds?: Measurement[];
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
  'civicgraph-unlimited': 'CivicGraph without limits (owning department)',
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
      row.server.startsWith('civicgraph') ? perRequest(row.sourceQueries) : '',
      isCivic ? fixed(ratio(rps(row), rps(find(results.rows, row.query, 'baseline'))), 2) : '',
      isCivic ? fixed(ratio(rps(row), rps(find(results.rows, row.query, 'postgraphile'))), 2) : '',
      // What privacy rules cost: the same query's throughput as the public role over the owning department's.
      isPublic ? fixed(ratio(rps(row), rps(find(results.rows, row.query, 'civicgraph'))), 2) : '',
      notes,
    ];
  });
}

/** The limits' target: Q1 keeps at least this share of its throughput without them (overhead ≤ 3 %). */
const LIMITS_TARGET = 0.97;

interface LimitsRound {
  on: Measurement;
  off: Measurement;
  /** Requests per second with the limits ÷ without, in the same round. */
  ratio: number;
  /** CPU time per request without the limits ÷ with, in the same round: below 1 by what the limits cost. */
  cpuRatio: number | undefined;
}

/** Q1 with and without the limits, round by round; the ratio to quote is the median of the rounds' ratios. */
function limitsRounds(rows: Row[]): { rounds: LimitsRound[]; medianRatio: number; medianCpuRatio: number | undefined } | undefined {
  const on = find(rows, 'Q1', 'civicgraph')?.rounds;
  const off = find(rows, 'Q1', 'civicgraph-unlimited')?.rounds;
  if (!on || !off || on.length === 0 || on.length !== off.length) return undefined;
  const rounds = on.map((m, i) => ({
    on: m,
    off: off[i]!,
    ratio: ratio(m.requestsPerSecond, off[i]!.requestsPerSecond) ?? 0,
    cpuRatio: m.cpuMsPerRequest === undefined || off[i]!.cpuMsPerRequest === undefined ? undefined : ratio(off[i]!.cpuMsPerRequest!, m.cpuMsPerRequest),
  }));
  const cpuRatios = rounds.map((r) => r.cpuRatio);
  const medianCpuRatio = cpuRatios.every((r) => r !== undefined) ? median(cpuRatios as number[]) : undefined;
  return { rounds, medianRatio: median(rounds.map((r) => r.ratio)), medianCpuRatio };
}

const LIMITS_HEADER = ['round', 'with limits req/s', 'p50 ms', 'p99 ms', 'CPU ms/req', 'without limits req/s', 'p50 ms', 'p99 ms', 'CPU ms/req', 'req/s with ÷ without', 'CPU/req without ÷ with'];

function limitsCells(results: Results): string[][] {
  const measured = limitsRounds(results.rows);
  if (!measured) return [];
  const cpu = (value: number | undefined, digits: number) => (value === undefined ? '' : fixed(value, digits));
  const cells = measured.rounds.map(({ on, off, ratio: r, cpuRatio }, i) => [
    String(i + 1),
    fixed(on.requestsPerSecond),
    fixed(on.p50Ms),
    fixed(on.p99Ms),
    cpu(on.cpuMsPerRequest, 2),
    fixed(off.requestsPerSecond),
    fixed(off.p50Ms),
    fixed(off.p99Ms),
    cpu(off.cpuMsPerRequest, 2),
    fixed(r, 3),
    cpu(cpuRatio, 3),
  ]);
  return [...cells, ['median', '', '', '', '', '', '', '', '', fixed(measured.medianRatio, 3), cpu(measured.medianCpuRatio, 3)]];
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
  const limits = limitsRounds(rows);
  return [
    { target: 'Q1 throughput ≥ PostGraphile’s', status: status(q1 !== undefined, (q1 ?? 0) >= 1), detail: q1 === undefined ? '' : `${q1.toFixed(2)}×` },
    { target: 'Q2 throughput ≥ 0.7 × baseline', status: status(q2 !== undefined, (q2 ?? 0) >= 0.7), detail: q2 === undefined ? '' : `${q2.toFixed(2)}×` },
    {
      target: 'Q2 source queries/request constant from page size 10 to 1,000',
      status: status(allCounted, constant),
      detail: results.pageSizes.map(({ pageSize, perRequest: p }) => `${pageSize}: ${perRequest(p)}`).join(', '),
    },
    {
      target: `Q1 overhead of the limits ≤ ${Math.round((1 - LIMITS_TARGET) * 100)} % (throughput with ÷ without ≥ ${LIMITS_TARGET})`,
      status: status(limits !== undefined, (limits?.medianRatio ?? 0) >= LIMITS_TARGET),
      detail:
        limits === undefined
          ? ''
          : `${limits.medianRatio.toFixed(3)}× (median of ${limits.rounds.length} rounds)` +
            (limits.medianCpuRatio === undefined ? '' : `; CPU time per request without ÷ with: ${limits.medianCpuRatio.toFixed(3)}×`),
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
    'Q1 with and without the limits, in turns (CivicGraph, owning department):',
    plainTable(LIMITS_HEADER, limitsCells(results)),
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

## Q1 with and without the limits

${markdownTable(LIMITS_HEADER, limitsCells(results))}

The same gateway in two processes, one serving with the per-role limits (static limits, cost
estimate and cost budget per window, answer size, requests in flight) and one without
(\`enforceLimits: false\`), both asked Q1 as the owning department. They are measured in turns,
${options.durationSeconds} s each after a ${options.warmupSeconds} s warm-up, the one with limits first in odd rounds and second in even
rounds; each round's ratio compares two runs next to each other in time, and the ratio quoted is
the median of the rounds'. In the throughput table, both rows give the medians of their rounds.
CPU ms/req is the server process's CPU time (user + system, from /proc) over the measured run
divided by the requests it answered: it moves less than throughput when other work shares the
machine, so its ratio says what the limits cost even where the throughput ratio is noisy.

## Targets

${markdownTable(['target', 'status', 'measured'], targetCells)}
`;
}
