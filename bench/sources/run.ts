/**
 * `npm run bench:sources`: what answering in memory costs. The same source-neutral queries
 * run against the same table on PostgreSQL (which does all the work), a CSV file and a JSON
 * API (where the gateway does what they cannot), checked to give the same answers, then timed
 * one at a time; each kind's median is given as a ratio to PostgreSQL's, measured in the same run.
 * Writes bench/sources/RESULTS.md.
 */
import { writeFile } from 'node:fs/promises';
import { parseArgs } from 'node:util';
import { fileURLToPath } from 'node:url';
import { workOrders } from './data.js';
import { QUERIES } from './queries.js';
import { csv, type Measured, postgres, rest } from './systems.js';

const { values } = parseArgs({ options: { rows: { type: 'string', default: '50000' }, runs: { type: 'string', default: '15' } } });
const ROWS = Number(values.rows);
const RUNS = Number(values.runs);
const log = (line: string) => void process.stderr.write(`[bench:sources] ${line}\n`);

/** Answers in a comparable form: rows sorted where the interface leaves their order open. */
function canonical(answer: unknown): string {
  if (!Array.isArray(answer)) return JSON.stringify(answer);
  return JSON.stringify(answer.map((row) => JSON.stringify(row, (_, value: unknown) => (typeof value === 'number' ? Number(value.toPrecision(12)) : value))).sort());
}

async function median(work: () => Promise<unknown>): Promise<number> {
  await work();
  const times: number[] = [];
  for (let i = 0; i < RUNS; i++) {
    const started = performance.now();
    await work();
    times.push(performance.now() - started);
  }
  times.sort((a, b) => a - b);
  return times[Math.floor(times.length / 2)]!;
}

async function main(): Promise<void> {
  const rows = workOrders(ROWS);
  log(`${ROWS} work orders, ${RUNS} timed runs per query`);
  const systems: Measured[] = [];
  try {
    for (const open of [postgres, csv, rest]) systems.push(await open(rows));
    const [baseline, ...others] = systems as [Measured, ...Measured[]];
    const lines = [
      '# Sources benchmark',
      '',
      `\`npm run bench:sources\` on ${new Date().toISOString().slice(0, 10)}: ${ROWS.toLocaleString('en-US')} work orders; the median of ${RUNS} runs per query, each after one untimed run.`,
      'PostgreSQL does all the work; for the CSV file and the JSON API the gateway does in memory what they cannot.',
      'The JSON API is a local server in the same process, paging 1,000 records at a time, so its own work (JSON for every record it sends) is in its figures, as a vendor API\'s would be in a real one\'s.',
      'Every kind gave the same answers before it was timed.',
      '',
      `| Query | PostgreSQL | ${others.map((system) => system.kind).join(' | ')} |`,
      `|---|---|${others.map(() => '---|').join('')}`,
    ];
    for (const query of QUERIES) {
      const expected = canonical(await query.run(baseline.source, baseline.table));
      for (const system of others) {
        if (canonical(await query.run(system.source, system.table)) !== expected) throw new Error(`${system.kind} answers "${query.id}" differently from PostgreSQL`);
      }
      const base = await median(() => query.run(baseline.source, baseline.table));
      const cells: string[] = [];
      for (const system of others) {
        const ms = await median(() => query.run(system.source, system.table));
        cells.push(`${ms.toFixed(1)} ms (${(ms / base).toFixed(1)}×)`);
      }
      lines.push(`| ${query.id}: ${query.what} | ${base.toFixed(1)} ms | ${cells.join(' | ')} |`);
      log(lines.at(-1)!);
    }
    const text = `${lines.join('\n')}\n`;
    process.stdout.write(text);
    await writeFile(fileURLToPath(new URL('RESULTS.md', import.meta.url)), text);
  } finally {
    await Promise.all(systems.map((system) => system.close()));
  }
}

main().catch((error: unknown) => {
  process.stderr.write(`bench:sources: ${error instanceof Error ? error.message : String(error)}\n`);
  process.exit(1);
});
