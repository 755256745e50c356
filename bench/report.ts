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
  /** Where the row was measured in turns with another (Results.turns), the medians of its rounds. */
  measurement?: Measurement;
  /** Why the row was not measured ("not available: …", "wrong answer: …"). */
  skipped?: string;
  sourceQueries?: PerRequest;
  notes: string[];
}

/** The pairs of servers measured in turns on Q1 (scenario.ts, COMPARISONS). */
export type ComparisonId = 'limits' | 'cache' | 'workers';

/** A comparison's two sides, round by round: the first and the second of its pair. */
export type Turns = [Measurement[], Measurement[]];

export interface Results {
  rows: Row[];
  turns: Partial<Record<ComparisonId, Turns>>;
  /** Q2's source queries per request by page size. */
  pageSizes: { pageSize: number; perRequest: PerRequest }[];
  machine: Machine;
  options: { durationSeconds: number; warmupSeconds: number; connections: number };
}

const SERVER_NAMES: Record<ServerId, string> = {
  civicgraph: 'CivicGraph (owning department)',
  'civicgraph-unlimited': 'CivicGraph without limits (owning department)',
  'civicgraph-cached': 'CivicGraph with the response cache (owning department)',
  'civicgraph-1-worker': 'civicgraph serve --workers 1 (owning department)',
  'civicgraph-2-workers': 'civicgraph serve --workers 2 (owning department)',
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

/**
 * What each comparison is called and its target: the median over the rounds of the first side's
 * req/s ÷ the second's must reach `target`. The CPU ratio is the other way round (second ÷ first),
 * so that above 1 also means the first side does better.
 */
const COMPARISON_TEXT: Record<ComparisonId, { title: string; sides: [string, string]; target: number; targetText: string }> = {
  // The issue "Safe on the open internet": an overhead of at most 3 %.
  limits: { title: 'Q1 with and without the limits', sides: ['with limits', 'without limits'], target: 0.97, targetText: 'Q1 overhead of the limits ≤ 3 % (throughput with ÷ without ≥ 0.97)' },
  cache: { title: 'Q1 with and without the response cache', sides: ['cached', 'uncached'], target: 3, targetText: 'cached Q1 ≥ 3 × uncached (throughput cached ÷ uncached ≥ 3)' },
  workers: { title: 'Q1 on two workers and on one', sides: ['2 workers', '1 worker'], target: 1.7, targetText: 'Q1 on two workers ≥ 1.7 × one worker (serve --workers 2 ÷ --workers 1 ≥ 1.7)' },
};
const COMPARISON_IDS = Object.keys(COMPARISON_TEXT) as ComparisonId[];

interface Round {
  first: Measurement;
  second: Measurement;
  /** Requests per second first ÷ second, in the same round. */
  ratio: number;
  /** CPU time per request second ÷ first, in the same round: above 1 where the first side spends less per request. */
  cpuRatio: number | undefined;
}

/** A comparison round by round; the ratio to quote is the median of the rounds' ratios. */
function comparisonRounds(results: Results, id: ComparisonId): { rounds: Round[]; medianRatio: number; medianCpuRatio: number | undefined } | undefined {
  const [first, second] = results.turns[id] ?? [[], []];
  if (first.length === 0 || first.length !== second.length) return undefined;
  const rounds = first.map((m, i) => ({
    first: m,
    second: second[i]!,
    ratio: ratio(m.requestsPerSecond, second[i]!.requestsPerSecond) ?? 0,
    cpuRatio: m.cpuMsPerRequest === undefined || second[i]!.cpuMsPerRequest === undefined ? undefined : ratio(second[i]!.cpuMsPerRequest!, m.cpuMsPerRequest),
  }));
  const cpuRatios = rounds.map((r) => r.cpuRatio);
  const medianCpuRatio = cpuRatios.every((r) => r !== undefined) ? median(cpuRatios as number[]) : undefined;
  return { rounds, medianRatio: median(rounds.map((r) => r.ratio)), medianCpuRatio };
}

function comparisonHeader(id: ComparisonId): string[] {
  const [a, b] = COMPARISON_TEXT[id].sides;
  return ['round', `${a} req/s`, 'p50 ms', 'p99 ms', 'CPU ms/req', `${b} req/s`, 'p50 ms', 'p99 ms', 'CPU ms/req', `req/s ${a} ÷ ${b}`, `CPU/req ${b} ÷ ${a}`];
}

function comparisonCells(results: Results, id: ComparisonId): string[][] {
  const measured = comparisonRounds(results, id);
  if (!measured) return [];
  const cpu = (value: number | undefined, digits: number) => (value === undefined ? '' : fixed(value, digits));
  const cells = measured.rounds.map(({ first, second, ratio: r, cpuRatio }, i) => [
    String(i + 1),
    fixed(first.requestsPerSecond),
    fixed(first.p50Ms),
    fixed(first.p99Ms),
    cpu(first.cpuMsPerRequest, 2),
    fixed(second.requestsPerSecond),
    fixed(second.p50Ms),
    fixed(second.p99Ms),
    cpu(second.cpuMsPerRequest, 2),
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
  const compared = COMPARISON_IDS.map((id) => {
    const measured = comparisonRounds(results, id);
    const [a, b] = COMPARISON_TEXT[id].sides;
    return {
      target: COMPARISON_TEXT[id].targetText,
      status: status(measured !== undefined, (measured?.medianRatio ?? 0) >= COMPARISON_TEXT[id].target),
      detail:
        measured === undefined
          ? ''
          : `${measured.medianRatio.toFixed(3)}× (median of ${measured.rounds.length} rounds)` +
            (measured.medianCpuRatio === undefined ? '' : `; CPU time per request ${b} ÷ ${a}: ${measured.medianCpuRatio.toFixed(3)}×`),
    };
  });
  return [
    { target: 'Q1 throughput ≥ PostGraphile’s', status: status(q1 !== undefined, (q1 ?? 0) >= 1), detail: q1 === undefined ? '' : `${q1.toFixed(2)}×` },
    { target: 'Q2 throughput ≥ 0.7 × baseline', status: status(q2 !== undefined, (q2 ?? 0) >= 0.7), detail: q2 === undefined ? '' : `${q2.toFixed(2)}×` },
    {
      target: 'Q2 source queries/request constant from page size 10 to 1,000',
      status: status(allCounted, constant),
      detail: results.pageSizes.map(({ pageSize, perRequest: p }) => `${pageSize}: ${perRequest(p)}`).join(', '),
    },
    ...compared,
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
    ...COMPARISON_IDS.flatMap((id) => [`${COMPARISON_TEXT[id].title}, in turns (owning department):`, plainTable(comparisonHeader(id), comparisonCells(results, id)), '']),
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

${markdownTable(comparisonHeader('limits'), comparisonCells(results, 'limits'))}

The same gateway in two processes, one serving with the per-role limits (static limits, cost
estimate and cost budget per window, answer size, requests in flight) and one without
(\`enforceLimits: false\`), both asked Q1 as the owning department. They are measured in turns,
${options.durationSeconds} s each after a ${options.warmupSeconds} s warm-up, the one with limits first in odd rounds and second in even
rounds; each round's ratio compares two runs next to each other in time, and the ratio quoted is
the median of the rounds'. In the throughput table, both rows give the medians of their rounds.
CPU ms/req is the server process's CPU time (user + system, from /proc) over the measured run
divided by the requests it answered: it moves less than throughput when other work shares the
machine, so its ratio says what the limits cost even where the throughput ratio is noisy.

## Q1 with and without the response cache

${markdownTable(comparisonHeader('cache'), comparisonCells(results, 'cache'))}

The benchmark's CivicGraph started a second time with the response cache on (in process, the
default 64 MB), against the one without it that the limits are measured on, both asked Q1 as the
owning department and measured in turns as above (the cached one first in odd rounds). Its answer
must have the same \`data\` as the uncached one's, and under load every response must equal its
second answer, the first one served from the cache: service requests stay cached for 5 minutes,
so after the check every request of a run is a hit.

## Q1 on two workers and on one

${markdownTable(comparisonHeader('workers'), comparisonCells(results, 'workers'))}

The real command, \`civicgraph serve --workers 2\` and \`--workers 1\` (bench/cli-server.ts), each
in its own process tree, over a copy of connectors/ made as for the other CivicGraph servers and the
same databases, rate limits lifted, cache off, no file watching; both asked Q1 as the owning
department and measured in turns as above (two workers first in odd rounds). CPU ms/req sums the
primary's and every worker's CPU time. autocannon runs in the benchmark's own process, apart from
the servers but on the same machine: servers, PostgreSQL and load generator share its
${machine.cores} cores, so a second worker can gain only what the cores left free allow.

## Targets

${markdownTable(['target', 'status', 'measured'], targetCells)}
`;
}
