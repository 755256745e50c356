/**
 * The soak's section of bench/RESULTS.md, between markers of its own, so that the soak and
 * `npm run bench` (which writes the rest of the file) each replace only their own part.
 */
import { readFile, writeFile } from 'node:fs/promises';
import type { Machine } from './machine.js';

const BEGIN = '<!-- soak: written by npm run bench:soak -->';
const END = '<!-- /soak -->';

export interface SoakReport {
  minutes: number;
  connections: number;
  rate: number;
  cache: boolean;
  distinctRequests: number;
  requests: number;
  requestsPerSecond: number;
  p50Ms: number;
  p99Ms: number;
  statuses: Record<string, number>;
  errors: number;
  timeouts: number;
  serverErrors: number;
  baseline: { atMs: number; rss: number };
  end: { atMs: number; rss: number };
  peakRss: number;
  growth: number;
  passed: boolean;
  machine: Machine;
  startedAt: string;
}

const mb = (bytes: number) => `${(bytes / 1024 / 1024).toFixed(1)} MB`;

export function soakMarkdown(report: SoakReport): string {
  const { machine } = report;
  return `${BEGIN}
## Soak (\`npm run bench:soak\`)

${report.passed ? '**Passed**' : '**Failed**'}: ${report.minutes} min from ${report.startedAt}, ${report.connections} connections${report.rate ? `, at most ${report.rate} requests/s` : ''}, response cache ${report.cache ? 'on' : 'off'}; ${report.distinctRequests} distinct requests as anonymous, app-token, staff and two departments' callers, in turn.

| measure | value | target |
|---|---|---|
| requests | ${report.requests} (${report.requestsPerSecond.toFixed(0)}/s; p50 ${report.p50Ms} ms, p99 ${report.p99Ms} ms) | |
| answers by status | ${Object.entries(report.statuses).map(([code, count]) => `${code}: ${count}`).join(', ') || 'none'} | |
| 5xx, connection errors, timeouts | ${report.serverErrors}, ${report.errors}, ${report.timeouts} | 0, 0, 0 |
| RSS in the first minute (median of the samples up to ${(report.baseline.atMs / 1000).toFixed(0)} s, from its second half) | ${mb(report.baseline.rss)} | |
| RSS at the end (median of as long a window, to ${(report.end.atMs / 1000).toFixed(0)} s) | ${mb(report.end.rss)} (${report.growth >= 0 ? '+' : ''}${(report.growth * 100).toFixed(1)} %; peak ${mb(report.peakRss)}) | at most +10 % |

Machine: ${machine.cpu}, ${machine.cores} cores, ${machine.memoryGiB} GiB; Node ${machine.node}; PostgreSQL ${machine.postgres}; load average at the end ${machine.load}.
${END}`;
}

/** Replaces the soak section of `path` (or appends one). */
export async function writeSoakSection(path: string, report: SoakReport): Promise<void> {
  const text = await readFile(path, 'utf8').catch(() => '');
  await writeFile(path, withSection(text, soakMarkdown(report)));
}

/** `text` with its soak section replaced by `section` (appended when it has none; left out when `section` is empty). */
export function withSection(text: string, section: string): string {
  const start = text.indexOf(BEGIN);
  const stop = text.indexOf(END);
  const rest = start >= 0 && stop > start ? text.slice(0, start).trimEnd() + text.slice(stop + END.length) : text.trimEnd();
  return section ? `${rest.trimEnd()}\n\n${section}\n` : `${rest.trimEnd()}\n`;
}

/** The soak section of `text`, for `npm run bench` to carry over when it rewrites the file; '' when none. */
export function soakSection(text: string): string {
  const start = text.indexOf(BEGIN);
  const stop = text.indexOf(END);
  return start >= 0 && stop > start ? text.slice(start, stop + END.length) : '';
}
